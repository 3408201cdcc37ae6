"""Step 02, written differently: split_heads/merge_heads with unflatten/flatten and
movedim; attention written out with einsum, torch's softmax (allowed outside step 01's
`softmax`) and a torch.finfo(dtype).min fill; functional dropout with
training=self.training instead of an nn.Dropout module."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def split_heads(x, heads):
    return x.unflatten(-1, (heads, -1)).movedim(2, 1)


def merge_heads(x):
    return x.movedim(1, 2).flatten(start_dim=2)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.0):
        super().__init__()
        if embed_dim % heads != 0:
            raise ValueError(f"embed_dim={embed_dim} is not a multiple of heads={heads}")
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.p = dropout
        self.query, self.key, self.value, self.fc_out = (nn.Linear(embed_dim, embed_dim) for _ in range(4))

    def forward(self, x, mask=None, return_attention=False):
        q, k, v = (split_heads(layer(x), self.heads) for layer in (self.query, self.key, self.value))
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        weights = F.dropout(torch.softmax(scores, dim=-1), p=self.p, training=self.training)
        out = self.fc_out(merge_heads(torch.einsum("bhqk,bhkd->bhqd", weights, v)))
        return (out, weights) if return_attention else out
