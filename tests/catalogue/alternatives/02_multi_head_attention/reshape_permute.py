"""Step 02, written differently: split_heads with reshape + permute (no transpose),
merge_heads with permute + reshape; the step-01 attention is called with keyword
arguments and only its weights are kept (its `out` is recomputed after dropout); the
divisibility check compares head_dim * heads with embed_dim (like the seed) but raises
ValueError."""
import torch.nn as nn

from self_attention import scaled_dot_product_attention


def split_heads(x, heads):
    B, T, E = x.shape
    return x.reshape(B, T, heads, -1).permute(0, 2, 1, 3)


def merge_heads(x):
    B, H, T, D = x.shape
    return x.permute(0, 2, 1, 3).reshape(B, T, -1)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.0):
        super().__init__()
        self.embed_dim = embed_dim
        self.heads = heads
        self.head_dim = embed_dim // heads
        if self.head_dim * heads != embed_dim:
            raise ValueError(f"embed_dim {embed_dim} cannot be split evenly into heads={heads}")
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.fc_out = nn.Linear(embed_dim, embed_dim)

    def forward(self, x, mask=None, return_attention=False):
        queries = split_heads(self.query(x), self.heads)
        keys = split_heads(self.key(x), self.heads)
        values = split_heads(self.value(x), self.heads)
        weights = scaled_dot_product_attention(q=queries, k=keys, v=values, mask=mask)[1]
        weights = self.dropout(weights)
        result = self.fc_out(merge_heads(weights.matmul(values)))
        if return_attention:
            return result, weights
        return result
