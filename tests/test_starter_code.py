"""The given support code works as its docstrings say."""
import doctest

import pytest
import torch

import starter_code.vocab
from starter_code import Vocab, seed_everything


def _doctests_pass(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0, result


def test_vocab_doctest():
    _doctests_pass(starter_code.vocab)


def test_vocab_round_trip_and_specials():
    vocab = Vocab(["i", "love", "ai", "love"], specials=["[PAD]", "[MASK]"])
    assert len(vocab) == 5 and vocab["[PAD]"] == 0 and vocab["ai"] == 4
    ids = vocab.encode(["i", "love", "ai"])
    assert ids.shape == (1, 3) and vocab.decode(ids) == "i love ai"
    with pytest.raises(KeyError, match="cats"):
        vocab.encode("i love cats")


def test_seed_everything_repeats_runs():
    generator = seed_everything(3)
    a, b = torch.randn(2), torch.randn(2, generator=generator)
    seed_everything(3)
    assert torch.equal(a, torch.randn(2))
    assert torch.equal(b, torch.randn(2, generator=torch.Generator().manual_seed(3)))


def test_plotting_doctest_draws_without_a_screen():
    import starter_code.plotting

    _doctests_pass(starter_code.plotting)
