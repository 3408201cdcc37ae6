"""Step 02, written differently: the query/key/value layers are kept but applied as one
fused ``F.linear`` with their concatenated weights, the result cut with ``split``;
split_heads uses ``view`` with -1 and ``swapaxes``, merge_heads ``swapaxes`` +
``flatten``; the step-01 attention is imported as a module and called once per batch
item in a Python loop (each item is (H, T, D), the mask is broadcast to (B, H, T, T)
first); functional dropout reads the probability from ``self.dropout.p``; type hints, an
extra optional ``bias`` argument, and ``forward`` with an extra keyword-only option."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

import self_attention


def split_heads(x: Tensor, heads: int) -> Tensor:
    return x.view(x.size(0), x.size(1), heads, -1).swapaxes(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    return x.swapaxes(1, 2).flatten(2)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim: int, heads: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__()
        if embed_dim % heads != 0:
            raise ValueError(f"embed_dim={embed_dim} is not divisible by heads={heads}")
        self.heads, self.head_dim = heads, embed_dim // heads
        self.fc_out = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.value = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.key = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.query = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None, return_attention: bool = False,
                *, average_heads: bool = False):
        B, T, _ = x.shape
        weight = torch.cat([self.query.weight, self.key.weight, self.value.weight])
        bias = torch.cat([self.query.bias, self.key.bias, self.value.bias])
        q, k, v = (split_heads(t, self.heads) for t in F.linear(x, weight, bias).split(x.size(-1), dim=-1))
        if mask is not None:
            mask = torch.broadcast_to(mask, (B, self.heads, T, T))
        outs, all_weights = [], []
        for b in range(B):
            _, w = self_attention.scaled_dot_product_attention(q[b], k[b], v[b], None if mask is None else mask[b])
            w = F.dropout(w, p=self.dropout.p, training=self.training)
            outs.append(w @ v[b])
            all_weights.append(w)
        out = self.fc_out(merge_heads(torch.stack(outs)))
        weights = torch.stack(all_weights)
        if average_heads:
            weights = weights.mean(dim=1)
        return (out, weights) if return_attention else out
