"""Step 04, written differently: the feed-forward is an nn.ModuleList [Linear, ReLU,
Linear] (same parameter names feed_forward.0 / feed_forward.2) applied by iterating
over it; the LayerNorms are nn.LayerNorm modules whose parameters are used through
F.layer_norm; the dropout module is in-place (nn.Dropout(inplace=True)); the
constructor takes an extra keyword `layer_norm_eps` with a default, and forward an
extra `return_attention=False` that also returns the attention weights; the mask is
converted with .to(torch.bool) before it is handed on."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from multi_head_attention import MultiHeadAttention


class TransformerBlock(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4, layer_norm_eps=1e-5):
        super().__init__()
        self.embed_dim = embed_dim
        self.eps = layer_norm_eps
        self.attention = MultiHeadAttention(embed_dim, heads, dropout)
        self.norm1 = nn.LayerNorm(embed_dim, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(embed_dim, eps=layer_norm_eps)
        hidden = forward_expansion * embed_dim
        self.feed_forward = nn.ModuleList([nn.Linear(embed_dim, hidden), nn.ReLU(), nn.Linear(hidden, embed_dim)])
        self.dropout = nn.Dropout(dropout, inplace=True)

    def _norm(self, norm, x):
        return F.layer_norm(x, (self.embed_dim,), norm.weight, norm.bias, self.eps)

    def _feed_forward(self, x):
        for layer in self.feed_forward:
            x = layer(x)
        return x

    def forward(self, x, mask=None, return_attention=False):
        if mask is not None:
            mask = mask.to(torch.bool)
        attended, weights = self.attention(x, mask, return_attention=True)
        x = self._norm(self.norm1, x + self.dropout(attended))
        out = self._norm(self.norm2, x + self.dropout(self._feed_forward(x)))
        return (out, weights) if return_attention else out
