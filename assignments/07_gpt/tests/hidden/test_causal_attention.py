"""Hidden checks of `CausalSelfAttention` (step 07)."""
import pytest
import torch

from grader.testkit import check, check_close, check_differs, fail, manual_seed, paired, randn, strict_devices

B, T, E, H, MAX = 2, 6, 12, 3, 16


def _pair(CausalSelfAttention, ref, seed=0, heads=H):
    return paired(lambda: ref.CausalSelfAttention(E, heads, MAX), lambda: CausalSelfAttention(E, heads, MAX),
                  f"CausalSelfAttention({E}, {heads}, {MAX})", seed)


@pytest.mark.parametrize("heads", [1, 3])
def test_causal_attention_matches_reference(CausalSelfAttention, ref, heads):
    reference, student = _pair(CausalSelfAttention, ref, heads=heads)
    x = randn(B, T, E, seed=331)
    result = student(x, return_attention=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"CausalSelfAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    ref_out, ref_weights = reference(x, return_attention=True)
    check_close(result[1], ref_weights, f"causal attention weights with {heads} head(s)",
                "scores / sqrt(head_dim), masked with the lower triangle, softmax over the keys.")
    check_close(result[0], ref_out, f"CausalSelfAttention output with {heads} head(s)")
    check_close(student(x), ref_out, "CausalSelfAttention(x) with return_attention=False")


@pytest.mark.parametrize("t", [0, 2, 4])
def test_changing_a_later_token_never_changes_earlier_outputs(CausalSelfAttention, ref, t):
    _, student = _pair(CausalSelfAttention, ref, seed=1)
    x = randn(1, T, E, seed=332)
    changed = x.clone()
    changed[:, t + 1] += randn(E, seed=333) * 3
    check_close(student(changed)[:, : t + 1], student(x)[:, : t + 1], f"outputs at positions 0..{t} after changing token {t + 1}")
    check_differs(student(changed)[:, t + 1], student(x)[:, t + 1], f"changing token {t + 1} did not change its own output.")


def test_short_sequences_use_the_top_left_of_the_mask(CausalSelfAttention, ref):
    reference, student = _pair(CausalSelfAttention, ref, seed=2)
    for length in (1, 3, MAX):
        x = randn(2, length, E, seed=334 + length)
        check_close(student(x), reference(x), f"CausalSelfAttention on {length} tokens (max_len={MAX})",
                    "cut the (max_len, max_len) mask to [:T, :T].")


def test_mask_follows_the_module(CausalSelfAttention):
    attention = CausalSelfAttention(E, H, MAX).to("meta")
    with strict_devices():
        out = attention(torch.zeros(1, 4, E, device="meta"))
    check(out.device.type == "meta", f"after .to('meta') the output should be on meta, got {out.device}.",
          "register the causal mask with self.register_buffer so .to(device) moves it.")


def test_dropout_on_attention(CausalSelfAttention, ref):
    manual_seed(0)
    attention = CausalSelfAttention(E, H, MAX, dropout=0.5)
    x = randn(B, T, E, seed=335)
    trained = attention.train()(x)
    check_differs(trained, attention.eval()(x), "CausalSelfAttention(dropout=0.5) gives the same output in train and eval mode.")
    attention = CausalSelfAttention(E, H, MAX)
    trained = attention.train()(x)
    check_close(trained, attention.eval()(x), "CausalSelfAttention (default dropout=0.0) in train vs eval mode")
    reference, student = paired(lambda: ref.CausalSelfAttention(E, H, MAX, dropout=0.5),
                                lambda: CausalSelfAttention(E, H, MAX, dropout=0.5), f"CausalSelfAttention({E}, {H}, {MAX}, dropout=0.5)", 3)
    check_close(student(x), reference(x), "CausalSelfAttention(dropout=0.5) in eval mode",
                "in eval mode dropout must do nothing: use nn.Dropout (F.dropout needs training=self.training).")
