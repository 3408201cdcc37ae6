"""Hidden checks of `split_heads` and `merge_heads` (step 02)."""
import pytest

from grader.testkit import check_equal, randn


@pytest.mark.parametrize("shape,heads", [((3, 7, 10), 5), ((1, 4, 6), 1), ((2, 3, 8), 8)])
def test_split_heads_matches_reference(split_heads, ref, shape, heads):
    x = randn(*shape, seed=11)
    check_equal(split_heads(x, heads), ref.split_heads(x, heads), f"split_heads of a {shape} tensor into {heads} heads")


@pytest.mark.parametrize("shape", [(3, 5, 7, 2), (2, 1, 4, 6), (1, 6, 3, 1)])
def test_merge_heads_matches_reference(merge_heads, ref, shape):
    x = randn(*shape, seed=12)
    check_equal(merge_heads(x), ref.merge_heads(x), f"merge_heads of a {shape} tensor",
                "the result is (B, T, H*D): the features of head 0 first, then head 1, ...")


def test_split_then_merge_is_identity_for_other_sizes(split_heads, merge_heads):
    x = randn(4, 9, 15, seed=13)
    check_equal(merge_heads(split_heads(x, 3)), x, "merge_heads(split_heads(x, 3)) for x of shape (4, 9, 15)")


def test_split_heads_uses_the_heads_argument(split_heads, ref):
    x = randn(2, 3, 12, seed=14)
    check_equal(split_heads(x, 6), ref.split_heads(x, 6), "split_heads(x, heads=6)",
                "use the `heads` argument, not a number fixed in your code.")
