"""Step 04, written differently: the residual sums are written with in-place adds on the
sub-layers' own (fresh) outputs, never on the block's input: out = dropout(attention);
out += x; the dropout is the functional F.dropout with training=self.training; the
feed-forward's ReLU is in-place; the mask is passed as a keyword to an attention built
with keyword arguments."""
import torch.nn as nn
import torch.nn.functional as F

from multi_head_attention import MultiHeadAttention


class TransformerBlock(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4):
        super().__init__()
        self.attention = MultiHeadAttention(embed_dim=embed_dim, heads=heads, dropout=dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        hidden = forward_expansion * embed_dim
        self.feed_forward = nn.Sequential(nn.Linear(embed_dim, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, embed_dim))
        self.p = dropout

    def forward(self, x, mask=None):
        attended = F.dropout(self.attention(x, mask=mask), self.p, training=self.training)
        attended += x  # a new tensor: x itself is left alone
        x = self.norm1(attended)
        fed = F.dropout(self.feed_forward(x), self.p, training=self.training)
        fed += x
        return self.norm2(fed)
