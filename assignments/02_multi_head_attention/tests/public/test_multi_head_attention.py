"""Public checks of `MultiHeadAttention` (step 02)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import (
    check, check_parameters, check_shape, expect_value_error, fail, randn, seed_parameters,
)

B, T, E, H = 2, 5, 12, 3


def _seeded(MultiHeadAttention, seed=5):
    model = MultiHeadAttention(E, H)
    seed_parameters(model, contract.multi_head_attention(E), seed, f"MultiHeadAttention({E}, {H})")
    return model.eval()


@golden_case
def mha_output(MultiHeadAttention):
    return _seeded(MultiHeadAttention)(randn(B, T, E, seed=21), return_attention=True)


def test_mha_has_the_course_parameters(MultiHeadAttention):
    check_parameters(MultiHeadAttention(E, H), contract.multi_head_attention(E), f"MultiHeadAttention({E}, {H})")


def test_mha_head_dim(MultiHeadAttention):
    model = MultiHeadAttention(E, H)
    got = getattr(model, "head_dim", None)
    check(got == E // H, f"MultiHeadAttention({E}, {H}).head_dim should be {E // H}, got {got!r}.")


def test_mha_rejects_embed_dim_not_divisible_by_heads(MultiHeadAttention):
    expect_value_error(MultiHeadAttention, 10, 3, mentions="heads", what="MultiHeadAttention(10, heads=3)")


def test_mha_output_and_weight_shapes(MultiHeadAttention):
    result = _seeded(MultiHeadAttention)(randn(B, T, E, seed=22), return_attention=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"MultiHeadAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    out, weights = result
    check_shape(out, (B, T, E), "MultiHeadAttention output")
    check_shape(weights, (B, H, T, T), "MultiHeadAttention weights", "one (T, T) weight matrix per head: (B, H, T, T).")


def test_mha_matches_expected_values(MultiHeadAttention, golden):
    golden.check(mha_output, MultiHeadAttention, what="MultiHeadAttention (out, weights)",
                 hint="project with query/key/value, split into heads, scale by 1/sqrt(head_dim), merge, then fc_out.")


def test_mha_uses_a_padding_mask(MultiHeadAttention):
    mask = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 0, 0]], dtype=torch.bool)[:, None, None, :]  # (B, 1, 1, T)
    result = _seeded(MultiHeadAttention)(randn(B, T, E, seed=23), mask=mask, return_attention=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"MultiHeadAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    weights = result[1]
    check_shape(weights, (B, H, T, T), "MultiHeadAttention weights")
    leaked = weights[~mask.expand(B, H, T, T)]
    check(bool((leaked == 0).all()),
          f"with a padding mask, padded keys must get weight exactly 0 in every head; the largest is {leaked.abs().max().item():.3g}.",
          "pass the mask on to scaled_dot_product_attention (it broadcasts over the heads).")
