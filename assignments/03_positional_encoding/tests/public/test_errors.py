"""Public checks of `PositionalEncoding`'s errors (step 03)."""
import torch

from grader.testkit import check_shape, expect_value_error


def test_too_long_sequence_is_refused(PositionalEncoding):
    pe = PositionalEncoding(4, max_len=10)
    expect_value_error(pe, torch.zeros(1, 11, 4), mentions="max_len", what="PositionalEncoding(4, max_len=10) on 11 tokens")


def test_odd_embed_dim_is_refused(PositionalEncoding):
    expect_value_error(PositionalEncoding, 5, mentions="embed_dim", what="PositionalEncoding(5)")


def test_sequence_of_exactly_max_len_is_accepted(PositionalEncoding):
    check_shape(PositionalEncoding(4, max_len=10)(torch.zeros(1, 10, 4)), (1, 10, 4),
                "PositionalEncoding(4, max_len=10) on exactly 10 tokens",
                "T == max_len is allowed; only T > max_len is an error.")


def test_default_max_len_is_100(PositionalEncoding):
    pe = PositionalEncoding(4)
    check_shape(pe(torch.zeros(1, 100, 4)), (1, 100, 4), "PositionalEncoding(4) on 100 tokens",
                "the default is max_len=100, as in the course's API.")
    expect_value_error(pe, torch.zeros(1, 101, 4), mentions="max_len", what="PositionalEncoding(4) (max_len=100) on 101 tokens")
