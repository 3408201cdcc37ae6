"""Hidden checks of `MLMHead` and `BERTForMaskedLM` (step 06)."""
import torch

from grader.testkit import check_close, paired, randint, randn

V, E, MAX = 15, 12, 20


def test_mlm_head_matches_reference(MLMHead, ref):
    reference, student = paired(lambda: ref.MLMHead(E, V), lambda: MLMHead(E, V), f"MLMHead({E}, {V})")
    x = randn(2, 5, E, seed=251)
    check_close(student(x), reference(x), "MLMHead output")


def test_masked_lm_matches_reference(BERTForMaskedLM, ref):
    args = dict(vocab_size=V, embed_dim=E, layers=2, heads=3, max_len=MAX, pad_id=0)
    reference, student = paired(lambda: ref.BERTForMaskedLM(**args), lambda: BERTForMaskedLM(**args), "BERTForMaskedLM", 1)
    ids = randint(V, (3, 6), seed=252)
    segments = randint(2, (3, 6), seed=253)
    check_close(student(ids, segments), reference(ids, segments), "BERTForMaskedLM logits (padding, segments)")
    attention_mask = torch.tensor([[1, 1, 1, 1, 0, 0]] * 3)
    check_close(student(ids, attention_mask=attention_mask), reference(ids, attention_mask=attention_mask),
                "BERTForMaskedLM logits with attention_mask", "pass attention_mask on to MiniBERT.")


def test_masked_lm_passes_its_arguments_on(BERTForMaskedLM, ref):
    args = dict(vocab_size=V, embed_dim=E, layers=3, heads=4, max_len=8, pad_id=3)
    reference, student = paired(lambda: ref.BERTForMaskedLM(**args), lambda: BERTForMaskedLM(**args), "BERTForMaskedLM", 2)
    ids = randint(V, (2, 8), seed=254)
    ids[:, -2:] = 3
    check_close(student(ids), reference(ids), "BERTForMaskedLM(layers=3, heads=4, max_len=8, pad_id=3)",
                "pass layers, heads, max_len, dropout and pad_id on to MiniBERT.")


def test_default_arguments_match_the_course(BERTForMaskedLM, ref):
    # BERTForMaskedLM(vocab_size): embed_dim=64, layers=2, heads=4, max_len=512, pad_id=0
    reference, student = paired(lambda: ref.BERTForMaskedLM(V), lambda: BERTForMaskedLM(V), f"BERTForMaskedLM({V})", 3)
    ids = torch.tensor([[2, 7, 1, 9, 0, 0], [4, 1, 5, 6, 3, 8]])
    check_close(student(ids), reference(ids), f"BERTForMaskedLM({V}) logits with the default arguments",
                "keep the lesson's defaults: embed_dim=64, layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0.")
