"""Step 03, written differently: the table is a (max_len, E/2, 2) tensor whose last dim
holds sin(angle) and cos(angle) written as sin(angle + pi/2) (the phase-shift form of
the slide), then ``reshape``d to (max_len, E); the angle is pos * 10000 ** (-2i/E) with
``math`` constants; the buffer is registered under another name (``table``); forward
also accepts an unbatched (T, E) input and uses ``narrow``."""
import math

import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim, max_len=100):
        super().__init__()
        if embed_dim % 2 != 0:
            raise ValueError(f"odd embed_dim ({embed_dim}) is not supported")
        self.max_len = max_len
        pos = torch.arange(max_len).float().view(-1, 1)
        inv = torch.pow(10000.0, -torch.arange(0, embed_dim, 2).float() / embed_dim)
        angle = pos * inv  # (max_len, E/2)
        table = torch.empty(max_len, embed_dim // 2, 2)
        table[..., 0] = torch.sin(angle)
        table[..., 1] = torch.sin(angle + math.pi / 2)
        self.register_buffer("table", table.reshape(1, max_len, embed_dim))

    def forward(self, x):
        T = x.size(-2)
        if T > self.max_len:
            raise ValueError(f"{T} tokens do not fit: max_len={self.max_len}")
        pe = self.table.narrow(1, 0, T)
        return x + (pe if x.dim() == 3 else pe[0])
