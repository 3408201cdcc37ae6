"""Public checks of `GPTBlock` and `MiniGPT` (step 07)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import assign_parameters, check, check_close, check_differs, check_parameters, check_shape, manual_seed, randint, randn, seed_parameters

V, E, L, H, MAX = 9, 8, 2, 2, 12


def _seeded(MiniGPT, seed=4):
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX)
    seed_parameters(model, contract.mini_gpt(V, E, L, MAX), seed, f"MiniGPT({V}, embed_dim={E}, layers={L})")
    return model.eval()


@golden_case
def gpt_logits(MiniGPT):
    return _seeded(MiniGPT)(randint(V, (2, 6), seed=341))


def test_block_has_the_course_parameters(GPTBlock):
    check_parameters(GPTBlock(E, heads=H, max_len=MAX), contract.gpt_block(E), f"GPTBlock({E}, heads={H})")


def test_model_has_the_course_parameters(MiniGPT):
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX)
    check_parameters(model, contract.mini_gpt(V, E, L, MAX), f"MiniGPT({V}, embed_dim={E}, layers={L}, max_len={MAX})")
    check(getattr(model, "max_len", None) == MAX, f"MiniGPT(..., max_len={MAX}).max_len should be {MAX}.",
          "store max_len on the model: generate() uses it to crop the context.")


def test_live_demo_shape(MiniGPT):
    vocab = {"i": 0, "love": 1, "ai": 2, "and": 3, "data": 4}
    input_ids = torch.tensor([[vocab[w] for w in ["i", "love", "ai"]]])
    check_shape(MiniGPT(vocab_size=len(vocab))(input_ids), (1, 3, 5), "the live demo: MiniGPT(5) on 'i love ai'")


def test_logits_match_expected_values(MiniGPT, golden):
    golden.check(gpt_logits, MiniGPT, what="MiniGPT logits", hint="embedding -> every block -> fc_out (no final LayerNorm).")


def test_model_never_looks_ahead(MiniGPT):
    model = _seeded(MiniGPT)
    ids = randint(V, (1, 6), seed=342)
    changed = ids.clone()
    changed[0, 4] = (ids[0, 4] + 1) % V
    check_close(model(changed)[:, :4], model(ids)[:, :4], "logits at positions 0..3 after changing token 4",
                "every block's attention must be causal.")


def test_context_longer_than_100_tokens(MiniGPT):
    model = MiniGPT(V, embed_dim=E, layers=1, heads=H, max_len=128).eval()
    check_shape(model(randint(V, (1, 120), seed=343)), (1, 120, V), "MiniGPT(..., max_len=128) on 120 tokens",
                "pass max_len on to every block and its attention, so the causal mask has max_len rows (not the default 100).")


def test_dropout_reaches_the_blocks(MiniGPT):
    ids = randint(V, (2, 6), seed=344)
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX, dropout=0.5)
    trained = model.train()(ids)
    check_differs(trained, model.eval()(ids), "MiniGPT(dropout=0.5) gives the same logits in train and eval mode.",
                  "pass `dropout` on to every GPTBlock, and apply it there.")
    check_close(model(ids), model(ids), "MiniGPT(dropout=0.5) logits computed twice in eval mode",
                "in eval mode dropout must do nothing: use the nn.Dropout modules (F.dropout needs training=self.training).")
    model = MiniGPT(V, embed_dim=E, layers=L, heads=H, max_len=MAX, dropout=0.0)
    trained = model.train()(ids)
    check_close(trained, model.eval()(ids), "MiniGPT(dropout=0.0) logits in train vs eval mode",
                "use the `dropout` argument for every dropout layer; do not hard-code a rate.")


def test_block_applies_its_own_dropout(GPTBlock):
    # Silence the attention (value and fc_out weights zeroed): its own dropout can then change
    # nothing, so train and eval differ only if the block applies dropout to the ffn output.
    manual_seed(0)
    block = GPTBlock(8, 2, 12, dropout=0.5)
    values = {name: p.detach().clone() for name, p in block.named_parameters()}
    silenced = [name for name in values if name.startswith(("attn.value.", "attn.fc_out."))]
    check({"attn.value.weight", "attn.fc_out.weight"} <= set(silenced),
          f"GPTBlock has no parameters attn.value.weight and attn.fc_out.weight (it has: {', '.join(sorted(values))}).",
          "name the layers as in the lesson: self.attn, a CausalSelfAttention with value and fc_out inside.")
    for name in silenced:
        values[name].zero_()
    assign_parameters(block, values)
    x = randn(2, 6, 8, seed=343)
    trained = block.train()(x)
    check_differs(trained, block.eval()(x), "with dropout=0.5, GPTBlock gives the same output in train and eval mode.",
                  "the seed created self.dropout and never used it: apply it to the attention and ffn outputs.")
