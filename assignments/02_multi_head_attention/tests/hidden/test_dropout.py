"""Hidden checks of dropout in `MultiHeadAttention` (step 02)."""
import torch

from grader.testkit import check, check_close, check_differs, copy_parameters, randn

B, T, E, H = 2, 5, 12, 3


def test_mha_dropout_is_active_in_training(MultiHeadAttention):
    torch.manual_seed(0)
    model = MultiHeadAttention(E, H, dropout=0.5)
    x = randn(B, T, E, seed=51)
    model.train()
    first, second = model(x), model(x)
    model.eval()
    evaluated = model(x)
    check_differs(first, evaluated, "with dropout=0.5, MultiHeadAttention gives the same output in train and eval mode.",
                  "create an nn.Dropout(dropout) and apply it to the attention weights in forward.")
    check_differs(first, second, "with dropout=0.5 in train mode, two calls should drop different weights.")


def test_mha_without_dropout_is_the_same_in_train_and_eval(MultiHeadAttention):
    torch.manual_seed(0)
    model = MultiHeadAttention(E, H)  # default dropout=0.0
    x = randn(B, T, E, seed=52)
    model.train()
    trained = model(x)
    model.eval()
    check_close(trained, model(x), "MultiHeadAttention(E, H) in train mode vs eval mode",
                "the default dropout is 0.0; use the `dropout` argument instead of a fixed probability.")


def test_mha_eval_output_does_not_depend_on_the_dropout_rate(MultiHeadAttention, ref):
    torch.manual_seed(53)
    reference = ref.MultiHeadAttention(E, H).eval()
    student = MultiHeadAttention(E, H, dropout=0.3).eval()
    copy_parameters(reference, student, f"MultiHeadAttention({E}, {H}, dropout=0.3)")
    x = randn(B, T, E, seed=54)
    check_close(student(x), reference(x), "eval-mode output with dropout=0.3 vs the reference without dropout",
                "dropout (and its 1/(1-p) rescaling) must be switched off in eval mode.")
