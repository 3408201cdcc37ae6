"""Step 02 — multi-head attention.

One attention head can only follow one kind of relationship at a time. Multi-head
attention runs several heads side by side, each on its own slice of the projected
vectors, then mixes their results back together.

The standard form (taught here) projects the full width E with one ``nn.Linear(E, E)``
per role and then *splits* the result into H heads of size E / H. The seed sketch
shared a single (E/H × E/H) projection across all heads instead; see the lesson.

Shapes: B = batch, T = sequence length, E = embedding size, H = heads,
D = head_dim = E / H.
"""
import torch.nn as nn

from self_attention import scaled_dot_product_attention


def split_heads(x, heads):
    """(B, T, E) -> (B, H, T, E/H): give every head its own slice of each vector.

    The first E/H features of a token go to head 0, the next E/H to head 1, and so on.
    """
    # TODO: reshape to (B, T, H, E/H), then move the head dimension in front of T.
    raise NotImplementedError


def merge_heads(x):
    """(B, H, T, D) -> (B, T, H*D): the exact inverse of ``split_heads``."""
    # TODO: move the head dimension back behind T, then flatten (H, D) into H*D.
    raise NotImplementedError


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention.

    Args:
        embed_dim: E. Must be divisible by ``heads``.
        heads: H, the number of attention heads.
        dropout: probability of dropping an attention weight while training.

    Attributes (parameter names are part of the course's API):
        query, key, value, fc_out: ``nn.Linear(E, E)``.
        head_dim: D = E // H.
        dropout: the ``nn.Dropout`` applied to the attention weights.

    Raises:
        ValueError: if ``embed_dim`` is not divisible by ``heads``.
    """

    def __init__(self, embed_dim, heads, dropout=0.0):
        super().__init__()
        # TODO: raise ValueError (mentioning `heads`) if embed_dim % heads != 0.
        # TODO: store embed_dim, heads and head_dim; create query, key, value and
        #       fc_out as nn.Linear(E, E), and an nn.Dropout(dropout).
        raise NotImplementedError

    def forward(self, x, mask=None, return_attention=False):
        """Args:
            x: (B, T, E).
            mask: optional bool mask broadcastable to (B, H, T, T), True = may attend;
                a padding mask of shape (B, 1, 1, T) is the usual case.
            return_attention: also return the weights (B, H, T, T).

        Returns:
            out (B, T, E), or (out, weights) when ``return_attention`` is True.
        """
        # TODO: project x to queries, keys and values, and split each into heads.
        # TODO: get the attention weights from scaled_dot_product_attention, apply
        #       dropout to the weights, then mix the values with them.
        # TODO: merge the heads and apply fc_out.
        raise NotImplementedError
