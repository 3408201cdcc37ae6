"""Public checks of `MLMHead` and `BERTForMaskedLM` (step 06)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check_close, check_parameters, check_shape, linear_parameters, seed_parameters

V, E, L, MAX = 11, 8, 2, 16


def _seeded(BERTForMaskedLM, seed=7, **kwargs):
    model = BERTForMaskedLM(V, embed_dim=E, layers=L, heads=2, max_len=MAX, **kwargs)
    seed_parameters(model, contract.bert_for_masked_lm(V, E, L, MAX), seed, "BERTForMaskedLM")
    return model.eval()


@golden_case
def masked_lm_logits(BERTForMaskedLM):
    return _seeded(BERTForMaskedLM)(torch.tensor([[2, 3, 1, 0], [4, 1, 5, 6]]))


@golden_case
def masked_lm_logits_with_attention_mask(BERTForMaskedLM):
    ids, attention_mask = torch.tensor([[2, 0, 1, 5], [4, 1, 5, 6]]), torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    return _seeded(BERTForMaskedLM, seed=8)(ids, torch.tensor([[0, 0, 1, 1], [0, 1, 1, 1]]), attention_mask)


def test_live_demo_shape(BERTForMaskedLM):
    vocab = {"[PAD]": 0, "[MASK]": 1, "i": 2, "love": 3, "ai": 4}
    input_ids = torch.tensor([[vocab[w] for w in ["i", "love", "[MASK]"]]])
    model = BERTForMaskedLM(vocab_size=len(vocab))
    check_shape(model(input_ids, torch.tensor([[0, 0, 0]])), (1, 3, 5), "the live demo: BERTForMaskedLM(5) on 'i love [MASK]'")


def test_mlm_head_parameters(MLMHead):
    check_parameters(MLMHead(E, V), linear_parameters("linear", E, V), f"MLMHead({E}, {V})")


def test_masked_lm_has_the_course_parameters(BERTForMaskedLM):
    for layers in (L, 1):
        check_parameters(BERTForMaskedLM(V, embed_dim=E, layers=layers, heads=2, max_len=MAX),
                         contract.bert_for_masked_lm(V, E, layers, MAX),
                         f"BERTForMaskedLM({V}, embed_dim={E}, layers={layers}, heads=2, max_len={MAX})")


def test_masked_lm_matches_expected_values(BERTForMaskedLM, golden):
    golden.check(masked_lm_logits, BERTForMaskedLM, what="BERTForMaskedLM logits (eval mode)",
                 hint="logits = mlm(bert(input_ids, segment_ids, attention_mask)).")


def test_masked_lm_with_segments_and_attention_mask(BERTForMaskedLM, golden):
    golden.check(masked_lm_logits_with_attention_mask, BERTForMaskedLM,
                 what="BERTForMaskedLM(input_ids, segment_ids, attention_mask) logits (eval mode)",
                 hint="pass segment_ids and attention_mask on to MiniBERT: mlm(bert(input_ids, segment_ids, attention_mask)).")


def test_masked_lm_uses_pad_id(BERTForMaskedLM):
    model = _seeded(BERTForMaskedLM, pad_id=3)
    ids = torch.tensor([[2, 0, 1, 5, 6]])  # 0 is an ordinary word when pad_id=3
    padded = torch.cat([ids, torch.full((1, 2), 3)], dim=1)
    check_close(model(padded)[:, :5], model(ids), "BERTForMaskedLM(pad_id=3): real tokens' logits after appending 2 pads (id 3)",
                "pass pad_id on to MiniBERT.")
