"""Step 01, written differently: every computation runs in float64 internally and is
cast back to the input's dtype at the end; the queries are scaled *before* the product;
the mask is turned once into an additive bias (0 where allowed, -inf where masked) that
is added to the scores; ``scaled_dot_product_attention`` takes an extra optional
``scale`` argument; the layers are created in another order (value, key, query), the
module has type hints, and ``forward`` is called with keyword arguments throughout."""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    x64 = x.to(torch.float64)
    shifted = x64 - x64.amax(dim, keepdim=True)
    numerator = shifted.exp()
    return (numerator / numerator.sum(dim, keepdim=True)).to(x.dtype)


def _mask_to_bias(mask: Tensor, dtype: torch.dtype) -> Tensor:
    bias = torch.zeros(mask.shape, dtype=dtype, device=mask.device)
    return bias.masked_fill(mask.logical_not(), float("-inf"))


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, mask: Optional[Tensor] = None,
                                 scale: Optional[float] = None) -> tuple[Tensor, Tensor]:
    dtype = q.dtype
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    q64, k64, v64 = q.double() * scale, k.double(), v.double()
    scores = torch.matmul(q64, k64.transpose(-1, -2))
    if mask is not None:
        scores = scores + _mask_to_bias(mask, scores.dtype)
    weights = softmax(x=scores, dim=-1)
    out = torch.matmul(weights, v64)
    return out.to(dtype), weights.to(dtype)


class SelfAttention(nn.Module):
    def __init__(self, embed_dim: int) -> None:
        super().__init__()
        self.value = nn.Linear(in_features=embed_dim, out_features=embed_dim)
        self.key = nn.Linear(in_features=embed_dim, out_features=embed_dim)
        self.query = nn.Linear(in_features=embed_dim, out_features=embed_dim)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None, return_attention: bool = False):
        out, weights = scaled_dot_product_attention(q=self.query(x), k=self.key(x), v=self.value(x), mask=mask)
        return (out, weights) if return_attention else out
