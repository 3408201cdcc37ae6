"""Step 04, written differently: a hand-written LayerNorm module (parameters `weight`
and `bias`, biased variance over the last dim, eps=1e-5); the attention is built
without dropout (SPEC: passing the block's dropout into it is free); dropout is the
functional form with training=self.training; the mask is passed as a keyword."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from multi_head_attention import MultiHeadAttention


class LayerNorm(nn.Module):
    def __init__(self, features, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


class TransformerBlock(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4):
        super().__init__()
        hidden = embed_dim * forward_expansion
        self.attention = MultiHeadAttention(embed_dim, heads)
        self.norm1 = LayerNorm(embed_dim)
        self.norm2 = LayerNorm(embed_dim)
        self.feed_forward = nn.Sequential(nn.Linear(embed_dim, hidden), nn.ReLU(), nn.Linear(hidden, embed_dim))
        self.p = dropout

    def forward(self, x, mask=None):
        attended = self.attention(x, mask=mask)
        x = self.norm1(x + F.dropout(attended, self.p, training=self.training))
        fed = self.feed_forward(x)
        return self.norm2(x + F.dropout(fed, self.p, training=self.training))
