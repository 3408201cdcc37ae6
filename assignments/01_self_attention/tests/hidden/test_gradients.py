"""Hidden check that `SelfAttention` can be trained (step 01): backpropagation reaches
every weight with the reference's gradients."""
from grader.testkit import check_gradients, paired, rand_mask, randn

B, T, E = 2, 5, 12


def test_self_attention_gradients_match_reference(SelfAttention, ref):
    reference, student = paired(lambda: ref.SelfAttention(E), lambda: SelfAttention(E), f"SelfAttention({E})", seed=3)
    x = randn(B, T, E, seed=9011)
    check_gradients(student, reference, (x,), "SelfAttention", seed=9012)
    mask = rand_mask(B, T, T, seed=9013)
    check_gradients(student, reference, (x, mask), "SelfAttention with a mask", seed=9014)
