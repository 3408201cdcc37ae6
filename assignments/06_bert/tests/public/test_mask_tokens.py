"""Public checks of `mask_tokens` (step 06)."""
import pytest
import torch

from grader.testkit import check, check_equal, expect_value_error, fail, generator, randint, watch

V, MASK, SPECIALS = 50, 1, (0, 2, 3)  # [PAD] = 0, [MASK] = 1, [CLS] = 2, [SEP] = 3


def _batch(seed, shape=(64, 32)):
    ids = randint(V - 4, shape, seed=seed) + 4  # ordinary words 4..49
    ids[:, 0], ids[:, -1] = 2, 3  # [CLS] ... [SEP]
    ids[::4, -6:-1] = 0  # some padding
    return ids


def _call(mask_tokens, ids, **kwargs):
    result = mask_tokens(ids, V, MASK, SPECIALS, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"mask_tokens must return (inputs, labels); got {type(result).__name__}.")
    return result


def test_mask_tokens_shapes_and_input_untouched(mask_tokens):
    ids = watch(_batch(261))  # in-place changes made by mask_tokens show here
    before = ids.clone()
    inputs, labels = _call(mask_tokens, ids, generator=generator(1))
    check(inputs.shape == ids.shape and labels.shape == ids.shape,
          f"inputs and labels must have the shape of input_ids {tuple(ids.shape)}; got {tuple(inputs.shape)} and {tuple(labels.shape)}.")
    check_equal(ids, before, "input_ids after mask_tokens", "work on a copy: input_ids.clone().")


def test_labels_hold_the_original_ids_where_chosen(mask_tokens):
    ids = _batch(262)
    inputs, labels = _call(mask_tokens, ids, generator=generator(2))
    chosen = labels != -100
    check(bool(chosen.any()), "no token was chosen at all with mlm_probability=0.15 on 2048 tokens.")
    check_equal(labels[chosen], ids[chosen], "labels at the chosen positions",
                "labels keep the ORIGINAL id of every chosen token (what the model must predict).")
    check_equal(inputs[~chosen], ids[~chosen], "inputs at positions that were not chosen",
                "only chosen tokens may change; everywhere else labels are -100 and inputs are untouched.")


def test_special_tokens_are_never_chosen(mask_tokens):
    ids = _batch(263)
    inputs, labels = _call(mask_tokens, ids, mlm_probability=0.9, generator=generator(3))
    special = (ids == 0) | (ids == 2) | (ids == 3)
    check(bool((labels[special] == -100).all()), "a special token ([PAD], [CLS], [SEP]) was chosen for masking.",
          "exclude every id in special_ids before choosing.")
    check_equal(inputs[special], ids[special], "special tokens in inputs")


def test_about_15_percent_are_chosen(mask_tokens):
    ids = _batch(264, shape=(200, 100))
    _, labels = _call(mask_tokens, ids, generator=generator(4))
    ordinary = (ids > 3)
    rate = (labels[ordinary] != -100).float().mean().item()
    check(abs(rate - 0.15) < 0.02, f"about 15 % of the ordinary tokens should be chosen; you chose {rate:.1%}.",
          "choose each token independently with probability mlm_probability.")


@pytest.mark.parametrize("p", [1.5, -0.1])
def test_bad_probability_is_refused(mask_tokens, p):
    expect_value_error(mask_tokens, _batch(265), V, MASK, SPECIALS, mlm_probability=p, mentions="mlm_probability",
                       what=f"mask_tokens(..., mlm_probability={p})")


def test_probability_zero_and_one_are_allowed(mask_tokens):
    ids = _batch(266, shape=(6, 12))
    inputs, labels = _call(mask_tokens, ids, mlm_probability=0.0, generator=generator(5))
    check(bool((labels == -100).all()), "with mlm_probability=0, no token may be chosen.")
    check_equal(inputs, ids, "inputs with mlm_probability=0")
    _, labels = _call(mask_tokens, ids, mlm_probability=1.0, generator=generator(6))
    ordinary = ids > 3
    check_equal(labels[ordinary], ids[ordinary], "labels of the ordinary tokens with mlm_probability=1 (all chosen)",
                "0 and 1 are valid probabilities: refuse only values outside [0, 1].")


