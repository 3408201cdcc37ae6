"""Hidden checks of `mask_tokens` (step 06): the 80/10/10 rule, statistically."""
import pytest
import torch

from grader.testkit import check, check_equal, expect_value_error, fail, generator, manual_seed, randint, watch

V, MASK = 1000, 1


def _batch(seed, shape=(400, 100)):
    ids = randint(V - 5, shape, seed=seed) + 5
    ids[:, 0], ids[:, -1] = 2, 3
    return ids


def _call(mask_tokens, ids, specials=(0, 2, 3), **kwargs):
    result = mask_tokens(ids, V, MASK, specials, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"mask_tokens must return (inputs, labels); got {type(result).__name__}.")
    return result


def _split(ids, inputs, labels):
    chosen = labels != -100
    became_mask = chosen & (inputs == MASK)
    unchanged = chosen & (inputs == ids)
    replaced = chosen & ~became_mask & ~unchanged
    return chosen, became_mask, unchanged, replaced


@pytest.mark.parametrize("p", [0.15, 0.5])
def test_choice_rate_follows_mlm_probability(mask_tokens, p):
    ids = _batch(271)
    _, labels = _call(mask_tokens, ids, mlm_probability=p, generator=generator(11))
    rate = (labels[:, 1:-1] != -100).float().mean().item()
    check(abs(rate - p) < 0.015, f"with mlm_probability={p}, {rate:.2%} of the ordinary tokens were chosen.",
          "each non-special token is chosen independently with probability mlm_probability.")


def test_80_10_10_rule(mask_tokens):
    ids = _batch(272)
    inputs, labels = _call(mask_tokens, ids, mlm_probability=0.5, generator=generator(12))
    chosen, became_mask, unchanged, replaced = _split(ids, inputs, labels)
    n = chosen.sum().item()
    shares = {name: part.sum().item() / n for name, part in
              [("[MASK]", became_mask), ("a random id", replaced), ("unchanged", unchanged)]}
    expected = {"[MASK]": 0.8, "a random id": 0.1, "unchanged": 0.1}
    for name, share in shares.items():
        check(abs(share - expected[name]) < 0.02,
              f"of the chosen tokens, {expected[name]:.0%} should become {name}; yours: {share:.1%} "
              f"([MASK] {shares['[MASK]']:.1%}, random {shares['a random id']:.1%}, unchanged {shares['unchanged']:.1%}).",
              "draw once per chosen token: < 0.8 -> mask_id; else half of the rest -> random id; the rest unchanged.")


def test_random_replacements_are_uniform_ids(mask_tokens):
    ids = _batch(273)
    inputs, labels = _call(mask_tokens, ids, mlm_probability=1.0, generator=generator(13))
    _, _, _, replaced = _split(ids, inputs, labels)
    values = inputs[replaced].double()
    check(bool(((values >= 0) & (values < V)).all()), "random replacement ids must lie in [0, vocab_size).")
    check(values.numel() > 1000 and abs(values.mean().item() - (V - 1) / 2) < 40 and values.unique().numel() > 500,
          f"random replacements should be spread uniformly over [0, {V}); got {values.unique().numel()} distinct ids, "
          f"mean {values.mean().item():.0f}.", "use torch.randint(0, vocab_size, ...), one draw per token.")


def test_choices_are_spread_over_the_sequence(mask_tokens):
    ids = _batch(274)
    _, labels = _call(mask_tokens, ids, mlm_probability=0.3, generator=generator(14))
    chosen = (labels != -100).float()
    first, second = chosen[:, 1:50].mean().item(), chosen[:, 50:99].mean().item()
    check(abs(first - second) < 0.03, f"the first half of the sequences had {first:.1%} chosen, the second {second:.1%}.",
          "draw independently for every position.")


def test_probability_zero_and_one(mask_tokens):
    ids = _batch(275, shape=(8, 20))
    inputs, labels = _call(mask_tokens, ids, mlm_probability=0.0, generator=generator(15))
    check(bool((labels == -100).all()), "with mlm_probability=0, no token may be chosen.")
    check_equal(inputs, ids, "inputs with mlm_probability=0")
    _, labels = _call(mask_tokens, ids, mlm_probability=1.0, generator=generator(16))
    check_equal(labels[:, 1:-1], ids[:, 1:-1], "labels with mlm_probability=1 (every ordinary token chosen)")
    check(bool((labels[:, [0, -1]] == -100).all()), "special tokens must never be chosen, even with mlm_probability=1.")


