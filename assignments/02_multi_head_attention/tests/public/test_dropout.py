"""Public checks of dropout in `MultiHeadAttention` (step 02)."""
import torch

from grader.testkit import check, randn


def test_mha_is_deterministic_in_eval_mode(MultiHeadAttention):
    torch.manual_seed(0)
    model = MultiHeadAttention(12, 3, dropout=0.5).eval()
    x = randn(2, 5, 12, seed=41)
    with torch.no_grad():
        first, second = model(x), model(x)
    check(torch.equal(first, second), "in eval mode MultiHeadAttention must give the same output every time.",
          "dropout must only be active while training: use an nn.Dropout module (it follows .train()/.eval()).")
