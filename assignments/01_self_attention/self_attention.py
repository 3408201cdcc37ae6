"""Step 01 — self-attention.

Every word looks at every other word and decides how much each one matters to it.
This module builds that idea from three small pieces:

* ``softmax``: turns raw scores into weights that are positive and sum to 1;
* ``scaled_dot_product_attention``: scores queries against keys, turns the scores
  into weights and mixes the values with them;
* ``SelfAttention``: learns the query, key and value projections of a sentence and
  lets the sentence attend to itself.

Shapes use B = batch, T = sequence length, E = embedding size.
Masks are boolean and mean "True = may attend" (PyTorch's convention).
"""
import math

import torch
import torch.nn as nn


def softmax(x, dim=-1):
    """Numerically stable softmax of ``x`` along ``dim``.

    Args:
        x: a float tensor of any shape, e.g. attention scores (B, T_q, T_k).
        dim: the dimension whose entries become a probability distribution.

    Returns:
        A tensor of the same shape as ``x``: every slice along ``dim`` is positive
        and sums to 1. Large logits (±1e4) must not turn into ``inf`` or ``nan``.

    ``torch.softmax``, ``F.softmax`` and ``Tensor.softmax`` are not allowed here:
    this is the one place in the course where you write softmax yourself.
    """
    # TODO: subtract the maximum along `dim` (keepdim=True) so that exp() cannot overflow.
    # TODO: exponentiate, then divide by the sum along `dim` (keepdim=True).
    raise NotImplementedError


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d)) V.

    Args:
        q: queries (..., T_q, d).
        k: keys    (..., T_k, d).
        v: values  (..., T_k, d_v).
        mask: optional bool tensor broadcastable to (..., T_q, T_k);
            True = this query may attend to this key. Masked keys get weight 0.

    Returns:
        out: (..., T_q, d_v), each query's weighted mix of the values.
        weights: (..., T_q, T_k), the attention weights (rows sum to 1).

    ``d`` is the last dimension of ``q``. Any leading dimensions (batch, heads)
    are carried along, and T_q may differ from T_k.
    """
    # TODO: scores = q @ kᵀ (transpose the last two dims of k), divided by sqrt(d).
    # TODO: where the mask is False, replace the score by -inf so its weight becomes 0.
    # TODO: weights = softmax(scores) over the keys; out = weights @ v.
    raise NotImplementedError


class SelfAttention(nn.Module):
    """Single-head self-attention: the sentence attends to itself.

    Args:
        embed_dim: E, the size of every token vector.

    Attributes (parameter names are part of the course's API):
        query, key, value: ``nn.Linear(E, E)`` projections, with bias.
    """

    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim
        # TODO: three projections nn.Linear(E, E) named query, key and value.
        raise NotImplementedError

    def forward(self, x, mask=None, return_attention=False):
        """Args:
            x: (B, T, E) token vectors.
            mask: optional bool mask broadcastable to (B, T, T), True = may attend.
            return_attention: also return the (B, T, T) attention weights.

        Returns:
            out (B, T, E), or (out, weights) when ``return_attention`` is True.
        """
        # TODO: project x into queries, keys and values (each (B, T, E)).
        # TODO: reuse scaled_dot_product_attention, then honour return_attention.
        raise NotImplementedError
