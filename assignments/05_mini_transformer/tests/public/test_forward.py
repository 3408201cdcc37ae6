"""Public checks of `MiniTransformer.forward` (step 05)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check_close, check_shape, randint, seed_parameters

V, E, H, L = 7, 8, 2, 2


def _seeded(MiniTransformer, seed=9):
    model = MiniTransformer(V, E, H, num_layers=L, max_len=16)
    seed_parameters(model, contract.mini_transformer(V, E, L), seed, f"MiniTransformer({V}, {E}, {H}, num_layers={L})")
    return model.eval()


@golden_case
def logits(MiniTransformer):
    return _seeded(MiniTransformer)(randint(V, (2, 6), seed=131))


def test_live_demo_shape(MiniTransformer):
    vocab = {"i": 0, "love": 1, "ai": 2, "transformers": 3}
    input_ids = torch.tensor([[vocab[w] for w in ["i", "love", "ai"]]])
    model = MiniTransformer(vocab_size=len(vocab), embed_dim=32, heads=4)
    check_shape(model(input_ids), (1, 3, 4), "the live demo: MiniTransformer(4, 32, 4) on 'i love ai'",
                "one score per vocabulary word for each position: (batch, seq, vocab_size).")


def test_logits_match_expected_values(MiniTransformer, golden):
    golden.check(logits, MiniTransformer, what="MiniTransformer logits (eval mode)",
                 hint="embedding -> + positions -> every block in order -> fc_out; no scaling of the embeddings.")


def test_padding_does_not_reach_the_real_tokens(MiniTransformer):
    model = _seeded(MiniTransformer)
    ids = randint(V, (2, 6), seed=132)
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=torch.bool)[:, None, None, :]  # (B, 1, 1, T)
    changed = ids.clone()
    changed[0, 4:] = (ids[0, 4:] + 1) % V  # other ids at the two padded positions of sentence 0
    check_close(model(changed, mask)[0, :4], model(ids, mask)[0, :4],
                "the real tokens' logits after changing the padded token ids",
                "pass the mask to every block: layer(x, mask).")


def test_causal_mask_hides_the_future(MiniTransformer):
    model = _seeded(MiniTransformer)
    ids = randint(V, (2, 6), seed=133)
    causal = torch.tril(torch.ones(6, 6, dtype=torch.bool))  # (T, T): broadcasts over batch and heads
    changed = ids.clone()
    changed[:, -1] = (ids[:, -1] + 1) % V  # another last word
    check_close(model(changed, mask=causal)[:, :-1], model(ids, mask=causal)[:, :-1],
                "the logits of positions 0..4 under a causal (T, T) mask after changing the last word",
                "forward(x, mask=None): hand the mask as it is to every block; it is True = may attend and broadcasts "
                "to (B, H, T, T), so a (T, T) mask is valid too.")
