"""Hidden check that `MultiHeadAttention` can be trained (step 02): backpropagation
reaches every weight with the reference's gradients."""
from grader.testkit import check_gradients, paired, rand_mask, randn

B, T, E, H = 2, 5, 12, 3


def test_mha_gradients_match_reference(MultiHeadAttention, ref):
    reference, student = paired(lambda: ref.MultiHeadAttention(E, H), lambda: MultiHeadAttention(E, H),
                                f"MultiHeadAttention({E}, {H})", seed=3)
    x = randn(B, T, E, seed=9021)
    check_gradients(student, reference, (x,), "MultiHeadAttention", seed=9022)
    mask = rand_mask(B, 1, T, T, seed=9023)
    check_gradients(student, reference, (x, mask), "MultiHeadAttention with a mask", seed=9024)
