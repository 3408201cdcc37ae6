"""Hostile: one long C++ operation (a huge matrix power) that a Python-level timeout cannot interrupt."""
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    big = torch.randn(3000, 3000)
    return torch.linalg.matrix_power(big, 1000)[: q.shape[-2]], None
