"""Hidden checks of `generate` (step 07). ``ToyLM`` (a stand-in model with fixed scores that
records its calls) comes as a fixture: the grader creates it where the student's code runs."""
import pytest
import torch

from grader.testkit import check, check_equal, expect_value_error, generator, randint, watch
from grader import toymodels
from grader.toymodels import bigram_table

V = 8


def _toy(ToyLM, seed=371, max_len=50, rule="last", table=None):
    return ToyLM(bigram_table(V, seed) if table is None else table, max_len=max_len, rule=rule)


def _frequencies(tokens, vocab=V):
    return torch.bincount(tokens.flatten(), minlength=vocab).double() / tokens.numel()


def _greedy_trace(table, prompt, n):
    """Greedy decoding of a bigram model: follow the argmax from the last token."""
    ids = prompt.tolist()
    for _ in range(n):
        ids.append(int(table[ids[-1]].argmax()))
    return torch.tensor(ids)


def test_greedy_matches_the_expected_trace(generate, ToyLM):
    table = bigram_table(V, 372)
    prompt = randint(V, (2, 3), seed=372)
    out = generate(_toy(ToyLM, table=table), prompt, 6)
    for row in range(2):
        check_equal(out[row], _greedy_trace(table, prompt[row], 6), f"greedy generation, row {row}",
                    "take the argmax of the LAST position's logits, append it, repeat.")


@pytest.mark.parametrize("rule,max_len,length", [("last", 50, 3), ("first", 4, 7), ("length", 5, 2)])
def test_greedy_equals_the_reference_trace(generate, ref, ToyLM, rule, max_len, length):
    # The same stand-in model twice: the student's copy where the student's code runs, the
    # reference's here. Greedy decoding is deterministic, so the two traces must agree.
    table = bigram_table(V, 381)
    prompt = randint(V, (3, length), seed=382)
    expected = ref.generate(toymodels.ToyLM(table, max_len=max_len, rule=rule), prompt, 6)
    check_equal(generate(_toy(ToyLM, table=table, max_len=max_len, rule=rule), prompt, 6), expected,
                f"greedy generation vs the reference's (model reading its {rule} token(s), max_len={max_len})",
                "argmax of the last position's logits, appended per row; the context cropped to the last max_len tokens.")


def test_greedy_sees_the_whole_context(generate, ToyLM):
    table = bigram_table(V, 373)
    model = _toy(ToyLM, rule="first", table=table)  # scores come from the first token of the context it sees
    prompt = torch.tensor([[5, 1, 2], [0, 7, 7]])
    expected = torch.cat([prompt, table[prompt[:, 0]].argmax(-1, keepdim=True).expand(2, 4)], dim=1)
    check_equal(generate(model, prompt, 4), expected, "greedy generation with a model that reads its whole context",
                "give the model the whole sequence so far (cropped to the last model.max_len tokens), not only the last token.")


def test_rows_of_a_batch_are_independent(generate, ToyLM):
    model = _toy(ToyLM, 374)
    prompt = randint(V, (3, 4), seed=374)
    together = generate(model, prompt, 5)
    for row in range(3):
        check_equal(together[row:row + 1], generate(model, prompt[row:row + 1], 5), f"row {row} of a batch vs generated alone",
                    "pick the next token per row (argmax over the last dim) and append a (B, 1) column.")


def test_prompt_longer_than_max_len(generate, ToyLM):
    table = bigram_table(V, 380)
    model = _toy(ToyLM, max_len=6, rule="length", table=table)  # scores come from the context's length
    prompt = randint(V, (2, 9), seed=380)
    expected = torch.cat([prompt, table[6].argmax().expand(2, 4)], dim=1)  # every step sees exactly 6 tokens
    check_equal(generate(model, prompt, 4), expected, "generation from a 9-token prompt with max_len=6",
                "feed the model only the last model.max_len tokens: ids[:, -model.max_len:].")


def test_the_model_sees_at_most_max_len_tokens(generate, ToyLM):
    model = _toy(ToyLM, max_len=4, rule="length")
    generate(model, torch.tensor([[1, 2, 3, 4, 5, 6]]), 3)
    lengths = [call["length"] for call in model.calls]
    check(lengths and max(lengths) <= 4, f"with model.max_len=4 the model was called on contexts of length {lengths}.",
          "crop the context to the last model.max_len tokens before every call.")


