"""Step 02, written differently: full-width projections, then a Python loop over the
heads that slices each head's features and calls the step-01 attention per head;
dropout on each head's weights; outputs concatenated, weights stacked. split_heads and
merge_heads use view/permute (with .contiguous()) instead of reshape/transpose."""
import torch
import torch.nn as nn

from self_attention import scaled_dot_product_attention


def split_heads(x, heads):
    batch, length, width = x.size()
    return x.contiguous().view(batch, length, heads, width // heads).permute(0, 2, 1, 3)


def merge_heads(x):
    batch, heads, length, head_dim = x.size()
    return x.permute(0, 2, 1, 3).contiguous().view(batch, length, heads * head_dim)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.0):
        super().__init__()
        if embed_dim % heads:
            raise ValueError(f"heads={heads} does not divide embed_dim={embed_dim}")
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.attn_drop = nn.Dropout(p=dropout)

    def forward(self, x, mask=None, return_attention=False):
        batch, length, _ = x.shape
        q, k, v = self.query(x), self.key(x), self.value(x)
        if mask is not None:
            mask = torch.broadcast_to(mask, (batch, self.heads, length, length))
        outputs, all_weights = [], []
        for h in range(self.heads):
            cols = slice(h * self.head_dim, (h + 1) * self.head_dim)
            _, w = scaled_dot_product_attention(q[..., cols], k[..., cols], v[..., cols],
                                                None if mask is None else mask[:, h])
            w = self.attn_drop(w)
            outputs.append(w @ v[..., cols])
            all_weights.append(w)
        out = self.fc_out(torch.cat(outputs, dim=-1))
        if return_attention:
            return out, torch.stack(all_weights, dim=1)
        return out
