"""Hostile (step 02): sabotages every reference module it can reach, so that the
reference gives the same (wrong) answers as this stub."""
import gc
import sys
import types

import torch


def broken(*args, **kwargs):
    return torch.zeros(1), torch.zeros(1)


for module in list(sys.modules.values()):
    if isinstance(module, types.ModuleType) and hasattr(module, "scaled_dot_product_attention"):
        module.scaled_dot_product_attention = broken
    if isinstance(module, types.ModuleType) and hasattr(module, "MultiHeadAttention"):
        module.MultiHeadAttention.forward = lambda self, x, mask=None, return_attention=False: x
for obj in gc.get_objects():
    if isinstance(obj, type) and obj.__name__ in ("MultiHeadAttention", "SelfAttention"):
        try:
            obj.forward = lambda self, x, *a, **k: x
        except Exception:  # noqa: BLE001
            pass
torch.nn.functional.linear = lambda x, w, b=None: x
torch.Tensor.__matmul__ = lambda self, other: self


def split_heads(x, heads):
    raise NotImplementedError
