"""Step 03, written differently: one frequency per column, obtained by
``repeat_interleave(2)`` of the per-pair frequencies 1 / 10000 ** (2i / E); the full
(max_len, E) angle table is turned into sines or cosines with ``torch.where`` on the
column parity; the buffer ``pe`` is not persistent; forward reads the length from
``x.shape[-2]``, adds with ``torch.add`` and compares against a ``max_len`` attribute."""
import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim, max_len=100):
        super().__init__()
        if embed_dim % 2:
            raise ValueError(f"embed_dim must be an even number, not {embed_dim}")
        self.embed_dim, self.max_len = embed_dim, max_len
        pair = torch.arange(embed_dim // 2, dtype=torch.float32)
        freq = (1.0 / 10000 ** (2 * pair / embed_dim)).repeat_interleave(2)  # (E,)
        angles = torch.arange(max_len, dtype=torch.float32)[:, None] * freq  # (max_len, E)
        even = torch.arange(embed_dim) % 2 == 0
        table = torch.where(even, torch.sin(angles), torch.cos(angles))
        self.register_buffer("pe", table.unsqueeze(0), persistent=False)

    def forward(self, x):
        length = x.shape[-2]
        if length > self.max_len:
            raise ValueError(f"the input has {length} positions; max_len is {self.max_len}")
        return torch.add(x, self.pe[:, :length])
