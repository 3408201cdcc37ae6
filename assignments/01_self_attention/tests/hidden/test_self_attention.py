"""Hidden checks of `SelfAttention` (step 01)."""
import torch
import torch.nn as nn

from grader.testkit import check, check_close, check_tensor, fail, manual_seed, paired, rand_mask, randn

B, T, E = 2, 5, 12


def _pair(SelfAttention, ref, embed_dim=E):
    return paired(lambda: ref.SelfAttention(embed_dim), lambda: SelfAttention(embed_dim), f"SelfAttention({embed_dim})")


def _both(result, what):
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"{what} with return_attention=True must return (out, weights); got {type(result).__name__}.")
    return result


def test_self_attention_matches_reference(SelfAttention, ref):
    reference, student = _pair(SelfAttention, ref)
    x = randn(B, T, E, seed=81)
    out, weights = _both(student(x, return_attention=True), "SelfAttention")
    ref_out, ref_weights = reference(x, return_attention=True)
    check_close(weights, ref_weights, "SelfAttention weights (B=2, T=5, E=12)",
                hint="scores are query(x) @ key(x)ᵀ / sqrt(embed_dim).")
    check_close(out, ref_out, "SelfAttention output (B=2, T=5, E=12)")


def test_self_attention_returns_a_tensor_by_default(SelfAttention, ref):
    reference, student = _pair(SelfAttention, ref)
    x = randn(B, T, E, seed=82)
    out = check_tensor(student(x), "SelfAttention(x)")
    check_close(out, reference(x), "SelfAttention(x) with return_attention=False")


def test_self_attention_passes_the_mask_on(SelfAttention, ref):
    reference, student = _pair(SelfAttention, ref)
    x, mask = randn(B, T, E, seed=83), rand_mask(B, T, T, seed=84)
    out, weights = _both(student(x, mask=mask, return_attention=True), "SelfAttention")
    ref_out, ref_weights = reference(x, mask=mask, return_attention=True)
    check(bool((weights[~mask] == 0).all()), "SelfAttention ignored its mask: masked keys got non-zero weight.",
          "pass `mask` on to scaled_dot_product_attention.")
    check_close(out, ref_out, "SelfAttention output with a mask")


def test_self_attention_is_permutation_equivariant(SelfAttention, ref):
    _, student = _pair(SelfAttention, ref)
    x = randn(1, T, E, seed=85)
    perm = torch.tensor([3, 0, 4, 1, 2])
    check_close(student(x[:, perm]), student(x)[:, perm], "SelfAttention on shuffled tokens vs shuffled output",
                hint="attention without positions treats the sentence as a set: shuffling the words must only shuffle the outputs.")


def test_batch_items_do_not_mix(SelfAttention, ref):
    _, student = _pair(SelfAttention, ref)
    x = randn(3, T, E, seed=86)
    check_close(student(x)[1:2], student(x[1:2]), "output of batch item 1 alone vs inside a batch of 3",
                hint="attention must run within each sentence: check which dims you transpose and sum over.")


def test_self_attention_in_float64(SelfAttention, ref):
    reference, student = _pair(SelfAttention, ref)
    reference.double()
    student.double()
    x = randn(B, T, E, seed=87, dtype=torch.float64)
    # E = 12: sqrt(12) is not exact in float32, and a scale written the tutorials' way,
    # torch.sqrt(torch.tensor(d, dtype=torch.float32)), is correct but only float32-exact
    # (~5e-9 off here). The tolerance allows that and still needs a float64 result.
    check_close(student(x), reference(x), "SelfAttention after .double()", rtol=1e-6, atol=1e-7,
                hint="after .double() the layers are float64: the output must be float64 too, computed from those weights.")


def test_self_attention_equals_torch_multihead_attention_with_one_head(SelfAttention):
    manual_seed(88)
    student = SelfAttention(E).eval()
    params = dict(student.named_parameters())
    missing = {f"{n}.{p}" for n in ("query", "key", "value") for p in ("weight", "bias")} - set(params)
    if missing:
        fail("SelfAttention is missing parameters " + ", ".join(sorted(missing)) + "; use nn.Linear(E, E) layers named query, key, value.")
    torch_mha = nn.MultiheadAttention(E, 1, batch_first=True).eval()
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(torch.cat([params[f"{n}.weight"] for n in ("query", "key", "value")]))
        torch_mha.in_proj_bias.copy_(torch.cat([params[f"{n}.bias"] for n in ("query", "key", "value")]))
        torch_mha.out_proj.weight.copy_(torch.eye(E))
        torch_mha.out_proj.bias.zero_()
        x = randn(B, T, E, seed=89)
        expected, _ = torch_mha(x, x, x, need_weights=False)
    check_close(student(x), expected, "SelfAttention vs torch.nn.MultiheadAttention(E, 1) with the same weights")


def test_self_attention_takes_the_mask_as_second_argument(SelfAttention, ref):
    reference, student = _pair(SelfAttention, ref)
    x, mask = randn(B, T, E, seed=90), rand_mask(B, T, T, seed=91)
    hint = ("forward's arguments are (x, mask=None, return_attention=False), in this order (the next steps "
            "call attention(x, mask)), and the mask must be used whether or not the weights are returned.")
    try:
        out, pair = student(x, mask), student(x, mask, True)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the student's error is the finding
        fail(f"SelfAttention(x, mask) raised {getattr(error, 'grader_type', type(error).__name__)}: {error}\n"
             f"Likely cause: {hint}")
    check_close(check_tensor(out, "SelfAttention(x, mask)", hint), reference(x, mask=mask),
                "SelfAttention(x, mask) without return_attention", hint)
    out_2, weights = _both(pair, "SelfAttention(x, mask, True)")
    ref_out, ref_weights = reference(x, mask=mask, return_attention=True)
    check_close(weights, ref_weights, "the weights of SelfAttention(x, mask, True)", hint)
    check_close(out_2, ref_out, "the output of SelfAttention(x, mask, True)", hint)
