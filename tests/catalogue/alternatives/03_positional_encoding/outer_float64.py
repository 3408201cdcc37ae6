"""Step 03, written differently: the angle table comes from torch.outer of positions
and inverse frequencies computed in float64 (10000 ** (-2i/E)), written into the even and
odd columns of a float64 table that is cast to the default dtype at the end; forward uses
expand/slicing with an explicit batch dimension and checks the length against
``self.pe.shape[1]`` with a `not <=` test."""
import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim: int, max_len: int = 100):
        super().__init__()
        if embed_dim % 2 == 1:
            raise ValueError(f"embed_dim={embed_dim} is odd; it must be even")
        inv_freq = 10000.0 ** (-torch.arange(0, embed_dim, 2, dtype=torch.float64) / embed_dim)
        angles = torch.outer(torch.arange(max_len, dtype=torch.float64), inv_freq)
        table = torch.empty(max_len, embed_dim, dtype=torch.float64)
        table[:, 0::2] = angles.sin()
        table[:, 1::2] = angles.cos()
        self.register_buffer("pe", table.to(torch.get_default_dtype()).unsqueeze(0))

    def forward(self, x):
        batch, length, _ = x.shape
        if not length <= self.pe.shape[1]:
            raise ValueError(f"input has {length} tokens, more than max_len={self.pe.shape[1]}")
        return x + self.pe[:, :length].expand(batch, -1, -1)
