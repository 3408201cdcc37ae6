"""Public checks of `MultiHeadAttention` (step 02)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import (
    check, check_close, check_parameters, check_shape, check_tensor, expect_value_error, fail, randn, seed_parameters,
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


def test_mha_takes_the_mask_as_second_argument(MultiHeadAttention):
    # The transformer block (step 04) calls attention(x, mask). With a padding mask, the padded
    # tokens are invisible: changing them must leave the outputs of the real tokens unchanged.
    model = _seeded(MultiHeadAttention)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)[:, None, None, :]  # (B, 1, 1, T)
    x = randn(B, T, E, seed=24)
    changed = x.clone()
    changed[0, 3:] = randn(2, E, seed=25)
    changed[1, 4:] = randn(1, E, seed=26)
    hint = ("forward's arguments are (x, mask=None, return_attention=False), in this order, and the mask "
            "must be used whether or not the weights are returned.")
    mixing = ("no position may leak into another: merge_heads must move the head dimension back behind T "
              "before flattening (a reshape alone mixes tokens); forward's arguments are (x, mask=None, "
              "return_attention=False), and the mask must be used whether or not the weights are returned.")
    try:
        out, out_changed = model(x, mask), model(changed, mask)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the student's error is the finding
        fail(f"MultiHeadAttention(x, mask) raised {getattr(error, 'grader_type', type(error).__name__)}: {error}\n"
             f"Likely cause: {hint}")
    check_tensor(out, "MultiHeadAttention(x, mask)", hint)
    check_close(out_changed[0, :3], out[0, :3], "outputs of the real tokens of sentence 0 after changing its padding",
                mixing)
    check_close(out_changed[1, :4], out[1, :4], "outputs of the real tokens of sentence 1 after changing its padding",
                mixing)
