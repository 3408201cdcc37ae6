"""Hidden check that `BERTForMaskedLM` can be trained (step 06): backpropagation reaches
every weight (embeddings, blocks, head) with the reference's gradients."""
import torch

from grader.testkit import check_gradients, paired, randint

V, E, MAX = 15, 12, 20


def test_masked_lm_gradients_match_reference(BERTForMaskedLM, ref):
    args = dict(vocab_size=V, embed_dim=E, layers=2, heads=3, max_len=MAX, pad_id=0)
    reference, student = paired(lambda: ref.BERTForMaskedLM(**args), lambda: BERTForMaskedLM(**args),
                                "BERTForMaskedLM", seed=3)
    ids = randint(V - 1, (3, 6), seed=9061) + 1  # no padding: every token embedding is used
    segments = torch.tensor([[0, 0, 0, 1, 1, 1]] * 3)
    check_gradients(student, reference, (ids, segments), "BERTForMaskedLM", seed=9062)
