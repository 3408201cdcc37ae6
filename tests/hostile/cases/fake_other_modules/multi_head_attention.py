"""Hostile (step 02): replaces the other steps' modules with fakes and patches torch."""
import sys
import types

import torch

fake = types.ModuleType("self_attention")
fake.scaled_dot_product_attention = lambda q, k, v, mask=None: (v, torch.zeros(1))
fake.softmax = lambda x, dim=-1: x
sys.modules["self_attention"] = fake
sys.modules["transformer_block"] = fake
torch.Tensor.__eq__ = lambda self, other: True


def split_heads(x, heads):
    return x


def merge_heads(x):
    return x


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, embed_dim, heads, dropout=0.0):
        super().__init__()

    def forward(self, x, mask=None, return_attention=False):
        return (x, x) if return_attention else x
