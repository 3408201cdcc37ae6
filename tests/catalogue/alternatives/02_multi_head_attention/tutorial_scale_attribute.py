"""Step 02, written differently, in the style of many online tutorials: the scale is a
float32 tensor kept as a plain attribute, ``self.scale = torch.sqrt(torch.tensor(head_dim,
dtype=torch.float32))`` (not a buffer: ``.double()`` leaves it float32, which is harmless
for a 0-dim scalar); masked scores are filled with -1e20 where ``mask == 0``
(``masked_fill`` on a (B, 1, 1, T) mask broadcast by torch); torch's softmax;
``view``/``transpose(1, 2)``/``contiguous`` for the heads; the attention is written out
inline rather than calling the step-01 function."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def split_heads(x, heads):
    batch_size, seq_len, embed_dim = x.size()
    return x.view(batch_size, seq_len, heads, embed_dim // heads).transpose(1, 2)


def merge_heads(x):
    batch_size, heads, seq_len, head_dim = x.size()
    return x.transpose(1, 2).contiguous().view(batch_size, seq_len, heads * head_dim)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.0):
        super(MultiHeadAttention, self).__init__()
        if embed_dim % heads != 0:
            raise ValueError("embed_dim must be divisible by heads")
        self.embed_dim = embed_dim
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.scale = torch.sqrt(torch.tensor(self.head_dim, dtype=torch.float32))

    def forward(self, x, mask=None, return_attention=False):
        Q = split_heads(self.query(x), self.heads)
        K = split_heads(self.key(x), self.heads)
        V = split_heads(self.value(x), self.heads)
        energy = torch.matmul(Q, K.transpose(-2, -1)) / self.scale
        if mask is not None:
            energy = energy.masked_fill(mask == 0, float("-1e20"))
        attention = F.softmax(energy, dim=-1)
        attention = self.dropout(attention)
        out = self.fc_out(merge_heads(torch.matmul(attention, V)))
        if return_attention:
            return out, attention
        return out
