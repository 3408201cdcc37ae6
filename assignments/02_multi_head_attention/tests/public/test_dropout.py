"""Public checks of dropout in `MultiHeadAttention` (step 02)."""
import torch

from grader.testkit import check, check_close, manual_seed, randn


def test_mha_is_deterministic_in_eval_mode(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(12, 3, dropout=0.5).eval()
    x = randn(2, 5, 12, seed=41)
    with torch.no_grad():
        first, second = model(x), model(x)
    check(torch.equal(first, second), "in eval mode MultiHeadAttention must give the same output every time.",
          "dropout must only be active while training: use an nn.Dropout module (it follows .train()/.eval()).")


def test_mha_applies_dropout_in_training(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(12, 3, dropout=0.5)
    x = randn(2, 5, 12, seed=42)
    trained = model.train()(x)
    evaluated = model.eval()(x)
    check(not torch.allclose(trained, evaluated),
          "with dropout=0.5, MultiHeadAttention gives the same output in train and eval mode.",
          "apply self.dropout to the attention weights and compute the output from the *dropped* weights "
          "(weights @ v), not the `out` that scaled_dot_product_attention returned.")


def test_mha_default_has_no_dropout(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(12, 3)  # default dropout=0.0
    x = randn(2, 5, 12, seed=43)
    trained = model.train()(x)
    check_close(trained, model.eval()(x), "MultiHeadAttention(12, 3) in train mode vs eval mode",
                "the default dropout is 0.0: use the `dropout` argument instead of a fixed probability.")
