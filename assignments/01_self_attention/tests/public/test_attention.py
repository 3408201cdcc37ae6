"""Public checks of `scaled_dot_product_attention` (step 01)."""
import torch

from grader.golden import golden_case
from grader.testkit import check, check_close, check_shape, fail, randn, watch

# Queries and keys of different lengths, values of a different width: every size distinct.
B, TQ, TK, D, DV = 2, 3, 5, 4, 6


def _qkv(seed):
    return randn(B, TQ, D, seed=seed), randn(B, TK, D, seed=seed + 1), randn(B, TK, DV, seed=seed + 2)


def _causal_like_mask():
    return torch.tril(torch.ones(TQ, TK, dtype=torch.bool), diagonal=1)  # (TQ, TK), every row allows a key


@golden_case
def attention_unmasked(scaled_dot_product_attention):
    return scaled_dot_product_attention(*_qkv(31))


@golden_case
def attention_masked(scaled_dot_product_attention):
    return scaled_dot_product_attention(*_qkv(34), mask=_causal_like_mask())


def _call(sdpa, *args, **kwargs):
    result = sdpa(*args, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"scaled_dot_product_attention must return a pair (out, weights); got {type(result).__name__}.")
    return result


def test_attention_returns_out_and_weights_of_the_right_shapes(scaled_dot_product_attention):
    out, weights = _call(scaled_dot_product_attention, *_qkv(1))
    check_shape(weights, (B, TQ, TK), "attention weights for q (2, 3, 4), k (2, 5, 4)",
                "the weights are q @ kᵀ: transpose the last two dims of k.")
    check_shape(out, (B, TQ, DV), "attention output for v (2, 5, 6)", "the output is weights @ v.")


def test_attention_weights_rows_sum_to_one(scaled_dot_product_attention):
    _, weights = _call(scaled_dot_product_attention, *_qkv(4))
    sums = weights.sum(-1)
    b, row = divmod(int((sums - 1).abs().argmax()), TQ)
    check(torch.allclose(sums, torch.ones_like(sums), atol=1e-5),
          f"every row of the attention weights must sum to 1; row {row} of batch {b} sums to {sums[b, row].item():.4f}.",
          "softmax over the wrong dimension: normalise over the keys (the last dim).")


def test_attention_matches_expected_values(scaled_dot_product_attention, golden):
    golden.check(attention_unmasked, scaled_dot_product_attention, what="(out, weights)",
                 hint="check the scale: divide the scores by sqrt(d), d = the last dim of q.")


def test_masked_keys_get_zero_weight(scaled_dot_product_attention):
    mask = _causal_like_mask()
    _, weights = _call(scaled_dot_product_attention, *_qkv(7), mask=mask)
    leaked = weights[:, ~mask]
    check(bool((leaked == 0).all()),
          f"keys where the mask is False must get weight exactly 0; the largest such weight is {leaked.abs().max().item():.4g}.",
          "the mask means True = may attend: fill the scores where the mask is False with -inf before the softmax.")


def test_masked_attention_matches_expected_values(scaled_dot_product_attention, golden):
    golden.check(attention_masked, scaled_dot_product_attention, what="(out, weights) with a mask")


def test_masked_keys_get_zero_weight_next_to_huge_scores(scaled_dot_product_attention):
    # Allowed keys score -12000 and -12001, the masked key +4000 (d = 4: scores = 50 * sum(k)).
    q = torch.full((1, 1, 4), 100.0)
    k = torch.tensor([[[-60.0, -60.0, -60.0, -60.0], [-60.0, -60.0, -60.0, -60.02], [20.0, 20.0, 20.0, 20.0]]])
    mask = torch.tensor([True, True, False])
    _, weights = _call(scaled_dot_product_attention, q, k, randn(1, 3, 2, seed=8), mask=mask)
    finite = bool(torch.isfinite(weights).all())
    check(finite and weights[0, 0, 2].item() == 0,
          f"with allowed scores around -12000 and a masked score of +4000, the weights are "
          f"{weights.flatten().tolist()}; the masked key must get exactly 0.",
          "fill masked scores with -inf (or torch.finfo(dtype).min): -1e4 is larger than these real scores." if finite
          else "nan weights: exp(-12000) is 0 for every allowed key, and 0 / 0 is nan. Your softmax must subtract "
               "the row's maximum before exponentiating, and masked scores must be -inf (or torch.finfo(dtype).min).")
    check_close(weights[0, 0, :2].sum(), torch.tensor(1.0), "the sum of the two allowed keys' weights",
                rtol=1e-3, atol=1e-4)


def test_attention_works_with_heads_and_without_a_batch(scaled_dot_product_attention):
    # Multi-head attention (step 02) passes (B, H, T, d) tensors: every (batch, head) slice must get
    # what it gets on its own as (B, T, d), and a single (T, d) sentence must work too.
    H = 3
    q, k, v = randn(B, H, TQ, D, seed=9), randn(B, H, TK, D, seed=10), randn(B, H, TK, DV, seed=11)
    hint = ("use only the last two dims: k.transpose(-2, -1) (not transpose(1, 2) or .T) and "
            "d = q.size(-1) (not q.shape[2]), so that any leading dims are carried along.")
    out, weights = _call(scaled_dot_product_attention, q, k, v)
    check_shape(weights, (B, H, TQ, TK), "attention weights for q (2, 3, 3, 4), k (2, 3, 5, 4)", hint)
    check_shape(out, (B, H, TQ, DV), "attention output for v (2, 3, 5, 6)", hint)
    for h in range(H):
        out_h, weights_h = _call(scaled_dot_product_attention, q[:, h], k[:, h], v[:, h])
        check_close(weights[:, h], weights_h, f"weights of head {h} of a (B, H, T, d) input vs the same (B, T, d) input alone",
                    hint)
        check_close(out[:, h], out_h, f"output of head {h} of a (B, H, T, d) input vs the same (B, T, d) input alone", hint)
    out_2d, weights_2d = _call(scaled_dot_product_attention, q[1, 2], k[1, 2], v[1, 2])
    check_close(weights_2d, weights[1, 2], "weights for one (T, d) sentence without a batch dim", hint)
    check_close(out_2d, out[1, 2], "output for one (T, d) sentence without a batch dim", hint)


def test_attention_does_not_change_its_inputs(scaled_dot_product_attention):
    q, k, v = (watch(t) for t in _qkv(12))
    copies = [t.clone() for t in (q, k, v)]
    _call(scaled_dot_product_attention, q, k, v, mask=_causal_like_mask())
    check(all(torch.equal(a, b) for a, b in zip((q, k, v), copies)),
          "scaled_dot_product_attention changed q, k or v in place; compute new tensors instead.",
          "an in-place operation such as q /= math.sqrt(d), q.div_(...) or k.transpose_(...).")
