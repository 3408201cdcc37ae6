"""Step 04 — the Transformer block.

A block is the repeating unit of every Transformer: attention lets the words talk to
each other, a small feed-forward network then thinks about each word on its own, and
around both sit a residual ("skip") connection and a LayerNorm, which keep training
stable when many blocks are stacked.

This is the *post-LN* block of the original paper and of the seed lesson:

    x   = norm1(x + dropout(attention(x, mask)))
    out = norm2(x + dropout(feed_forward(x)))

Shapes: B = batch, T = sequence length, E = embedding size.
"""
import torch.nn as nn

from multi_head_attention import MultiHeadAttention


class TransformerBlock(nn.Module):
    """Multi-head attention + feed-forward, each with a residual and a LayerNorm.

    Args:
        embed_dim: E.
        heads: number of attention heads (E must be divisible by it).
        dropout: dropout probability (on both sub-layer outputs).
        forward_expansion: the feed-forward hidden size is ``forward_expansion * E``.

    Attributes (parameter names are part of the course's API):
        attention: ``MultiHeadAttention(E, heads)``.
        norm1, norm2: ``nn.LayerNorm(E)``.
        feed_forward: ``nn.Sequential(Linear(E, k*E), ReLU(), Linear(k*E, E))``.
        dropout: ``nn.Dropout(dropout)``.
    """

    def __init__(self, embed_dim, heads, dropout=0.1, forward_expansion=4):
        super().__init__()
        # TODO: create attention, norm1, norm2, feed_forward and dropout
        #       (names and shapes as in the docstring above).
        raise NotImplementedError

    def forward(self, x, mask=None):
        """x: (B, T, E); mask: optional bool, True = may attend. Returns (B, T, E)."""
        # TODO: attention sub-layer: add its (dropped-out) output to x, then norm1.
        # TODO: feed-forward sub-layer: same pattern with norm2.
        raise NotImplementedError
