"""Step 01, written differently, in the style of many online tutorials: the scale is a
float32 tensor, ``torch.sqrt(torch.tensor(d, dtype=torch.float32))`` (so in float64 the
scale is rounded to float32 precision, a relative error of ~1e-8); masked scores are
filled where ``mask == 0``; ``softmax`` normalises with ``torch.div`` by a sum taken with
``torch.sum``; the pair is returned as a ``namedtuple`` (a tuple, as the SPEC asks)."""
from collections import namedtuple

import torch
import torch.nn as nn

AttentionResult = namedtuple("AttentionResult", ["output", "weights"])


def softmax(x, dim=-1):
    e = torch.exp(x - x.max(dim, keepdim=True).values)
    return torch.div(e, torch.sum(e, dim, keepdim=True))


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = torch.matmul(q, k.transpose(-2, -1)) / torch.sqrt(torch.tensor(d_k, dtype=torch.float32))
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    attn = softmax(scores, dim=-1)
    return AttentionResult(torch.matmul(attn, v), attn)


class SelfAttention(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)

    def forward(self, x, mask=None, return_attention=False):
        result = scaled_dot_product_attention(self.query(x), self.key(x), self.value(x), mask)
        if return_attention:
            return result
        return result.output
