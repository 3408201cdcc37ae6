"""Hidden checks of `scaled_dot_product_attention` (step 01)."""
import math

import pytest
import torch

from grader.testkit import check, check_close, fail, rand_mask, randn, watch


def _pair(result, what):
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"{what} must return a pair (out, weights); got {type(result).__name__}.")
    return result


def _compare(student, reference, args, kwargs, what, **tol):
    out, weights = _pair(student(*args, **kwargs), what)
    ref_out, ref_weights = reference(*args, **kwargs)
    check_close(weights, ref_weights, f"{what}: weights", **tol)
    check_close(out, ref_out, f"{what}: output", **tol)


@pytest.mark.parametrize("lead", [(), (2,), (2, 3)], ids=["no-batch", "batch", "batch-and-heads"])
def test_attention_matches_reference_with_any_leading_dims(scaled_dot_product_attention, ref, lead):
    q, k, v = randn(*lead, 5, 4, seed=41), randn(*lead, 7, 4, seed=42), randn(*lead, 7, 6, seed=43)
    _compare(scaled_dot_product_attention, ref.scaled_dot_product_attention, (q, k, v), {},
             f"attention with leading dims {lead}")


def test_attention_scales_by_the_query_width(scaled_dot_product_attention):
    # d = 9 for q and k, 2 for v: only the scale 1/sqrt(9) gives these weights.
    q, k, v = randn(1, 3, 9, seed=44), randn(1, 4, 9, seed=45), randn(1, 4, 2, seed=46)
    _, weights = _pair(scaled_dot_product_attention(q, k, v), "scaled_dot_product_attention")
    expected = torch.softmax((q.double() @ k.double().transpose(-2, -1)) / math.sqrt(9), dim=-1).float()
    check_close(weights, expected, "attention weights for d = 9",
                hint="scale the scores by 1/sqrt(d) with d = q.size(-1) (not the value width, not the sequence length).")


@pytest.mark.parametrize("mask_shape", [(5, 7), (2, 1, 7), (2, 5, 7)], ids=["(Tq,Tk)", "(B,1,Tk)", "(B,Tq,Tk)"])
def test_attention_mask_broadcasts_and_matches_reference(scaled_dot_product_attention, ref, mask_shape):
    q, k, v = randn(2, 5, 4, seed=47), randn(2, 7, 4, seed=48), randn(2, 7, 3, seed=49)
    mask = rand_mask(*mask_shape, seed=50)
    _compare(scaled_dot_product_attention, ref.scaled_dot_product_attention, (q, k, v), {"mask": mask},
             f"attention with a mask of shape {mask_shape}",
             hint="True in the mask means the key may be attended to (PyTorch's convention).")


def test_masked_keys_get_exactly_zero_weight(scaled_dot_product_attention):
    q, k, v = randn(3, 4, 5, seed=51), randn(3, 6, 5, seed=52), randn(3, 6, 5, seed=53)
    mask = rand_mask(3, 4, 6, seed=54)
    _, weights = _pair(scaled_dot_product_attention(q, k, v, mask=mask), "scaled_dot_product_attention")
    leaked = weights[~mask]
    check(bool((leaked == 0).all()),
          f"masked keys must get weight exactly 0; the largest is {leaked.abs().max().item():.3g}.",
          "fill the masked scores with -inf (or torch.finfo(dtype).min) before the softmax; filling with 0 or -30, "
          "or multiplying the scores by the mask, leaves masked keys a small weight.")


