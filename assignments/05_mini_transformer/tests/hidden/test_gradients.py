"""Hidden check that `MiniTransformer` can be trained (step 05): backpropagation reaches
every weight with the reference's gradients."""
from grader.testkit import check_gradients, paired, randint

V, E, H, L, MAX = 11, 12, 3, 2, 20


def test_model_gradients_match_reference(MiniTransformer, ref):
    args = dict(vocab_size=V, embed_dim=E, heads=H, num_layers=L, max_len=MAX)
    reference, student = paired(lambda: ref.MiniTransformer(**args), lambda: MiniTransformer(**args),
                                "MiniTransformer(11, 12, 3, num_layers=2)", seed=3)
    ids = randint(V - 1, (2, 6), seed=9051) + 1  # no id 0: a padding_idx=0 embedding would rightly differ there
    check_gradients(student, reference, (ids,), "MiniTransformer", seed=9052)
