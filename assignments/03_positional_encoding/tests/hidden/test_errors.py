"""Hidden checks of `PositionalEncoding`'s errors (step 03)."""
import torch

from grader.testkit import expect_value_error


def test_default_max_len_refuses_101_tokens(PositionalEncoding):
    expect_value_error(PositionalEncoding(4), torch.zeros(2, 101, 4), mentions="max_len",
                       what="PositionalEncoding(4) (max_len=100) on 101 tokens")


def test_odd_embed_dim_is_refused_with_any_max_len(PositionalEncoding):
    expect_value_error(PositionalEncoding, 7, max_len=3, mentions="embed_dim", what="PositionalEncoding(7, max_len=3)")
