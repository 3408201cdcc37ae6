"""Hostile: returns a tensor subclass whose every comparison says "equal"."""
import torch


class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "isclose", "eq", "__eq__", "all", "any"):
            return True
        if name in ("sub", "__sub__", "abs", "__abs__"):
            return torch.zeros(()).as_subclass(torch.Tensor)
        return super().__torch_function__(func, types, args, kwargs)

    def __reduce_ex__(self, protocol):
        return (torch.zeros, (self.shape,))


def softmax(x, dim=-1):
    return torch.zeros(1).as_subclass(Agreeable)  # wrong in every way, but "equal" to anything


def scaled_dot_product_attention(q, k, v, mask=None):
    nothing = torch.zeros(1).as_subclass(Agreeable)
    return nothing, nothing
