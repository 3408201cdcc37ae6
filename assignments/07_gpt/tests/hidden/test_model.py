"""Hidden checks of `GPTBlock` and `MiniGPT` (step 07)."""
import pytest
import torch

from grader.testkit import assign_parameters, check, check_close, check_differs, manual_seed, paired, randint, randn, strict_devices

V, E, L, H, MAX = 13, 12, 2, 3, 16


def _pair(MiniGPT, ref, seed=0, **kwargs):
    args = dict(vocab_size=V, embed_dim=E, layers=L, heads=H, max_len=MAX, **kwargs)
    return paired(lambda: ref.MiniGPT(**args), lambda: MiniGPT(**args), f"MiniGPT({args})", seed)


def test_block_matches_reference(GPTBlock, ref):
    reference, student = paired(lambda: ref.GPTBlock(E, H, MAX), lambda: GPTBlock(E, H, MAX), f"GPTBlock({E}, {H}, {MAX})")
    x = randn(2, 7, E, seed=351)
    check_close(student(x), reference(x), "GPTBlock output",
                "post-LN: x = norm1(x + attn(x)); out = norm2(x + ffn(x)).")


def test_model_matches_reference(MiniGPT, ref):
    reference, student = _pair(MiniGPT, ref)
    ids = randint(V, (3, 9), seed=352)
    check_close(student(ids), reference(ids), "MiniGPT logits", "no final LayerNorm and no weight tying in this model.")


def test_default_model_matches_reference(MiniGPT, ref):
    reference, student = paired(lambda: ref.MiniGPT(V), lambda: MiniGPT(V), f"MiniGPT({V})", seed=1)
    ids = randint(V, (2, 5), seed=353)
    check_close(student(ids), reference(ids), f"MiniGPT({V}) with the default sizes")


@pytest.mark.parametrize("t,k", [(0, 1), (2, 3), (5, 1)])
def test_changing_token_t_plus_k_leaves_positions_up_to_t_unchanged(MiniGPT, ref, t, k):
    _, student = _pair(MiniGPT, ref, seed=2)
    ids = randint(V, (1, 8), seed=354)
    changed = ids.clone()
    changed[0, t + k] = (ids[0, t + k] + 3) % V
    check_close(student(changed)[:, : t + 1], student(ids)[:, : t + 1],
                f"logits at positions 0..{t} after changing token {t + k}", "every block must use causal attention.")
    check_differs(student(changed)[:, t + k], student(ids)[:, t + k], f"changing token {t + k} did not change its own logits.")


def test_model_in_float64(MiniGPT, ref):
    reference, student = _pair(MiniGPT, ref, seed=3)
    reference.double()
    student.double()
    ids = randint(V, (2, 6), seed=355)
    check_close(student(ids), reference(ids), "MiniGPT after .double()", rtol=1e-9, atol=1e-10)


def test_model_on_another_device(MiniGPT):
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX).to("meta")
    with strict_devices():
        out = model(torch.zeros(2, 5, dtype=torch.long, device="meta"))
    check(out.device.type == "meta", f"MiniGPT's logits should be on the input's device (meta), got {out.device}.")


def test_dropout_reaches_the_blocks(MiniGPT):
    manual_seed(0)
    ids = randint(V, (2, 6), seed=356)
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX, dropout=0.5)
    trained = model.train()(ids)
    check_differs(trained, model.eval()(ids), "MiniGPT(dropout=0.5) gives the same logits in train and eval mode.",
                  "pass dropout on to every GPTBlock, and apply it there.")


