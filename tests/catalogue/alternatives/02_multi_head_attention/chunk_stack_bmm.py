"""Step 02, written differently: split_heads stacks ``x.chunk(heads, -1)`` along a new
head dim and merge_heads concatenates ``x.unbind(1)``; forward folds batch and heads
into one dim and works on 3-D (B*H, T, D) tensors with ``torch.bmm`` (the mask is
expanded to (B, H, T, T) and folded the same way); the queries are scaled before the
product; masked scores are filled with -1e9; dropout is a hand-made Bernoulli mask
(``torch.rand_like``) applied only in training; ``head_dim`` is a read-only property;
the returned weights are the ones *before* dropout (the SPEC compares them in eval mode
only)."""
import torch
import torch.nn as nn


def split_heads(x, heads):
    return torch.stack(x.chunk(heads, dim=-1), dim=1)


def merge_heads(x):
    return torch.cat(x.unbind(dim=1), dim=-1)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.0):
        super().__init__()
        if heads <= 0 or embed_dim % heads:
            raise ValueError(f"heads must divide embed_dim: got embed_dim={embed_dim}, heads={heads}")
        self.embed_dim = embed_dim
        self.heads = heads
        self.p = float(dropout)
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)

    @property
    def head_dim(self):
        return self.embed_dim // self.heads

    def _drop(self, weights):
        if not self.training or self.p == 0.0:
            return weights
        keep = (torch.rand_like(weights) >= self.p).to(weights.dtype)
        return weights * keep / (1.0 - self.p)

    def forward(self, x, mask=None, return_attention=False):
        B, T, E = x.shape
        H, D = self.heads, self.head_dim
        q = split_heads(self.query(x), H).reshape(B * H, T, D) * D ** -0.5
        k = split_heads(self.key(x), H).reshape(B * H, T, D)
        v = split_heads(self.value(x), H).reshape(B * H, T, D)
        scores = torch.bmm(q, k.transpose(1, 2))  # (B*H, T, T)
        if mask is not None:
            scores = scores.masked_fill(~mask.expand(B, H, T, T).reshape(B * H, T, T), -1e9)
        weights = torch.softmax(scores, dim=-1)
        out = torch.bmm(self._drop(weights), v).reshape(B, H, T, D)
        out = self.fc_out(merge_heads(out))
        if return_attention:
            return out, weights.reshape(B, H, T, T)
        return out
