"""Step 03 — sinusoidal positional encoding.

Attention treats a sentence as a bag of words: shuffle the words and every word gets
the same result, just shuffled. To let the model know word order, we add to every
token vector a fixed "position signature" made of sines and cosines of different
frequencies:

    pe[pos, 2i]   = sin(pos / 10000^(2i/E))
    pe[pos, 2i+1] = cos(pos / 10000^(2i/E))

The table is computed once and registered as a *buffer*: it is part of the module's
state (it moves with ``.to(device)`` and ``.double()``) but it is not learned.
"""
import math

import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    """Adds the sinusoidal position table to a batch of token vectors.

    Args:
        embed_dim: E, must be even (sines and cosines come in pairs).
        max_len: the longest sequence this module accepts.

    Attributes:
        pe: registered buffer of shape (1, max_len, E).

    Raises:
        ValueError: if ``embed_dim`` is odd.
    """

    def __init__(self, embed_dim, max_len=100):
        super().__init__()
        # TODO: raise ValueError (mentioning `embed_dim`) if embed_dim is odd.
        # TODO: build the (max_len, E) table: even columns sin, odd columns cos.
        # TODO: register it as a buffer named `pe` with shape (1, max_len, E).
        # BEGIN SOLUTION
        if embed_dim % 2 != 0:
            raise ValueError(f"embed_dim must be even, got {embed_dim}")
        self.max_len = max_len
        position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)  # (max_len, 1)
        # 1 / 10000^(2i/E) for i = 0 .. E/2 - 1, computed as exp(-2i * ln(10000) / E)
        div_term = torch.exp(
            torch.arange(0, embed_dim, 2, dtype=torch.float32)
            * (-math.log(10000.0) / embed_dim)
        )  # (E/2,)
        pe = torch.zeros(max_len, embed_dim)
        pe[:, 0::2] = torch.sin(position * div_term)  # (max_len, E/2)
        pe[:, 1::2] = torch.cos(position * div_term)  # (max_len, E/2)
        self.register_buffer("pe", pe.unsqueeze(0))  # (1, max_len, E)
        # END SOLUTION

    def forward(self, x):
        """x: (B, T, E) -> x + pe[:, :T], same shape.

        Raises:
            ValueError: if T is longer than ``max_len``.
        """
        # TODO: raise ValueError (mentioning `max_len`) if the sequence is too long.
        # TODO: add the first T rows of the table to x.
        # BEGIN SOLUTION
        T = x.size(1)
        if T > self.pe.size(1):
            raise ValueError(
                f"sequence length {T} is longer than max_len={self.pe.size(1)}"
            )
        return x + self.pe[:, :T]  # (B, T, E)
        # END SOLUTION
