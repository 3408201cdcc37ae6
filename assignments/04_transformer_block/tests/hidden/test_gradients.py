"""Hidden check that `TransformerBlock` can be trained (step 04): backpropagation reaches
every weight with the reference's gradients."""
from grader.testkit import check_gradients, paired, randn

B, T, E, H, K = 2, 5, 12, 3, 3


def test_block_gradients_match_reference(TransformerBlock, ref):
    args = (E, H, 0.1, K)
    reference, student = paired(lambda: ref.TransformerBlock(*args), lambda: TransformerBlock(*args),
                                f"TransformerBlock{args}", seed=3)
    check_gradients(student, reference, (randn(B, T, E, seed=9041),), "TransformerBlock", seed=9042)
