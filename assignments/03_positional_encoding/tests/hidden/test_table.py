"""Hidden checks of the sinusoidal table of `PositionalEncoding` (step 03)."""
import pytest
import torch

from grader.testkit import check_close


def _table(module, embed_dim, length, dtype=torch.float32):
    return module(torch.zeros(1, length, embed_dim, dtype=dtype))[0]


@pytest.mark.parametrize("embed_dim,max_len", [(10, 50), (6, 7), (2, 30)])
def test_table_matches_reference(PositionalEncoding, ref, embed_dim, max_len):
    check_close(_table(PositionalEncoding(embed_dim, max_len=max_len), embed_dim, max_len),
                _table(ref.PositionalEncoding(embed_dim, max_len=max_len), embed_dim, max_len),
                f"the table for E={embed_dim}, max_len={max_len}", atol=5e-5)


def test_long_table_matches_reference(PositionalEncoding, ref):
    # Different correct formulas drift apart by ~2e-5 far along the sequence (SPEC §4).
    check_close(_table(PositionalEncoding(6, max_len=500), 6, 500), _table(ref.PositionalEncoding(6, max_len=500), 6, 500),
                "the table for E=6 up to position 499", atol=5e-5)


def test_default_max_len_is_100(PositionalEncoding, ref):
    check_close(_table(PositionalEncoding(4), 4, 100), _table(ref.PositionalEncoding(4), 4, 100),
                "PositionalEncoding(4) on 100 positions (the default max_len)", atol=5e-5)


def test_columns_alternate_sin_and_cos(PositionalEncoding):
    table = _table(PositionalEncoding(12, max_len=20), 12, 20)
    check_close(table[0], torch.tensor([0.0, 1.0] * 6), "position 0 of the table",
                "sin(0) = 0 goes to the even columns, cos(0) = 1 to the odd ones.")
    check_close(table[:, 0::2] ** 2 + table[:, 1::2] ** 2, torch.ones(20, 6), "sin² + cos² of each column pair",
                "columns 2i and 2i+1 must use the same angle (one frequency per pair).", atol=1e-5)