def test_masked_keys_get_zero_weight_next_to_huge_scores(scaled_dot_product_attention):
    # d = 4, so the scores are 50 * sum(k): about -12000 for the two allowed keys, +4000 and
    # -4000 for the masked ones. A fill value such as -1e4 (instead of -inf) is then *larger*
    # than every allowed score and hands the masked keys all the weight.
    q = torch.full((1, 1, 4), 100.0)
    k = torch.tensor([[[-60.0, -60.0, -60.0, -60.0], [-60.0, -60.0, -60.0, -60.02], [20.0] * 4, [-20.0] * 4]])
    v = randn(1, 4, 3, seed=75)
    mask = torch.tensor([True, True, False, False])  # (T_k,): broadcasts over the query
    out, weights = _pair(scaled_dot_product_attention(q, k, v, mask=mask), "scaled_dot_product_attention")
    check(bool((weights[..., ~mask] == 0).all()),
          f"with allowed scores around -12000 and masked ones around ±4000, the masked keys got weight "
          f"{weights[..., ~mask].flatten().tolist()}; they must get exactly 0.",
          "fill masked scores with -inf (or torch.finfo(dtype).min), not a modest number such as -1e4: "
          "real scores can be lower than that.")
    scores = (q.double() @ k.double().transpose(-2, -1)) / 2
    expected = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    check_close(weights, expected.float(), "attention weights next to huge scores", rtol=1e-3, atol=1e-4)
    check_close(out, (expected @ v.double()).float(), "attention output next to huge scores", rtol=1e-3, atol=1e-4)


def test_all_true_mask_changes_nothing(scaled_dot_product_attention):
    q, k, v = randn(2, 3, 4, seed=55), randn(2, 5, 4, seed=56), randn(2, 5, 4, seed=57)
    out, weights = _pair(scaled_dot_product_attention(q, k, v), "attention without a mask")
    out_m, weights_m = _pair(scaled_dot_product_attention(q, k, v, mask=torch.ones(3, 5, dtype=torch.bool)),
                             "attention with an all-True mask")
    check_close(weights_m, weights, "weights with an all-True mask vs no mask",
                hint="True means *may attend*; an all-True mask must not hide anything.")
    check_close(out_m, out, "output with an all-True mask vs no mask")


def test_attention_stays_finite_for_huge_scores(scaled_dot_product_attention, ref):
    q = randn(2, 4, 8, seed=58) * 300
    k = randn(2, 4, 8, seed=59) * 300
    v = randn(2, 4, 8, seed=60)
    out, weights = _pair(scaled_dot_product_attention(q, k, v), "scaled_dot_product_attention")
    check(bool(torch.isfinite(weights).all() and torch.isfinite(out).all()),
          "attention on scores around ±1e4 gave nan or inf.", "softmax must subtract the row maximum first.")
    _compare(scaled_dot_product_attention, ref.scaled_dot_product_attention, (q, k, v), {}, "attention on huge scores",
             rtol=1e-3, atol=1e-4)


def test_output_is_weights_times_values(scaled_dot_product_attention):
    q, k, v = randn(2, 3, 4, seed=61), randn(2, 6, 4, seed=62), randn(2, 6, 5, seed=63)
    out, weights = _pair(scaled_dot_product_attention(q, k, v), "scaled_dot_product_attention")
    check_close(out, weights @ v, "output compared with weights @ v",
                hint="the output must mix the *values* with the weights you return.")


def test_attention_in_float64(scaled_dot_product_attention, ref):
    args = tuple(randn(2, 3, 4, seed=s, dtype=torch.float64) for s in (64, 65, 66))
    _compare(scaled_dot_product_attention, ref.scaled_dot_product_attention, args, {}, "float64 attention",
             rtol=1e-10, atol=1e-12)


def test_attention_does_not_change_its_inputs(scaled_dot_product_attention):
    q, k, v = (watch(randn(2, 3, 4, seed=s)) for s in (67, 68, 69))
    copies = [t.clone() for t in (q, k, v)]
    scaled_dot_product_attention(q, k, v, mask=rand_mask(2, 3, 3, seed=70))
    check(all(torch.equal(a, b) for a, b in zip((q, k, v), copies)),
          "scaled_dot_product_attention changed q, k or v in place.", "an in-place op such as k.transpose_ or q /= ...")
