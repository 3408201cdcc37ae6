"""Public checks of `PositionalEncoding.forward` (step 03)."""
import torch

from grader.testkit import check, check_close, randn, watch


def test_forward_adds_the_table_to_x(PositionalEncoding):
    pe = PositionalEncoding(8, max_len=20)
    x = randn(2, 6, 8, seed=61)
    table = pe(torch.zeros(1, 6, 8))
    check_close(pe(x), x + table, "PositionalEncoding(x) compared with x + table",
                "forward returns x + pe[:, :T]: add, don't replace or multiply.")


def test_forward_does_not_change_x(PositionalEncoding):
    x = watch(randn(2, 4, 8, seed=62))
    before = x.clone()
    PositionalEncoding(8, max_len=20)(x)
    check(torch.equal(x, before), "PositionalEncoding changed its input tensor in place; return a new tensor instead.",
          "x += pe or x.add_(pe) writes into the caller's tensor: use x + pe.")
