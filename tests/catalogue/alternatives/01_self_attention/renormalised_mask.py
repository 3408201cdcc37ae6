"""Step 01, written differently: the queries are scaled *before* the product; masking
happens after the exponential: the row maximum is taken over the allowed keys only,
forbidden keys are set to exactly 0 with ``torch.where`` and the row is renormalised
(no -inf anywhere). ``softmax`` works on a moved dimension (``movedim``) instead of
reducing along ``dim``."""
import math

import torch
import torch.nn as nn


def softmax(x, dim=-1):
    moved = x.movedim(dim, -1)
    e = torch.exp(moved - moved.amax(-1, keepdim=True))
    return (e / e.sum(-1, keepdim=True)).movedim(-1, dim)


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = (q / math.sqrt(q.shape[-1])) @ k.transpose(-1, -2)
    if mask is None:
        weights = softmax(scores, dim=-1)
    else:
        allowed = torch.broadcast_to(mask, scores.shape)
        top = torch.where(allowed, scores, float("-inf")).amax(dim=-1, keepdim=True)
        e = torch.where(allowed, torch.exp(scores - top), torch.zeros_like(scores))
        weights = e / e.sum(dim=-1, keepdim=True)
    return weights @ v, weights


class SelfAttention(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.query = nn.Linear(embed_dim, embed_dim, bias=True)
        self.key = nn.Linear(embed_dim, embed_dim, bias=True)
        self.value = nn.Linear(embed_dim, embed_dim, bias=True)

    def forward(self, x, mask=None, return_attention=False):
        out, weights = scaled_dot_product_attention(q=self.query(x), k=self.key(x), v=self.value(x), mask=mask)
        if not return_attention:
            return out
        return out, weights