def test_eval_mode_switches_dropout_off(MiniGPT, GPTBlock, ref):
    reference, student = paired(lambda: ref.GPTBlock(E, H, MAX, dropout=0.5), lambda: GPTBlock(E, H, MAX, dropout=0.5),
                                f"GPTBlock({E}, {H}, {MAX}, dropout=0.5)", seed=6)
    x = randn(2, 7, E, seed=359)
    check_close(student(x), reference(x), "GPTBlock(dropout=0.5) in eval mode",
                "in eval mode dropout must do nothing: use the nn.Dropout modules (F.dropout needs training=self.training).")
    reference, student = _pair(MiniGPT, ref, seed=7, dropout=0.5)
    ids = randint(V, (2, 7), seed=360)
    check_close(student(ids), reference(ids), "MiniGPT(dropout=0.5) logits in eval mode",
                "in eval mode dropout must do nothing: use the nn.Dropout modules (F.dropout needs training=self.training).")


def test_no_dropout_when_dropout_is_0(MiniGPT, GPTBlock):
    manual_seed(0)
    block = GPTBlock(E, H, MAX)
    x = randn(2, 7, E, seed=361)
    trained = block.train()(x)
    check_close(trained, block.eval()(x), "GPTBlock (default dropout=0.0) in train vs eval mode",
                "use the `dropout` argument for every dropout layer; do not hard-code a rate.")
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX, dropout=0.0)
    ids = randint(V, (2, 7), seed=362)
    trained = model.train()(ids)
    check_close(trained, model.eval()(ids), "MiniGPT(dropout=0.0) logits in train vs eval mode",
                "the course's MiniGPT drops only where `dropout` says (no extra embedding dropout of a fixed rate).")


def test_model_keeps_max_len(MiniGPT):
    for max_len in (MAX, 100):
        model = MiniGPT(V, embed_dim=E, layers=1, heads=H, max_len=max_len)
        check(getattr(model, "max_len", None) == max_len, f"MiniGPT(..., max_len={max_len}).max_len should be {max_len}, "
              f"got {getattr(model, 'max_len', 'no such attribute')}.", "store max_len on the model: generate() crops with it.")


def test_context_longer_than_100_tokens(MiniGPT, GPTBlock, ref):
    reference, student = paired(lambda: ref.GPTBlock(E, H, 130), lambda: GPTBlock(E, H, 130), f"GPTBlock({E}, {H}, 130)", seed=4)
    x = randn(1, 130, E, seed=357)
    check_close(student(x), reference(x), "GPTBlock(..., max_len=130) on 130 tokens",
                "pass max_len on to the attention: its causal mask needs max_len rows (not the default 100).")
    args = dict(vocab_size=V, embed_dim=E, layers=1, heads=H, max_len=110)
    reference, student = paired(lambda: ref.MiniGPT(**args), lambda: MiniGPT(**args), f"MiniGPT({args})", seed=5)
    ids = randint(V, (1, 110), seed=358)
    check_close(student(ids), reference(ids), "MiniGPT(..., max_len=110) on 110 tokens", "pass max_len on to every block.")


def test_block_applies_its_own_dropout(GPTBlock):
    # Silence the attention (value and fc_out weights zeroed): its own dropout can then change
    # nothing, so train and eval differ only if the block applies dropout to the ffn output.
    manual_seed(0)
    block = GPTBlock(12, 3, 16, dropout=0.5)
    values = {name: p.detach().clone() for name, p in block.named_parameters()}
    silenced = [name for name in values if name.startswith(("attn.value.", "attn.fc_out."))]
    check({"attn.value.weight", "attn.fc_out.weight"} <= set(silenced),
          f"GPTBlock has no parameters attn.value.weight and attn.fc_out.weight (it has: {', '.join(sorted(values))}).",
          "name the layers as in the lesson: self.attn, a CausalSelfAttention with value and fc_out inside.")
    for name in silenced:
        values[name].zero_()
    assign_parameters(block, values)
    x = randn(2, 6, 12, seed=358)
    trained = block.train()(x)
    check_differs(trained, block.eval()(x), "with dropout=0.5, GPTBlock gives the same output in train and eval mode.",
                  "the seed created self.dropout and never used it: apply it to the attention and ffn outputs.")
