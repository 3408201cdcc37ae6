"""Step 03, written differently: each sin/cos pair is the complex number
exp(i * angle) built with ``torch.polar`` in float64; ``view_as_real`` gives (cos, sin)
pairs, ``flip`` puts sin first and ``flatten`` interleaves them. The buffer is kept in
float64 (the most exact table) and cast to the input's dtype when it is used, so a
float32 input still gives a float32 output; ``max_len`` is read from the buffer."""
import math

import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim: int, max_len: int = 100) -> None:
        super().__init__()
        if embed_dim % 2 != 0:
            raise ValueError(f"embed_dim={embed_dim}: sines and cosines come in pairs, so it must be even")
        exponent = torch.arange(0, embed_dim, 2, dtype=torch.float64) / embed_dim
        angles = torch.arange(max_len, dtype=torch.float64).unsqueeze(-1) * torch.exp(-exponent * math.log(10000.0))
        pairs = torch.view_as_real(torch.polar(torch.ones_like(angles), angles))  # (max_len, E/2, 2): cos, sin
        self.register_buffer("pe", pairs.flip(-1).flatten(-2).unsqueeze(0))  # (1, max_len, E), float64

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.size(1)
        if T > self.pe.size(1):
            raise ValueError(f"sequence length {T} exceeds max_len ({self.pe.size(1)})")
        return x + self.pe[:, :T].to(x.dtype)
