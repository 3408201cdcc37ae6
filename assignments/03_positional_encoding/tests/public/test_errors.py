"""Public checks of `PositionalEncoding`'s errors (step 03)."""
import torch

from grader.testkit import expect_value_error


def test_too_long_sequence_is_refused(PositionalEncoding):
    pe = PositionalEncoding(4, max_len=10)
    expect_value_error(pe, torch.zeros(1, 11, 4), mentions="max_len", what="PositionalEncoding(4, max_len=10) on 11 tokens")


def test_odd_embed_dim_is_refused(PositionalEncoding):
    expect_value_error(PositionalEncoding, 5, mentions="embed_dim", what="PositionalEncoding(5)")
