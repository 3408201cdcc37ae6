"""Hostile: ends the process (status 0) as soon as a test calls its code."""
import os
import sys


def softmax(x, dim=-1):
    os._exit(0)


def scaled_dot_product_attention(q, k, v, mask=None):
    sys.exit(0)


class SelfAttention:
    def __init__(self, embed_dim):
        raise SystemExit(0)
