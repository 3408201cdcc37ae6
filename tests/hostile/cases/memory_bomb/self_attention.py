"""Hostile: tries to take ~6 GB of memory at import time."""
import torch

hog = torch.ones(6 * 1024**3, dtype=torch.uint8)


def softmax(x, dim=-1):
    return x
