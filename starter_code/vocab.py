"""A tiny word-level vocabulary: words <-> ids, the way the lessons' demos use them.

>>> vocab = Vocab(["i", "love", "ai"], specials=["[PAD]", "[MASK]"])
>>> vocab.encode("i love ai")
tensor([[2, 3, 4]])
>>> vocab.decode([2, 3, 1])
'i love [MASK]'
"""
from __future__ import annotations

import torch


class Vocab:
    """Maps words to ids and back. Special tokens (``[PAD]``, ``[MASK]`` ...) come first."""

    def __init__(self, words, specials=()):
        self.itos: list[str] = []
        for word in [*specials, *words]:
            if word not in self.itos:
                self.itos.append(word)
        self.stoi = {word: i for i, word in enumerate(self.itos)}
        self.specials = list(specials)

    def __len__(self) -> int:
        return len(self.itos)

    def __getitem__(self, word: str) -> int:
        return self.stoi[word]

    def encode(self, sentence: str | list[str]) -> torch.Tensor:
        """'i love ai' -> a (1, T) tensor of ids (a batch of one sentence)."""
        words = sentence.split() if isinstance(sentence, str) else list(sentence)
        unknown = [w for w in words if w not in self.stoi]
        if unknown:
            raise KeyError(f"not in the vocabulary: {', '.join(unknown)}")
        return torch.tensor([[self.stoi[w] for w in words]])

    def decode(self, ids) -> str:
        """A sequence of ids (list or 1-D tensor) -> the words joined by spaces."""
        if isinstance(ids, torch.Tensor):
            ids = ids.flatten().tolist()
        return " ".join(self.itos[i] for i in ids)
