"""Stand-in language models for testing ``generate`` on its own.

Their next-token scores are fixed and simple, so a test knows exactly what greedy
decoding, temperature and top-k must give, independently of any student's MiniGPT.
They also record how they were called (context length, train mode, gradients).
"""
from __future__ import annotations

import torch
import torch.nn as nn


class ToyLM(nn.Module):
    """Logits at every position come from one row of ``table`` (V, V), chosen by ``rule``:

    * ``"last"``: the token at that position (a bigram model),
    * ``"first"``: the first token of the context it was given,
    * ``"length"``: the context's length (modulo V).
    """

    def __init__(self, table: torch.Tensor, max_len: int, rule: str = "last"):
        super().__init__()
        self.register_buffer("table", table.clone())
        self.max_len = max_len
        self.rule = rule
        self.calls: list[dict] = []  # one entry per forward call
        self.anchor = nn.Parameter(torch.zeros(()))  # so that gradients could flow, if enabled

    def forward(self, ids: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B, T, V)
        B, T = ids.shape
        self.calls.append({"length": T, "training": self.training, "grad": torch.is_grad_enabled()})
        if self.rule == "last":
            keys = ids
        elif self.rule == "first":
            keys = ids[:, :1].expand(B, T)
        else:
            keys = torch.full_like(ids, T % self.table.size(0))
        return self.table[keys] + self.anchor  # (B, T, V)


def bigram_table(vocab_size: int, seed: int) -> torch.Tensor:
    """Random (V, V) logits without ties, from a seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(vocab_size, vocab_size, generator=generator) * 2
