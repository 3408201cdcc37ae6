"""Public checks of `generate` (step 07), on a stand-in model with fixed next-token scores.

The stand-in, ``ToyLM``, comes as a fixture (the grader creates it where your code runs);
its scores come from a (V, V) table, and it records every call it gets.
"""
import torch

from grader.testkit import check, check_equal, expect_value_error, generator
from grader.toymodels import bigram_table

V = 7


def _greedy_trace(table, prompt, n):
    """What greedy decoding must give for a bigram model: follow the argmax from the last token."""
    ids = prompt.tolist()
    for _ in range(n):
        ids.append(int(table[ids[-1]].argmax()))
    return torch.tensor(ids)


def _frequencies(tokens):
    return torch.bincount(tokens.flatten(), minlength=V).double() / tokens.numel()


def test_generate_appends_exactly_n_tokens_to_every_row(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=361), max_len=20)
    prompt = torch.tensor([[1, 2], [3, 4], [5, 6]])
    out = generate(model, prompt, 4)
    check(isinstance(out, torch.Tensor) and tuple(out.shape) == (3, 6),
          f"generate on a (3, 2) prompt with max_new_tokens=4 must return shape (3, 6); got {tuple(getattr(out, 'shape', ()))}.",
          "append one token to every row per step: torch.cat([ids, next_id], dim=1) with next_id of shape (B, 1).")
    check_equal(out[:, :2], prompt, "the prompt part of generate's output")


def test_greedy_follows_the_most_likely_token(generate, ToyLM):
    table = bigram_table(V, seed=362)
    model = ToyLM(table, max_len=20)
    prompt = torch.tensor([[2, 5]])
    check_equal(generate(model, prompt, 5)[0], _greedy_trace(table, prompt[0], 5), "greedy generation (do_sample=False)",
                "take the logits of the LAST position, logits[:, -1, :], and their argmax.")


def test_sampling_needs_a_positive_temperature(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=363), max_len=20)
    expect_value_error(generate, model, torch.tensor([[1]]), 2, temperature=0.0, do_sample=True, mentions="temperature",
                       what="generate(..., temperature=0.0, do_sample=True)")


def test_top_k_must_be_at_least_1(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=363), max_len=20)
    expect_value_error(generate, model, torch.tensor([[1]]), 2, top_k=0, do_sample=True, mentions="top_k",
                       what="generate(..., top_k=0, do_sample=True)")


def test_the_context_is_cropped_to_the_last_max_len_tokens(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=364), max_len=3, rule="length")
    generate(model, torch.tensor([[1, 2, 3, 4, 5]]), 3)
    lengths = [call["length"] for call in model.calls]
    check(lengths and max(lengths) <= 3, f"with model.max_len=3 the model was called on contexts of length {lengths}.",
          "feed the model only the last model.max_len tokens: ids[:, -model.max_len:].")
    table = bigram_table(V, seed=365)
    model = ToyLM(table, max_len=3, rule="first")  # scores come from the first token of the context it sees
    ids = [6, 1, 2, 3, 4]
    for _ in range(3):
        ids.append(int(table[ids[-3]].argmax()))
    check_equal(generate(model, torch.tensor([[6, 1, 2, 3, 4]]), 3)[0], torch.tensor(ids),
                "greedy generation when the context must be cropped", "keep the LAST max_len tokens, not the first.")


def test_generate_runs_in_eval_mode_without_gradients(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=366), max_len=20).train()
    generate(model, torch.tensor([[1, 2]]), 2)
    check(all(not call["training"] for call in model.calls), "the model was called in training mode.",
          "call model.eval() before generating (dropout must be off).")
    check(all(not call["grad"] for call in model.calls), "the model was called with gradients enabled.",
          "generate inside `with torch.no_grad():`.")
    check(model.training, "generate left a model that was in training mode in eval mode.",
          "remember model.training before and restore it with model.train(was_training) at the end.")
    model.eval()
    generate(model, torch.tensor([[1, 2]]), 1)
    check(not model.training, "generate switched a model that was in eval mode to training mode.",
          "restore the mode the model was in: model.train(was_training), not model.train().")


def test_top_k_1_is_greedy(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=367), max_len=20)
    prompt = torch.tensor([[0], [3], [6]])
    sampled = generate(model, prompt, 5, temperature=1.3, top_k=1, do_sample=True, generator=generator(2))
    check_equal(sampled, generate(model, prompt, 5), "sampling with top_k=1 vs greedy decoding",
                "with top_k=1 only the most likely token may be sampled: keep the logits >= the k-th largest one.")


def test_seeded_sampling_is_reproducible(generate, ToyLM):
    model = ToyLM(bigram_table(V, seed=368), max_len=20)
    prompt = torch.tensor([[1], [2], [3], [4]])
    first = generate(model, prompt, 8, do_sample=True, generator=generator(3))
    check_equal(generate(model, prompt, 8, do_sample=True, generator=generator(3)), first,
                "two samplings with generators of the same seed", "pass `generator` to torch.multinomial.")
    check(not torch.equal(first, generate(model, prompt, 8)), "do_sample=True gave exactly the greedy tokens on 32 draws.",
          "when do_sample is True, draw from the softmax distribution (torch.multinomial), do not take the argmax.")


def test_sampling_follows_softmax_of_logits_over_temperature(generate, ToyLM):
    table = bigram_table(V, seed=369)
    model = ToyLM(table, max_len=10)
    temperature = 2.0
    out = generate(model, torch.full((4000, 1), 2), 1, temperature=temperature, do_sample=True, generator=generator(4))
    got = _frequencies(out[:, 1])
    expected = torch.softmax(table[2].double() / temperature, dim=-1)
    distance = (got - expected).abs().sum().item() / 2
    check(distance < 0.05, f"with temperature={temperature}, the sampled frequencies {got.numpy().round(3).tolist()} are far "
          f"from softmax(logits / temperature) = {expected.numpy().round(3).tolist()} (total variation {distance:.3f}).",
          "divide the last position's logits by the temperature, then softmax over the vocabulary (dim=-1), then sample.")


def test_top_k_larger_than_the_vocabulary_keeps_every_token(generate, ToyLM):
    model = ToyLM(torch.zeros(V, V), max_len=10)  # every token equally likely
    out = generate(model, torch.zeros(1000, 1, dtype=torch.long), 1, top_k=V + 3, do_sample=True, generator=generator(6))
    sampled = set(out[:, 1].tolist())
    check(sampled == set(range(V)), f"with top_k={V + 3} (more than the {V} tokens of the vocabulary) and equal scores, "
          f"every token may be sampled; yours sampled {sorted(sampled)} in 1000 draws.",
          "a top_k of at least the vocabulary size keeps every token: torch.topk(logits, min(top_k, logits.size(-1))).")


def test_top_k_keeps_ties_at_the_kth_value(generate, ToyLM):
    row = torch.tensor([5.0, 3.0, 3.0, 1.0, 0.0, -1.0, -2.0])
    model = ToyLM(row.expand(V, V).clone(), max_len=10)
    out = generate(model, torch.zeros(2000, 1, dtype=torch.long), 1, top_k=2, do_sample=True, generator=generator(5))
    sampled = set(out[:, 1].tolist())
    check({0, 1, 2} <= sampled and sampled <= {0, 1, 2},
          f"with top_k=2 and logits [5, 3, 3, 1, ...], exactly tokens 0, 1 and 2 may be sampled (the tie at the k-th "
          f"value is kept); yours sampled {sorted(sampled)}.",
          "keep every logit >= the k-th largest value, set the others to -inf, then softmax and sample.")
