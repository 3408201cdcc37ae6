"""Public checks of `CausalSelfAttention` (step 07)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check, check_close, check_differs, check_parameters, fail, randn, seed_parameters, strict_devices

B, T, E, H, MAX = 2, 5, 8, 2, 10


def _seeded(CausalSelfAttention, seed=2):
    attention = CausalSelfAttention(E, heads=H, max_len=MAX)
    seed_parameters(attention, contract.multi_head_attention(E), seed, f"CausalSelfAttention({E}, heads={H})")
    return attention.eval()


@golden_case
def causal_attention_output(CausalSelfAttention):
    return _seeded(CausalSelfAttention)(randn(B, T, E, seed=321), return_attention=True)


def test_causal_attention_has_the_course_parameters(CausalSelfAttention):
    check_parameters(CausalSelfAttention(E, heads=H, max_len=MAX), contract.multi_head_attention(E),
                     f"CausalSelfAttention({E}, heads={H}, max_len={MAX})")


def test_no_weight_on_future_tokens(CausalSelfAttention):
    result = _seeded(CausalSelfAttention)(randn(B, T, E, seed=322), return_attention=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"CausalSelfAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    weights = result[1]
    check(tuple(weights.shape) == (B, H, T, T), f"attention weights should be (B, H, T, T) = {(B, H, T, T)}, got {tuple(weights.shape)}.")
    future = ~torch.tril(torch.ones(T, T, dtype=torch.bool))
    check(bool((weights[..., future] == 0).all()),
          f"position t must give weight exactly 0 to every later position; the largest such weight is "
          f"{weights[..., future].abs().max().item():.3g}.", "mask with the lower-triangular buffer cut to (T, T).")


def test_causal_attention_matches_expected_values(CausalSelfAttention, golden):
    golden.check(causal_attention_output, CausalSelfAttention, what="CausalSelfAttention (out, weights)")


def test_future_tokens_do_not_change_the_past(CausalSelfAttention):
    attention = _seeded(CausalSelfAttention)
    x = randn(1, T, E, seed=323)
    changed = x.clone()
    changed[:, 3:] = randn(1, T - 3, E, seed=324)
    check_close(attention(changed)[:, :3], attention(x)[:, :3], "outputs at positions 0..2 after changing positions 3..4",
                "GPT must not see the future: apply the causal mask.")


def test_mask_follows_the_module(CausalSelfAttention):
    attention = CausalSelfAttention(E, heads=H, max_len=MAX).to("meta")
    with strict_devices():
        out = attention(torch.zeros(1, 4, E, device="meta"))
    check(out.device.type == "meta", f"after .to('meta') the output should be on meta, got {out.device}.",
          "create the causal mask once in __init__ and register it with self.register_buffer, so .to(device) moves it.")


def test_dropout_on_the_attention_weights(CausalSelfAttention):
    x = randn(B, T, E, seed=325)
    attention = CausalSelfAttention(E, heads=H, max_len=MAX, dropout=0.5)
    trained = attention.train()(x)
    check_differs(trained, attention.eval()(x), "CausalSelfAttention(dropout=0.5) gives the same output in train and eval mode.",
                  "pass `dropout` on to MultiHeadAttention (it drops attention weights while training).")
    check_close(attention(x), attention(x), "CausalSelfAttention(dropout=0.5) output computed twice in eval mode",
                "in eval mode dropout must do nothing: use nn.Dropout (F.dropout needs training=self.training).")
