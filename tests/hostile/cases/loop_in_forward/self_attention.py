"""Hostile: an endless loop in scaled_dot_product_attention; the rest is missing."""


def scaled_dot_product_attention(q, k, v, mask=None):
    while True:
        pass
