"""Hidden checks that step 07's modules can be trained: backpropagation reaches every
weight with the reference's gradients."""
from grader.testkit import check_gradients, paired, randint, randn

V, E, L, H, MAX = 13, 12, 2, 3, 16


def test_causal_attention_gradients_match_reference(CausalSelfAttention, ref):
    reference, student = paired(lambda: ref.CausalSelfAttention(E, H, MAX), lambda: CausalSelfAttention(E, H, MAX),
                                f"CausalSelfAttention({E}, {H}, {MAX})", seed=3)
    check_gradients(student, reference, (randn(2, 7, E, seed=9071),), "CausalSelfAttention", seed=9072)


def test_model_gradients_match_reference(MiniGPT, ref):
    args = dict(vocab_size=V, embed_dim=E, layers=L, heads=H, max_len=MAX)
    reference, student = paired(lambda: ref.MiniGPT(**args), lambda: MiniGPT(**args), f"MiniGPT({args})", seed=3)
    ids = randint(V - 1, (2, 9), seed=9073) + 1  # no id 0: a padding_idx=0 embedding would rightly differ there
    check_gradients(student, reference, (ids,), "MiniGPT", seed=9074)
