"""Public checks of `MiniTransformer` in eval mode and its length limit (step 05)."""
import torch

from grader.testkit import check, check_close, expect_value_error, manual_seed, randint


def test_model_is_deterministic_in_eval_mode(MiniTransformer):
    manual_seed(0)
    model = MiniTransformer(9, 8, 2, num_layers=2, dropout=0.5).eval()
    ids = randint(9, (2, 5), seed=141)
    check(torch.equal(model(ids), model(ids)), "in eval mode MiniTransformer must give the same logits every time.")


def test_sequence_longer_than_max_len_is_refused(MiniTransformer):
    model = MiniTransformer(9, 8, 2, max_len=6)
    expect_value_error(model, randint(9, (1, 7), seed=142), mentions="max_len",
                       what="MiniTransformer(..., max_len=6) on 7 tokens (pass max_len on to PositionalEncoding)")


def test_no_dropout_means_train_equals_eval(MiniTransformer):
    manual_seed(0)
    model = MiniTransformer(9, 8, 2, num_layers=2, dropout=0.0)
    ids = randint(9, (2, 5), seed=143)
    trained = model.train()(ids)
    check_close(trained, model.eval()(ids), "MiniTransformer(..., dropout=0.0) in train mode vs eval mode",
                "pass `dropout` on to every TransformerBlock instead of relying on its default (0.1).")
