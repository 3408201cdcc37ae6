"""Hidden checks of `MiniBERT` (step 06): bidirectional, padding-invariant, segment-aware."""
import pytest
import torch

from grader import contract
from grader.testkit import check, check_close, check_differs, check_parameters, manual_seed, paired, randint, randn, strict_devices

V, E, L, H, MAX = 13, 12, 2, 3, 24


def _pair(MiniBERT, ref, seed=0, **kwargs):
    args = dict(vocab_size=V, embed_dim=E, num_layers=L, heads=H, max_len=MAX, **kwargs)
    return paired(lambda: ref.MiniBERT(**args), lambda: MiniBERT(**args), f"MiniBERT({args})", seed)


def _ids(seed, pad_id=0, shape=(3, 7)):
    ids = randint(V - 1, shape, seed=seed) + 1  # no accidental padding
    ids[0, -2:] = pad_id
    ids[2, -4:] = pad_id
    return ids


def test_bert_matches_reference(MiniBERT, ref):
    reference, student = _pair(MiniBERT, ref)
    ids, segments = _ids(231), randint(2, (3, 7), seed=232)
    check_close(student(ids, segments), reference(ids, segments), "MiniBERT hidden states (padding, two segments)",
                "mask the padding in every layer, and pass segment_ids to the embedding.")


def test_bert_uses_pad_id(MiniBERT, ref):
    reference, student = _pair(MiniBERT, ref, seed=1, pad_id=5)
    ids = _ids(233, pad_id=5)
    check_close(student(ids), reference(ids), "MiniBERT(pad_id=5) hidden states", "derive the mask from self.pad_id, not 0.")


def test_attention_mask_replaces_the_pad_mask(MiniBERT, ref):
    reference, student = _pair(MiniBERT, ref, seed=2)
    ids = randint(V - 1, (2, 6), seed=234) + 1
    attention_mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]])
    check_close(student(ids, attention_mask=attention_mask), reference(ids, attention_mask=attention_mask),
                "MiniBERT with attention_mask (1 = real token)", "attention_mask (B, T) becomes a (B, 1, 1, T) bool mask.")
    padded = ids.clone()
    padded[:, -1] = 0  # a pad id, yet attention_mask says it is real
    everything = torch.ones(2, 6, dtype=torch.long)
    check_close(student(padded, attention_mask=everything), reference(padded, attention_mask=everything),
                "MiniBERT with an all-ones attention_mask on ids that contain pad_id",
                "a given attention_mask replaces the mask derived from pad_id.")


def test_padding_content_is_ignored(MiniBERT, ref):
    _, student = _pair(MiniBERT, ref, seed=3)
    ids = randint(V - 1, (2, 6), seed=235) + 1
    attention_mask = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0]], dtype=torch.bool)
    other = torch.where(attention_mask, ids, randint(V, (2, 6), seed=236))
    real = attention_mask
    check_close(student(other, attention_mask=attention_mask)[real], student(ids, attention_mask=attention_mask)[real],
                "real tokens' outputs after changing the tokens at padded positions",
                "no query may attend to a padded key: mask the keys in every layer.")


def test_appending_padding_leaves_real_tokens_unchanged(MiniBERT, ref):
    _, student = _pair(MiniBERT, ref, seed=4)
    ids = randint(V - 1, (2, 5), seed=237) + 1
    padded = torch.cat([ids, torch.zeros(2, 4, dtype=torch.long)], dim=1)
    check_close(student(padded)[:, :5], student(ids), "outputs of the real tokens after appending 4 [PAD] tokens")


@pytest.mark.parametrize("t,k", [(0, 3), (2, 2)])
def test_bert_reads_both_directions(MiniBERT, ref, t, k):
    _, student = _pair(MiniBERT, ref, seed=5)
    ids = randint(V - 1, (1, 6), seed=238) + 1
    changed = ids.clone()
    changed[0, t + k] = (ids[0, t + k] % (V - 1)) + 1
    check_differs(student(changed)[0, t], student(ids)[0, t],
                  f"changing token {t + k} did not change the output at position {t}: BERT must see the words on the right too.",
                  "no causal mask in BERT: only padding is masked.")


def test_segments_matter(MiniBERT, ref):
    _, student = _pair(MiniBERT, ref, seed=6)
    ids = randint(V - 1, (1, 6), seed=239) + 1
    check_differs(student(ids, torch.tensor([[0, 0, 0, 1, 1, 1]])), student(ids), "segment_ids had no effect on MiniBERT.",
                  "pass segment_ids on to the embedding.")


def test_layers_are_encoder_blocks_with_the_given_heads(MiniBERT, EncoderBlock, ref):
    # (one test for both: `EncoderBlock = TransformerBlock` is given in the stub, so a test of
    # EncoderBlock alone would pass before any work is done)
    args = dict(vocab_size=9, embed_dim=12, num_layers=3, heads=4, max_len=10)
    check_parameters(MiniBERT(**args), contract.mini_bert(9, 12, 3, 10), f"MiniBERT({args})")
    reference, student = paired(lambda: ref.MiniBERT(**args), lambda: MiniBERT(**args), "MiniBERT(heads=4)", seed=7)
    ids = randint(8, (2, 5), seed=240) + 1
    check_close(student(ids), reference(ids), "MiniBERT with num_layers=3, heads=4", "pass heads on to every block.")
    reference, student = paired(lambda: ref.EncoderBlock(E, H), lambda: EncoderBlock(E, H), f"EncoderBlock({E}, {H})", seed=8)
    x = randn(2, 5, E, seed=242)
    check_close(student(x), reference(x), "EncoderBlock output", "EncoderBlock = TransformerBlock (from step 04).")


def test_dropout_reaches_the_model(MiniBERT):
    manual_seed(0)
    ids = randint(V - 1, (2, 6), seed=241) + 1
    model = MiniBERT(V, embed_dim=E, num_layers=L, heads=H, max_len=MAX, dropout=0.0)
    trained = model.train()(ids)
    check_close(trained, model.eval()(ids), "MiniBERT(dropout=0.0) in train vs eval mode",
                "pass `dropout` on to the embedding and the blocks.")
    model = MiniBERT(V, embed_dim=E, num_layers=L, heads=H, max_len=MAX, dropout=0.5)
    trained = model.train()(ids)
    check_differs(trained, model.eval()(ids), "MiniBERT(dropout=0.5) ignores dropout in training.")


def test_bert_on_another_device(MiniBERT):
    model = MiniBERT(V, embed_dim=E, num_layers=L, heads=H, max_len=MAX).to("meta").eval()
    ids = torch.ones(2, 5, dtype=torch.long, device="meta")
    with strict_devices():
        out = model(ids)
    check(out.device.type == "meta", f"MiniBERT's output should be on the input's device (meta), got {out.device}.")


def test_default_arguments_match_the_course(MiniBERT, ref):
    # MiniBERT(vocab_size): embed_dim=64, num_layers=2, heads=4, max_len=512, pad_id=0
    reference, student = paired(lambda: ref.MiniBERT(V), lambda: MiniBERT(V), f"MiniBERT({V})", 9)
    ids = _ids(243)
    check_close(student(ids), reference(ids), f"MiniBERT({V}) hidden states with the default arguments",
                "keep the lesson's defaults: embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0.")
