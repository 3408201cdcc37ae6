"""The checks' messages tell a student what was expected, what came out and why."""
import pytest
import torch
import torch.nn as nn

from grader import testkit
from grader.testkit import CheckFailure


def test_check_close_reports_the_worst_value():
    expected = torch.zeros(2, 3)
    got = expected.clone()
    got[1, 2] = 0.5
    with pytest.raises(CheckFailure) as error:
        testkit.check_close(got, expected, "the output", hint="a hint")
    message = str(error.value)
    assert "the output: values differ" in message and "1 of 6 values are off" in message
    assert "index (1, 2): expected 0, got 0.5" in message and "Likely cause: a hint" in message


@pytest.mark.parametrize("got,fragment", [
    (torch.zeros(3, 2), "expected shape (2, 3), got (3, 2)"),
    (torch.zeros(2, 3, dtype=torch.float64), "expected dtype torch.float32, got torch.float64"),
    ((torch.zeros(2, 3), torch.zeros(2, 3)), "expected one tensor, got a tuple of 2 tensors"),
    ([0.0], "expected a torch.Tensor, got list"),
    (torch.full((2, 3), float("nan")), "got nan at index (0, 0)"),
])
def test_check_close_explains_what_is_wrong(got, fragment):
    with pytest.raises(CheckFailure, match=None) as error:
        testkit.check_close(got, torch.zeros(2, 3), "x")
    assert fragment in str(error.value)


def test_check_close_accepts_values_within_tolerance():
    testkit.check_close(torch.ones(3) + 1e-6, torch.ones(3), "x")


def test_check_parameters_lists_missing_and_unexpected_names():
    module = nn.Module()
    module.q = nn.Linear(2, 2)
    with pytest.raises(CheckFailure) as error:
        testkit.check_parameters(module, testkit.linear_parameters("query", 2, 2), "M")
    message = str(error.value)
    assert "missing:    query.bias, query.weight" in message and "unexpected: q.bias, q.weight" in message


def test_copy_parameters_copies_by_name():
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    testkit.copy_parameters(source, target, "Linear")
    assert torch.equal(source.weight, target.weight) and torch.equal(source.bias, target.bias)


def test_expect_value_error_messages():
    def wrong_type():
        raise AssertionError("bad")

    def no_mention():
        raise ValueError("bad value")

    with pytest.raises(CheckFailure, match="it raised AssertionError"):
        testkit.expect_value_error(wrong_type, mentions="heads", what="f()")
    with pytest.raises(CheckFailure, match="should mention `heads`"):
        testkit.expect_value_error(no_mention, mentions="heads", what="f()")
    with pytest.raises(CheckFailure, match="raised nothing"):
        testkit.expect_value_error(lambda: None, mentions="heads", what="f()")
    testkit.expect_value_error(lambda: (_ for _ in ()).throw(ValueError("heads!")), mentions="heads", what="f()")


def test_seeded_data_is_reproducible():
    assert torch.equal(testkit.randn(3, 4, seed=5), testkit.randn(3, 4, seed=5))
    assert not torch.equal(testkit.randn(3, 4, seed=5), testkit.randn(3, 4, seed=6))
    mask = testkit.rand_mask(4, 5, 6, seed=1)
    assert mask.dtype == torch.bool and mask[..., 0].all()


class _Net(nn.Module):
    def __init__(self, frozen_first=False):
        super().__init__()
        self.first, self.norm, self.second = nn.Linear(4, 5), nn.LayerNorm(5), nn.Linear(5, 3)
        self.frozen_first = frozen_first

    def forward(self, x):
        h = self.first(x)
        return self.second(self.norm(h.detach() if self.frozen_first else h))


def test_check_gradients_passes_a_trainable_copy_and_names_the_parameters_no_gradient_reaches():
    testkit.manual_seed(0)
    reference = _Net()
    good, frozen = _Net(), _Net(frozen_first=True)
    for module in (good, frozen):
        testkit.copy_parameters(reference, module, "net")
    x = testkit.randn(2, 4, seed=1)
    testkit.check_gradients(good, reference, (x,), "net", seed=2)
    with pytest.raises(CheckFailure) as error:
        testkit.check_gradients(frozen, reference, (x,), "net", seed=2)
    assert "training would not change first.bias, first.weight" in str(error.value)
    assert ".detach()" in str(error.value)
