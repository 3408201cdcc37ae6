"""Hidden checks of `softmax` (step 01): equivalence with the reference and edge cases."""
import pytest
import torch

from grader.testkit import check, check_close, randn, watch


@pytest.mark.parametrize("shape,dim", [((7,), 0), ((3, 5), 0), ((2, 3, 4, 6), -1), ((2, 3, 4, 6), 2), ((2, 3, 4, 6), -4)])
def test_softmax_matches_reference(softmax, ref, shape, dim):
    x = randn(*shape, seed=21) * 4
    check_close(softmax(x, dim=dim), ref.softmax(x, dim=dim), f"softmax of a {shape} tensor along dim={dim}")


def test_softmax_default_dim_is_last(softmax, ref):
    x = randn(3, 4, seed=22)
    check_close(softmax(x), ref.softmax(x, dim=-1), "softmax(x) with the default dim")


def test_softmax_extreme_logits_are_exact(softmax):
    x = torch.tensor([[1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, -1e4, -1e4], [3e4, 2e4, 1e4, 0.0]])
    # float32 resolves logits near 1e4 only to ~1e-3: a correct exp(x - logsumexp(x)) is off by ~1e-4.
    check_close(
        softmax(x), torch.softmax(x.double(), -1).float(), "softmax of logits of ±1e4",
        hint="subtract the maximum of each row (along `dim`) before exp; a global maximum is not enough.",
        rtol=1e-3, atol=1e-4,
    )


def test_softmax_max_is_taken_per_row(softmax):
    # One row with huge values, one with small ones: a single global max underflows row 1.
    x = torch.tensor([[500.0, 499.0, 498.0], [0.0, 1.0, 2.0]])
    check_close(
        softmax(x), torch.softmax(x.double(), -1).float(), "softmax of rows with very different scales",
        hint="the maximum must be taken along `dim` with keepdim=True, not over the whole tensor.",
    )


def test_softmax_handles_minus_infinity(softmax):
    x = torch.tensor([[0.5, float("-inf"), 1.5], [float("-inf"), 2.0, float("-inf")]])
    got = softmax(x)
    check(bool(torch.isfinite(got).all()), "softmax must treat -inf (a masked score) as weight 0, not nan.")
    check_close(got, torch.softmax(x.double(), -1).float(), "softmax of scores containing -inf")


def test_softmax_keeps_float64(softmax, ref):
    x = randn(3, 5, seed=23, dtype=torch.float64)
    check_close(softmax(x), ref.softmax(x), "softmax of a float64 tensor", rtol=1e-10, atol=1e-12)


def test_softmax_does_not_change_its_input(softmax):
    x = watch(randn(3, 5, seed=24))
    before = x.clone()
    softmax(x)
    check(torch.equal(x, before), "softmax changed its input tensor in place; compute a new tensor instead.",
          "an in-place operation such as x -= x.max(...) or x.exp_().")