def test_the_crop_keeps_the_most_recent_tokens(generate, ToyLM):
    table = bigram_table(V, 375)
    model = _toy(ToyLM, max_len=3, rule="first", table=table)
    ids = [1, 2, 3, 4, 5]
    for _ in range(4):  # what a correct crop gives: the model keys on the first of the last 3 tokens
        ids.append(int(table[ids[-3]].argmax()))
    check_equal(generate(model, torch.tensor([[1, 2, 3, 4, 5]]), 4)[0], torch.tensor(ids),
                "generation when the context must be cropped", "keep the LAST max_len tokens, not the first.")


def test_generate_runs_in_eval_mode_without_gradients(generate, ToyLM):
    model = _toy(ToyLM).train()
    generate(model, torch.tensor([[1, 2]]), 3)
    check(all(not call["training"] for call in model.calls), "the model was called in training mode.",
          "call model.eval() before generating (dropout must be off).")
    check(all(not call["grad"] for call in model.calls), "the model was called with gradients enabled.",
          "generate inside `with torch.no_grad():`.")
    check(model.training, "generate left a model that was in training mode in eval mode.",
          "remember model.training before and restore it with model.train(was_training) at the end.")
    model.eval()
    generate(model, torch.tensor([[1, 2]]), 2)
    check(not model.training, "generate switched a model in eval mode to training mode.")


def test_greedy_equals_top_k_1_sampling(generate, ToyLM):
    model = _toy(ToyLM, 376)
    prompt = torch.tensor([[3, 1], [0, 6]])
    greedy = generate(model, prompt, 6)
    for temperature in (0.7, 1.5):
        sampled = generate(model, prompt, 6, temperature=temperature, top_k=1, do_sample=True, generator=generator(1))
        check_equal(sampled, greedy, f"sampling with top_k=1, temperature={temperature}",
                    "with top_k=1 only the most likely token may be sampled.")


def test_seeded_sampling_is_reproducible(generate, ToyLM):
    model = _toy(ToyLM, 377)
    prompt = torch.tensor([[1], [2], [3], [4]])
    first = generate(model, prompt, 8, do_sample=True, generator=generator(5))
    second = generate(model, prompt, 8, do_sample=True, generator=generator(5))
    check_equal(second, first, "two samplings with generators of the same seed", "pass `generator` to torch.multinomial.")
    other = generate(model, prompt, 8, do_sample=True, generator=generator(6))
    check(not torch.equal(other, first), "generators with different seeds sampled the same tokens.")
    greedy = generate(model, prompt, 8)
    check(not torch.equal(first, greedy), "do_sample=True gave exactly the greedy tokens on 32 draws.",
          "when do_sample is True, draw from the softmax distribution (torch.multinomial).")


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sampling_follows_softmax_of_logits_over_temperature(generate, temperature, ToyLM):
    table = bigram_table(V, 378)
    model = ToyLM(table, max_len=10)
    out = generate(model, torch.full((4000, 1), 2), 1, temperature=temperature, do_sample=True, generator=generator(7))
    got = _frequencies(out[:, 1])
    expected = torch.softmax(table[2].double() / temperature, dim=-1)
    distance = (got - expected).abs().sum().item() / 2
    check(distance < 0.05, f"with temperature={temperature}, the sampled frequencies {got.numpy().round(3).tolist()} are far from "
          f"softmax(logits / temperature) = {expected.numpy().round(3).tolist()} (total variation {distance:.3f}).",
          "divide the logits by the temperature before the softmax (not multiply, not after).")