def test_same_generator_seed_gives_the_same_masking(mask_tokens):
    ids = _batch(276, shape=(16, 30))
    first = _call(mask_tokens, ids, generator=generator(17))
    second = _call(mask_tokens, ids, generator=generator(17))
    check(torch.equal(first[0], second[0]) and torch.equal(first[1], second[1]),
          "two calls with generators of the same seed gave different results.", "pass `generator` to every random draw.")
    third = _call(mask_tokens, ids, generator=generator(18))
    check(not torch.equal(first[1], third[1]), "generators with different seeds gave the same masking.")
    manual_seed(5)
    fourth = _call(mask_tokens, ids)
    manual_seed(5)
    fifth = _call(mask_tokens, ids)
    check(torch.equal(fourth[0], fifth[0]) and torch.equal(fourth[1], fifth[1]),
          "with generator=None, the global seed (torch.manual_seed) must make the masking repeatable.")


@pytest.mark.parametrize("specials", [{0, 2, 3}, [3, 2, 0], range(0, 4)], ids=["set", "list", "range"])
def test_special_ids_may_be_any_iterable(mask_tokens, specials):
    ids = _batch(277, shape=(10, 20))
    ids[:, 5] = 1 if isinstance(specials, range) else 7
    inputs, labels = _call(mask_tokens, ids, specials=specials, mlm_probability=1.0, generator=generator(19))
    special = torch.zeros_like(ids, dtype=torch.bool)
    for special_id in specials:
        special |= ids == special_id
    check(bool((labels[special] == -100).all()), f"special_ids given as a {type(specials).__name__} were chosen.")
    check_equal(labels[~special], ids[~special], "labels of the non-special tokens with mlm_probability=1")


def test_negative_probability_is_refused(mask_tokens):
    expect_value_error(mask_tokens, _batch(278, shape=(2, 5)), V, MASK, (0,), mlm_probability=-0.1,
                       mentions="mlm_probability", what="mask_tokens(..., mlm_probability=-0.1)")


def test_rows_are_masked_independently(mask_tokens):
    ids = _batch(279, shape=(400, 60))
    _, labels = _call(mask_tokens, ids, mlm_probability=0.15, generator=generator(20))
    counts = (labels != -100).sum(dim=1).double()  # 58 ordinary tokens per row
    binomial_std = (58 * 0.15 * 0.85) ** 0.5
    check(counts.std().item() > 0.5 * binomial_std,
          f"the number of chosen tokens per row hardly varies (from {int(counts.min())} to {int(counts.max())}, spread "
          f"{counts.std().item():.2f}); independent choices with probability 0.15 give a spread of about {binomial_std:.2f}.",
          "choose each token on its own (uniform draw < mlm_probability), not a fixed number per row.")


def test_random_ids_include_every_id(mask_tokens):
    vocab = 30
    ids = randint(vocab - 4, (400, 50), seed=280) + 4
    inputs, labels = mask_tokens(ids, vocab, MASK, (0, 2, 3), mlm_probability=1.0, generator=generator(21))
    replaced = (labels != -100) & (inputs != MASK) & (inputs != ids)
    seen = set(inputs[replaced].tolist())
    missing = sorted(set(range(vocab)) - {MASK} - seen)
    check(not missing and seen <= set(range(vocab)),
          f"with vocab_size={vocab}, about {int(replaced.sum())} random replacements never used the ids {missing}"
          + (f" and used ids outside [0, {vocab}): {sorted(seen - set(range(vocab)))}" if not seen <= set(range(vocab)) else "")
          + ".", "random ids are uniform over [0, vocab_size), special ids included: torch.randint(0, vocab_size, ...).")


def test_fresh_draws_without_a_generator(mask_tokens):
    ids = _batch(281, shape=(16, 30))
    manual_seed(8)
    first = _call(mask_tokens, ids)
    second = _call(mask_tokens, ids)
    check(not torch.equal(first[1], second[1]),
          "two successive calls without a generator chose exactly the same tokens (every epoch would mask the same words).",
          "with generator=None, draw from torch's global random state; do not seed a generator or torch yourself.")


def test_input_ids_are_left_alone(mask_tokens):
    ids = watch(_batch(282, shape=(20, 30)))  # in-place changes made by mask_tokens show here
    before = ids.clone()
    inputs, _ = _call(mask_tokens, ids, mlm_probability=0.5, generator=generator(22))
    check_equal(ids, before, "input_ids after mask_tokens", "work on a copy: inputs = input_ids.clone().")
    check(not torch.equal(inputs, before), "with mlm_probability=0.5, mask_tokens changed none of the 560 ordinary tokens.")
