"""One call to make a run repeatable."""
import random

import torch


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's and torch's random numbers; returns a torch.Generator with the same seed."""
    random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
