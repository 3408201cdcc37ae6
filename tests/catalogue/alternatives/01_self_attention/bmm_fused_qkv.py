"""Step 01, written differently: softmax multiplies by the reciprocal of the row sum
(``torch.max(...)[0]`` for the row maximum); attention flattens every leading dim into
one batch dim (q and k broadcast first) and uses ``torch.bmm``; the mask is expanded to
the scores' shape and masked scores are filled with -1e9 instead of -inf;
``SelfAttention`` keeps the three ``nn.Linear`` layers but projects with one fused matmul
of their concatenated weights (``x @ W.T + b``) and splits the result with ``chunk``."""
import math

import torch
import torch.nn as nn


def softmax(x, dim=-1):
    row_max = torch.max(x, dim=dim, keepdim=True)[0]
    e = torch.exp(x - row_max)
    return e * torch.reciprocal(torch.sum(e, dim=dim, keepdim=True))


def scaled_dot_product_attention(q, k, v, mask=None):
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    q3 = q.expand(*lead, *q.shape[-2:]).reshape(-1, *q.shape[-2:])
    k3 = k.expand(*lead, *k.shape[-2:]).reshape(-1, *k.shape[-2:])
    v3 = v.expand(*lead, *v.shape[-2:]).reshape(-1, *v.shape[-2:])
    scores = torch.bmm(q3, k3.transpose(1, 2)) / math.sqrt(q.shape[-1])  # (N, T_q, T_k)
    if mask is not None:
        full = mask.expand(*lead, q.shape[-2], k.shape[-2]).reshape(scores.shape)
        scores = scores.masked_fill(full == False, -1e9)  # noqa: E712
    weights = softmax(scores, dim=-1)
    out = torch.bmm(weights, v3)
    return out.reshape(*lead, *out.shape[-2:]), weights.reshape(*lead, *weights.shape[-2:])


class SelfAttention(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)

    def forward(self, x, mask=None, return_attention=False):
        weight = torch.cat([self.query.weight, self.key.weight, self.value.weight], dim=0)  # (3E, E)
        bias = torch.cat([self.query.bias, self.key.bias, self.value.bias])  # (3E,)
        q, k, v = (x @ weight.T + bias).chunk(3, dim=-1)
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        if return_attention:
            return out, weights
        return out
