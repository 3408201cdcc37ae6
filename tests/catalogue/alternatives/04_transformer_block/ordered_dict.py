"""Step 04, written differently: the feed-forward is an nn.Sequential built from an
OrderedDict whose keys are "0", "1", "2" (so the parameter names stay feed_forward.0 /
feed_forward.2) with an inplace ReLU; two separate nn.Dropout modules, one per sub-layer;
the residual sums are written as torch.add; F.layer_norm is not used, nn.LayerNorm is."""
from collections import OrderedDict

import torch
import torch.nn as nn

from multi_head_attention import MultiHeadAttention


class TransformerBlock(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4):
        super().__init__()
        self.attention = MultiHeadAttention(embed_dim, heads, dropout=dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.feed_forward = nn.Sequential(OrderedDict([
            ("0", nn.Linear(embed_dim, forward_expansion * embed_dim)),
            ("1", nn.ReLU(inplace=True)),
            ("2", nn.Linear(forward_expansion * embed_dim, embed_dim)),
        ]))
        self.drop_attention = nn.Dropout(dropout)
        self.drop_feed_forward = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        h = self.norm1(torch.add(x, self.drop_attention(self.attention(x, mask))))
        return self.norm2(torch.add(h, self.drop_feed_forward(self.feed_forward(h))))
