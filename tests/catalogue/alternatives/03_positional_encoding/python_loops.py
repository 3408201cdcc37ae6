"""Step 03, written differently: the table is filled with math.sin/math.cos in plain
Python loops (in double precision, like the formula on the slide) and then cast to
float32; the buffer is called `table` instead of `pe` and is not persistent (it is not
saved in the state_dict); the length limit is kept in an attribute."""
import math

import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim, max_len=100):
        super().__init__()
        if embed_dim % 2:
            raise ValueError(f"PositionalEncoding needs an even embed_dim, got embed_dim={embed_dim}")
        self.max_len = max_len
        rows = []
        for pos in range(max_len):
            row = []
            for i in range(0, embed_dim, 2):
                angle = pos / 10000 ** (i / embed_dim)
                row += [math.sin(angle), math.cos(angle)]
            rows.append(row)
        table = torch.tensor(rows, dtype=torch.float64).reshape(max_len, embed_dim).float()
        self.register_buffer("table", table[None], persistent=False)

    def forward(self, x):
        length = x.shape[1]
        if length > self.max_len:
            raise ValueError(f"got {length} positions but max_len is {self.max_len}")
        return x + self.table[:, :length, :]
