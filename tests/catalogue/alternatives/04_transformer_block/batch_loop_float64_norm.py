"""Step 04, written differently: forward runs the block on one sequence of the batch at a
time (slicing a batch-shaped mask, passing a shared one such as a causal (T, T) mask
as it is) and stacks the results; the layers are created in another order and by
keyword; the ReLU is a hand-written module (clamp_min(0)) inside the Sequential; the
LayerNorms are nn.LayerNorm, but evaluated in float64 and cast back; the residual sums
use Tensor.add."""
import torch
import torch.nn as nn

from multi_head_attention import MultiHeadAttention


class ReLU(nn.Module):
    def forward(self, x):
        return x.clamp_min(0)


class TransformerBlock(nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4):
        super().__init__()
        self.feed_forward = nn.Sequential(
            nn.Linear(in_features=embed_dim, out_features=embed_dim * forward_expansion),
            ReLU(),
            nn.Linear(in_features=embed_dim * forward_expansion, out_features=embed_dim),
        )
        self.norm2 = nn.LayerNorm(normalized_shape=embed_dim)
        self.norm1 = nn.LayerNorm(normalized_shape=embed_dim)
        self.attention = MultiHeadAttention(embed_dim=embed_dim, heads=heads, dropout=0.0)
        self.dropout = nn.Dropout(p=dropout)

    @staticmethod
    def _precise(norm, x):
        return nn.functional.layer_norm(x.double(), norm.normalized_shape, norm.weight.double(), norm.bias.double(),
                                        norm.eps).to(x.dtype)

    def _one(self, x, mask):
        h = self._precise(self.norm1, x.add(self.dropout(self.attention(x=x, mask=mask))))
        return self._precise(self.norm2, h.add(self.dropout(self.feed_forward(h))))

    def forward(self, x, mask=None):
        rows = []
        for b in range(x.size(0)):
            row_mask = mask
            if mask is not None and mask.dim() == 4 and mask.size(0) > 1:
                row_mask = mask[b:b + 1]
            rows.append(self._one(x[b:b + 1], row_mask))
        return torch.cat(rows, dim=0)
