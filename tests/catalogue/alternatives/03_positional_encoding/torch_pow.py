"""Step 03, written differently: the angles use torch.pow(10000, 2i/E) and a division
instead of exp/log; sines and cosines are computed as two (max_len, E/2) tensors and
interleaved with torch.stack(..., dim=-1).flatten(); the table is stored 2-D (max_len, E)
and reshaped in forward with narrow/unsqueeze."""
import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim, max_len=100):
        super().__init__()
        if embed_dim % 2 != 0:
            raise ValueError("embed_dim must be even (sines and cosines come in pairs)")
        pos = torch.arange(max_len, dtype=torch.float32)[:, None]
        two_i = torch.arange(0, embed_dim, 2, dtype=torch.float32)
        angles = pos / torch.pow(torch.tensor(10000.0), two_i / embed_dim)
        pe = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).flatten(start_dim=1)
        self.register_buffer("pe", pe)

    def forward(self, x):
        seq_len = x.size(1)
        if seq_len > self.pe.size(0):
            raise ValueError(f"sequence of {seq_len} tokens exceeds max_len ({self.pe.size(0)})")
        return x + self.pe.narrow(0, 0, seq_len).unsqueeze(0)
