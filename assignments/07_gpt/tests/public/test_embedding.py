"""Public checks of `GPTEmbedding` (step 07)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check, check_parameters, check_shape, expect_value_error, randint, seed_parameters, strict_devices

V, E, MAX = 9, 8, 12


def _seeded(GPTEmbedding, seed=1):
    embedding = GPTEmbedding(V, E, max_len=MAX)
    seed_parameters(embedding, contract.gpt_embedding(V, E, MAX), seed, f"GPTEmbedding({V}, {E}, max_len={MAX})")
    return embedding


@golden_case
def gpt_embedding_output(GPTEmbedding):
    return _seeded(GPTEmbedding)(randint(V, (2, 5), seed=301))


def test_embedding_has_the_course_parameters(GPTEmbedding):
    check_parameters(GPTEmbedding(V, E, max_len=MAX), contract.gpt_embedding(V, E, MAX), f"GPTEmbedding({V}, {E}, max_len={MAX})")


def test_embedding_output_shape(GPTEmbedding):
    check_shape(_seeded(GPTEmbedding)(randint(V, (3, 4), seed=302)), (3, 4, E), "GPTEmbedding on ids of shape (3, 4)")


def test_embedding_matches_expected_values(GPTEmbedding, golden):
    golden.check(gpt_embedding_output, GPTEmbedding, what="GPTEmbedding output", hint="token(x) + position(0..T-1).")


def test_too_long_sequence_is_refused(GPTEmbedding):
    expect_value_error(_seeded(GPTEmbedding), randint(V, (1, MAX + 1), seed=303), mentions="max_len",
                       what=f"GPTEmbedding(..., max_len={MAX}) on {MAX + 1} tokens")


def test_exactly_max_len_tokens_are_accepted(GPTEmbedding):
    check_shape(_seeded(GPTEmbedding)(randint(V, (2, MAX), seed=304)), (2, MAX, E),
                f"GPTEmbedding(..., max_len={MAX}) on exactly {MAX} tokens",
                "max_len is the longest sequence allowed: refuse only T > max_len (positions 0..max_len-1 exist).")


def test_positions_follow_the_input_device(GPTEmbedding):
    embedding = GPTEmbedding(V, E, max_len=MAX).to("meta")
    with strict_devices():
        out = embedding(torch.zeros(2, 5, dtype=torch.long, device="meta"))
    check(out.device.type == "meta", f"the output should be on the input's device (meta), got {out.device}.",
          "create the positions with torch.arange(T, device=x.device).")
