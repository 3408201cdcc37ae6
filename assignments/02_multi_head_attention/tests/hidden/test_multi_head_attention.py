"""Hidden checks of `MultiHeadAttention` (step 02)."""
import pytest
import torch
import torch.nn as nn

from grader.testkit import check, check_close, check_tensor, expect_value_error, fail, manual_seed, paired, rand_mask, randn

B, T, E, H = 2, 5, 12, 3


def _pair(MultiHeadAttention, ref, embed_dim=E, heads=H, seed=0):
    return paired(lambda: ref.MultiHeadAttention(embed_dim, heads), lambda: MultiHeadAttention(embed_dim, heads),
                  f"MultiHeadAttention({embed_dim}, {heads})", seed=seed)


def _both(result):
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"MultiHeadAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    return result


@pytest.mark.parametrize("embed_dim,heads", [(12, 3), (12, 6), (10, 1), (8, 8)])
def test_mha_matches_reference(MultiHeadAttention, ref, embed_dim, heads):
    reference, student = _pair(MultiHeadAttention, ref, embed_dim, heads)
    x = randn(B, T, embed_dim, seed=31)
    out, weights = _both(student(x, return_attention=True))
    ref_out, ref_weights = reference(x, return_attention=True)
    check_close(weights, ref_weights, f"attention weights with E={embed_dim}, heads={heads}",
                "split with reshape (B, T, H, D) + transpose, and scale by 1/sqrt(head_dim), not 1/sqrt(E).")
    check_close(out, ref_out, f"MultiHeadAttention output with E={embed_dim}, heads={heads}",
                "merge the heads back in order (transpose, then reshape) and apply fc_out last.")


def test_mha_returns_a_tensor_by_default(MultiHeadAttention, ref):
    reference, student = _pair(MultiHeadAttention, ref)
    x = randn(B, T, E, seed=32)
    check_close(check_tensor(student(x), "MultiHeadAttention(x)"), reference(x), "MultiHeadAttention(x)")


@pytest.mark.parametrize("kind", ["padding (B,1,1,T)", "causal (T,T)", "per-head (B,H,T,T)"])
def test_mha_with_masks_matches_reference(MultiHeadAttention, ref, kind):
    reference, student = _pair(MultiHeadAttention, ref)
    x = randn(B, T, E, seed=33)
    if kind.startswith("padding"):
        mask = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], dtype=torch.bool)[:, None, None, :]
    elif kind.startswith("causal"):
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    else:
        mask = rand_mask(B, H, T, T, seed=34)
    out, weights = _both(student(x, mask=mask, return_attention=True))
    ref_out, ref_weights = reference(x, mask=mask, return_attention=True)
    check(bool((weights[~mask.expand_as(weights)] == 0).all()),
          f"with a {kind} mask, masked keys must get weight exactly 0 in every head.",
          "pass the mask on to the attention of every head (it broadcasts over the head dimension).")
    check_close(out, ref_out, f"MultiHeadAttention output with a {kind} mask")


def test_mha_weights_are_distributions_per_head(MultiHeadAttention, ref):
    _, student = _pair(MultiHeadAttention, ref)
    _, weights = _both(student(randn(B, T, E, seed=35), return_attention=True))
    sums = weights.sum(-1)
    check(torch.allclose(sums, torch.ones_like(sums), atol=1e-5),
          "every head's attention rows must sum to 1.", "softmax over the keys (the last dimension).")


