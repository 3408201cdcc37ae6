"""Hostile: patches torch's and the grader's comparisons so that everything looks equal."""
import torch
import torch.testing

torch.testing.assert_close = lambda *args, **kwargs: None
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
try:
    import grader.testkit as testkit

    testkit.check_close = testkit.check = testkit.check_shape = lambda *args, **kwargs: None
except Exception:  # noqa: BLE001
    pass


def softmax(x, dim=-1):
    return x


def scaled_dot_product_attention(q, k, v, mask=None):
    return v, q