def test_80_10_10_rule(mask_tokens):
    ids = _batch(267, shape=(200, 100))
    inputs, labels = _call(mask_tokens, ids, mlm_probability=0.5, generator=generator(7))
    chosen = labels != -100
    shares = {"[MASK]": chosen & (inputs == MASK), "unchanged": chosen & (inputs == ids)}
    shares["a random id"] = chosen & ~shares["[MASK]"] & ~shares["unchanged"]
    n = chosen.sum().item()
    shares = {name: part.sum().item() / n for name, part in shares.items()}
    summary = ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
    for name, expected in [("[MASK]", 0.8), ("a random id", 0.1), ("unchanged", 0.1)]:
        check(abs(shares[name] - expected) < 0.03,
              f"of the chosen tokens, {expected:.0%} should become {name}; yours: {shares[name]:.1%} ({summary}).",
              "for every chosen token: with probability 0.8 -> mask_id; otherwise, half of the time a random id, "
              "else unchanged.")


def test_random_ids_cover_the_whole_vocabulary(mask_tokens):
    ids = _batch(268, shape=(200, 100))
    inputs, labels = _call(mask_tokens, ids, mlm_probability=1.0, generator=generator(8))
    chosen = labels != -100
    replaced = chosen & (inputs != MASK) & (inputs != ids)
    seen = set(inputs[replaced].tolist())
    missing = sorted(set(range(V)) - {MASK} - seen)  # a random mask_id looks like [MASK]
    check(not missing and seen <= set(range(V)),
          f"over about {int(replaced.sum())} random replacements, the ids {missing} never appeared"
          + (f" and ids outside [0, {V}) did: {sorted(seen - set(range(V)))}" if not seen <= set(range(V)) else "") + ".",
          f"draw every random id uniformly from [0, vocab_size) = [0, {V}), one draw per token: "
          "torch.randint(0, vocab_size, input_ids.shape, generator=generator).")


def test_same_generator_seed_gives_the_same_masking(mask_tokens):
    ids = _batch(269, shape=(16, 30))
    first = _call(mask_tokens, ids, generator=generator(9))
    second = _call(mask_tokens, ids, generator=generator(9))
    check(torch.equal(first[0], second[0]) and torch.equal(first[1], second[1]),
          "two calls with generators of the same seed gave different results.",
          "pass `generator` to every random draw (torch.rand / torch.randint(..., generator=generator)).")
    third = _call(mask_tokens, ids, generator=generator(10))
    check(not torch.equal(first[1], third[1]), "generators with different seeds chose exactly the same tokens.",
          "draw from `generator`; do not reset a seed yourself (torch.manual_seed) inside mask_tokens.")


def test_every_call_without_a_generator_draws_anew(mask_tokens):
    ids = _batch(270, shape=(16, 30))
    first = _call(mask_tokens, ids)
    second = _call(mask_tokens, ids)
    check(not torch.equal(first[1], second[1]),
          "two successive calls without a generator chose exactly the same tokens: every training step would "
          "mask the same words.", "with generator=None, draw from torch's global random state; do not create a "
          "generator with a fixed seed or call torch.manual_seed inside mask_tokens.")


def test_rows_are_masked_independently(mask_tokens):
    ids = _batch(271, shape=(300, 40))
    _, labels = _call(mask_tokens, ids, mlm_probability=0.25, generator=generator(11))
    counts = (labels[1::4] != -100).sum(dim=1).double()  # rows without padding: 38 ordinary tokens each
    binomial_std = (38 * 0.25 * 0.75) ** 0.5
    check(counts.std().item() > 0.5 * binomial_std,
          f"every row had between {int(counts.min())} and {int(counts.max())} chosen tokens (spread "
          f"{counts.std().item():.2f}); choosing each token independently with probability 0.25 gives a spread "
          f"of about {binomial_std:.2f}.",
          "choose each token on its own (uniform draw < mlm_probability), not a fixed number per row.")


@pytest.mark.parametrize("specials", [{0, 2, 3}, range(0, 4)], ids=["set", "range"])
def test_special_ids_may_be_any_iterable(mask_tokens, specials):
    ids = _batch(272, shape=(8, 12))
    result = mask_tokens(ids, V, MASK, specials, mlm_probability=1.0, generator=generator(12))
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"mask_tokens must return (inputs, labels); got {type(result).__name__}.")
    _, labels = result
    special = torch.zeros_like(ids, dtype=torch.bool)
    for special_id in specials:
        special |= ids == special_id
    check(bool((labels[special] == -100).all()), f"special_ids given as a {type(specials).__name__} were chosen.")
    check_equal(labels[~special], ids[~special], f"labels of the other tokens (special_ids={specials!r}, mlm_probability=1)",
                "special_ids is any iterable of ints (a set, a range, ...): loop over it, or build a list first "
                "(torch.tensor(special_ids) fails on a set).")
