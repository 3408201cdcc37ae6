"""Public checks of `PositionalEncoding.forward` (step 03)."""
import torch

from grader.testkit import check_close, randn


def test_forward_adds_the_table_to_x(PositionalEncoding):
    pe = PositionalEncoding(8, max_len=20)
    x = randn(2, 6, 8, seed=61)
    table = pe(torch.zeros(1, 6, 8))
    check_close(pe(x), x + table, "PositionalEncoding(x) compared with x + table",
                "forward returns x + pe[:, :T]: add, don't replace or multiply.")