def test_mha_equals_torch_multihead_attention(MultiHeadAttention):
    manual_seed(36)
    student = MultiHeadAttention(E, H).eval()
    params = dict(student.named_parameters())
    need = {f"{n}.{p}" for n in ("query", "key", "value", "fc_out") for p in ("weight", "bias")}
    if need - set(params):
        fail("MultiHeadAttention is missing " + ", ".join(sorted(need - set(params))) + ".")
    torch_mha = nn.MultiheadAttention(E, H, batch_first=True).eval()
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(torch.cat([params[f"{n}.weight"] for n in ("query", "key", "value")]))
        torch_mha.in_proj_bias.copy_(torch.cat([params[f"{n}.bias"] for n in ("query", "key", "value")]))
        torch_mha.out_proj.weight.copy_(params["fc_out.weight"])
        torch_mha.out_proj.bias.copy_(params["fc_out.bias"])
        x = randn(B, T, E, seed=37)
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        expected, expected_weights = torch_mha(x, x, x, attn_mask=~causal, average_attn_weights=False)
    out, weights = _both(student(x, mask=causal, return_attention=True))
    check_close(weights, expected_weights, "weights vs torch.nn.MultiheadAttention (same weights, causal mask)")
    check_close(out, expected, "output vs torch.nn.MultiheadAttention (same weights, causal mask)")


def test_mha_is_permutation_equivariant(MultiHeadAttention, ref):
    _, student = _pair(MultiHeadAttention, ref)
    x = randn(1, T, E, seed=38)
    perm = torch.tensor([2, 4, 0, 3, 1])
    check_close(student(x[:, perm]), student(x)[:, perm], "MultiHeadAttention on shuffled tokens vs shuffled output")


def test_mha_batch_items_do_not_mix(MultiHeadAttention, ref):
    _, student = _pair(MultiHeadAttention, ref)
    x = randn(3, T, E, seed=39)
    check_close(student(x)[2:3], student(x[2:3]), "batch item 2 alone vs inside a batch of 3",
                "split_heads/merge_heads must keep the batch dimension first.")


def test_mha_in_float64(MultiHeadAttention, ref):
    reference, student = _pair(MultiHeadAttention, ref)
    reference.double()
    student.double()
    x = randn(B, T, E, seed=40, dtype=torch.float64)
    check_close(student(x), reference(x), "MultiHeadAttention after .double()", rtol=1e-10, atol=1e-12)


def test_mha_valueerror_names_heads(MultiHeadAttention):
    expect_value_error(MultiHeadAttention, 12, 5, mentions="heads", what="MultiHeadAttention(12, heads=5)")


@pytest.mark.parametrize("embed_dim,heads", [(12, 3), (10, 5), (8, 8), (7, 1)])
def test_mha_head_dim_is_embed_dim_over_heads(MultiHeadAttention, embed_dim, heads):
    got = getattr(MultiHeadAttention(embed_dim, heads), "head_dim", None)
    check(got == embed_dim // heads,
          f"MultiHeadAttention({embed_dim}, {heads}).head_dim should be {embed_dim // heads}, got {got!r}.",
          "head_dim is the width of one head: embed_dim // heads.")


def test_mha_takes_the_mask_as_second_argument(MultiHeadAttention, ref):
    # The transformer block (step 04) calls attention(x, mask): positionally, without the weights.
    reference, student = _pair(MultiHeadAttention, ref)
    x = randn(B, T, E, seed=42)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)[:, None, None, :]
    hint = ("forward's arguments are (x, mask=None, return_attention=False), in this order (the transformer block "
            "calls attention(x, mask)), and the mask must be used whether or not the weights are returned.")
    try:
        out, pair = student(x, mask), student(x, mask, True)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the student's error is the finding
        fail(f"MultiHeadAttention(x, mask) raised {getattr(error, 'grader_type', type(error).__name__)}: {error}\n"
             f"Likely cause: {hint}")
    check_close(check_tensor(out, "MultiHeadAttention(x, mask)", hint), reference(x, mask=mask),
                "MultiHeadAttention(x, mask) without return_attention", hint)
    out_2, weights = _both(pair)
    ref_out, ref_weights = reference(x, mask=mask, return_attention=True)
    check_close(weights, ref_weights, "the weights of MultiHeadAttention(x, mask, True)", hint)
    check_close(out_2, ref_out, "the output of MultiHeadAttention(x, mask, True)", hint)