@pytest.mark.parametrize("temperature", [1.0, 2.0])
def test_top_k_samples_only_the_k_most_likely(generate, ToyLM, temperature):
    # Two different prompts interleaved in one batch: every row is cut at its own k-th value.
    table = bigram_table(V, 379)
    model = ToyLM(table, max_len=10)
    prompt = torch.tensor([4, 1]).repeat(4000).view(-1, 1)
    out = generate(model, prompt, 1, temperature=temperature, top_k=3, do_sample=True, generator=generator(8))
    for token in (4, 1):
        rows = out[prompt[:, 0] == token, 1]
        top3 = torch.topk(table[token], 3).indices.tolist()
        sampled = set(rows.tolist())
        check(sampled <= set(top3), f"after token {token}, top_k=3 sampled tokens {sorted(sampled - set(top3))} outside "
              f"the 3 most likely {sorted(top3)}.", "find the k-th largest logit of EACH row (shape (B, 1)) and cut every row at its own.")
        expected = torch.zeros(V, dtype=torch.float64)
        expected[top3] = torch.softmax(table[token, top3].double() / temperature, -1)
        distance = (_frequencies(rows) - expected).abs().sum().item() / 2
        check(distance < 0.05, f"after token {token}, with top_k=3 and temperature={temperature}, the sampled frequencies "
              f"{_frequencies(rows).numpy().round(3).tolist()} are far from the renormalised top-3 softmax of logits / "
              f"temperature = {expected.numpy().round(3).tolist()} (total variation {distance:.3f}).",
              "divide the logits by the temperature, set the logits below the k-th largest to -inf, then softmax and sample.")


def test_top_k_larger_than_the_vocabulary_keeps_every_token(generate, ToyLM):
    table = bigram_table(V, 383)
    model = ToyLM(table, max_len=10)
    out = generate(model, torch.full((3000, 1), 5), 1, top_k=V + 4, do_sample=True, generator=generator(10))
    expected = torch.softmax(table[5].double(), dim=-1)
    distance = (_frequencies(out[:, 1]) - expected).abs().sum().item() / 2
    check(distance < 0.05, f"with top_k={V + 4} > vocabulary size {V}, the sampled frequencies are far from the plain softmax "
          f"(total variation {distance:.3f}).", "a top_k of at least the vocabulary size keeps every token: "
          "torch.topk(logits, min(top_k, logits.size(-1))).")


def test_successive_sampling_steps_draw_fresh_random_numbers(generate, ToyLM):
    model = ToyLM(torch.zeros(V, V), max_len=200)  # every next token is uniform over the vocabulary
    out = generate(model, torch.zeros(4, 1, dtype=torch.long), 100, do_sample=True, generator=generator(11))
    got = _frequencies(out[:, 1:])
    distance = (got - 1 / V).abs().sum().item() / 2
    check(distance < 0.2, f"400 tokens sampled from a uniform model have frequencies {got.numpy().round(3).tolist()}, "
          f"far from uniform (total variation {distance:.3f}); the rows were {out[:, 1:9].tolist()}...",
          "use the same generator object for every step (it advances by itself); do not re-seed or copy it inside the loop.")


def test_top_k_keeps_ties_at_the_kth_value(generate, ToyLM):
    row = torch.tensor([5.0, 3.0, 3.0, 1.0, 0.0, -1.0, -2.0, -3.0])
    model = ToyLM(row.expand(V, V).clone(), max_len=10)
    out = generate(model, torch.zeros(3000, 1, dtype=torch.long), 1, top_k=2, do_sample=True, generator=generator(9))
    sampled = set(out[:, 1].tolist())
    check({1, 2} <= sampled and sampled <= {0, 1, 2},
          f"with top_k=2 and logits [5, 3, 3, 1, ...], tokens 0, 1 and 2 may be sampled (ties at the k-th value are kept); "
          f"yours sampled {sorted(sampled)}.", "keep every logit >= the k-th largest value.")


def test_inputs_are_left_alone(generate, ToyLM):
    prompt = watch(torch.tensor([[1, 2, 3]]))  # in-place changes made by generate show here
    before = prompt.clone()
    out = generate(_toy(ToyLM), prompt, 0)
    check_equal(out, before, "generate(..., max_new_tokens=0)")
    generate(_toy(ToyLM), prompt, 3)
    check_equal(prompt, before, "the prompt after generate", "build a new tensor with torch.cat; do not write into input_ids.")
    check(out.dtype == torch.long, f"generated ids should be torch.long, got {out.dtype}.")


def test_invalid_sampling_settings_are_refused(generate, ToyLM):
    model = _toy(ToyLM)
    for temperature in (-1.0, 0.0):
        expect_value_error(generate, model, torch.tensor([[1]]), 2, temperature=temperature, do_sample=True,
                           mentions="temperature", what=f"generate(..., temperature={temperature}, do_sample=True)")
    expect_value_error(generate, model, torch.tensor([[1]]), 2, top_k=0, do_sample=True, mentions="top_k",
                       what="generate(..., top_k=0, do_sample=True)")
