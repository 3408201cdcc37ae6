"""Step 04, written differently: one helper applies "norm(x + dropout(f(x)))" to both
sub-layers (the attention is wrapped in a lambda that carries the mask); the feed-forward
is applied as its three layers called by index; the attention asks for its weights
(return_attention=True) and keeps only the output."""
import torch.nn as nn

from multi_head_attention import MultiHeadAttention


class TransformerBlock(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4):
        super().__init__()
        self.attention = MultiHeadAttention(embed_dim, heads, dropout)
        self.norm1, self.norm2 = nn.LayerNorm(embed_dim), nn.LayerNorm(embed_dim)
        self.feed_forward = nn.Sequential(
            nn.Linear(embed_dim, embed_dim * forward_expansion),
            nn.ReLU(),
            nn.Linear(embed_dim * forward_expansion, embed_dim),
        )
        self.dropout = nn.Dropout(dropout)

    def _sublayer(self, x, norm, fn):
        return norm(x + self.dropout(fn(x)))

    def _feed_forward(self, x):
        ff = self.feed_forward
        return ff[2](ff[1](ff[0](x)))

    def forward(self, x, mask=None):
        x = self._sublayer(x, self.norm1, lambda h: self.attention(h, mask, return_attention=True)[0])
        return self._sublayer(x, self.norm2, self._feed_forward)
