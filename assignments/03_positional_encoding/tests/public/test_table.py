"""Public checks of the sinusoidal table of `PositionalEncoding` (step 03)."""
import math

import torch

from grader.golden import golden_case
from grader.testkit import check_close, check_shape


def formula_table(length, embed_dim):
    """pe[pos, 2i] = sin(pos / 10000^(2i/E)), pe[pos, 2i+1] = cos(same), in float64."""
    table = torch.zeros(length, embed_dim, dtype=torch.float64)
    for pos in range(length):
        for i in range(0, embed_dim, 2):
            angle = pos / 10000 ** (i / embed_dim)
            table[pos, i] = math.sin(angle)
            table[pos, i + 1] = math.cos(angle)
    return table


def table_of(PositionalEncoding, embed_dim, length, max_len=100):
    """What the module adds to a sequence of `length` zero vectors: its table, (length, E)."""
    out = PositionalEncoding(embed_dim, max_len=max_len)(torch.zeros(1, length, embed_dim))
    check_shape(out, (1, length, embed_dim), f"PositionalEncoding({embed_dim}) on x of shape (1, {length}, {embed_dim})")
    return out[0]


@golden_case
def table_e8(PositionalEncoding):
    return table_of(PositionalEncoding, 8, 12)


def test_table_first_positions(PositionalEncoding):
    check_close(table_of(PositionalEncoding, 4, 3), formula_table(3, 4).float(), "the table for E=4, positions 0..2",
                "position 0 must be [0, 1, 0, 1, ...]: sin in the even columns, cos in the odd ones.")


def test_table_matches_the_formula(PositionalEncoding):
    check_close(table_of(PositionalEncoding, 16, 40), formula_table(40, 16).float(), "the table for E=16, positions 0..39",
                "each sin/cos pair shares one frequency 1/10000^(2i/E), where 2i is the even column index.", atol=5e-5)


def test_table_matches_expected_values(PositionalEncoding, golden):
    golden.check(table_e8, PositionalEncoding, what="the table for E=8, positions 0..11")
