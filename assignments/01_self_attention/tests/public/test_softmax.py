"""Public checks of `softmax` (step 01)."""
import torch

from grader.golden import golden_case
from grader.testkit import check, check_close, check_shape, randn, watch


@golden_case
def softmax_last_dim(softmax):
    return softmax(randn(2, 3, 5, seed=11), dim=-1)


@golden_case
def softmax_middle_dim(softmax):
    return softmax(randn(2, 3, 5, seed=12), dim=1)


def test_softmax_keeps_the_shape(softmax):
    check_shape(softmax(randn(2, 3, 5, seed=1)), (2, 3, 5), "softmax of a (2, 3, 5) tensor")


def test_softmax_rows_are_probabilities(softmax):
    weights = softmax(randn(4, 7, seed=2) * 3)
    check(bool((weights > 0).all()), "softmax must give strictly positive weights; some of yours are <= 0.")
    sums = weights.sum(dim=-1)
    worst = int((sums - 1).abs().argmax())
    check(
        torch.allclose(sums, torch.ones(4), atol=1e-5),
        f"each row of softmax must sum to 1; row {worst} of yours sums to {sums[worst].item():.4f}.",
        "dividing by the wrong sum (the sum over the whole tensor, or along another dimension).",
    )


def test_softmax_matches_expected_values(softmax, golden):
    golden.check(softmax_last_dim, softmax, what="softmax(x, dim=-1)")


def test_softmax_uses_the_dim_argument(softmax, golden):
    golden.check(
        softmax_middle_dim, softmax, what="softmax(x, dim=1)",
        hint="`dim` is ignored: the max, exp and sum must all be taken along `dim`.",
    )


def test_softmax_survives_huge_logits(softmax):
    x = torch.tensor([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4 + 2.0]])
    expected = torch.softmax(x.double(), dim=-1).float()
    # float32 resolves logits near 1e4 only to ~1e-3, so a correct formula such as
    # exp(x - logsumexp(x)) may be off by ~2e-4 here: compare like the huge-score attention test.
    check_close(
        softmax(x), expected, "softmax of logits around ±1e4",
        hint="exp(1e4) overflows to inf: subtract the row's maximum before exponentiating.",
        rtol=1e-3, atol=1e-4,
    )


def test_softmax_does_not_change_its_input(softmax):
    x = watch(randn(3, 5, seed=3))
    before = x.clone()
    softmax(x)
    check(torch.equal(x, before), "softmax changed its input tensor in place; compute a new tensor instead.",
          "an in-place operation such as x -= x.max(...), x.sub_(...) or x.exp_().")
