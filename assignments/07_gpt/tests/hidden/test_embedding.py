"""Hidden checks of `GPTEmbedding` (step 07)."""
import torch

from grader.testkit import check, check_close, expect_value_error, paired, randint, strict_devices

V, E, MAX = 14, 10, 20


def test_embedding_matches_reference(GPTEmbedding, ref):
    reference, student = paired(lambda: ref.GPTEmbedding(V, E, MAX), lambda: GPTEmbedding(V, E, MAX), "GPTEmbedding")
    for length in (1, 7, MAX):
        ids = randint(V, (3, length), seed=311 + length)
        check_close(student(ids), reference(ids), f"GPTEmbedding on {length} tokens")


def test_default_max_len_is_100(GPTEmbedding, ref):
    reference, student = paired(lambda: ref.GPTEmbedding(V, E), lambda: GPTEmbedding(V, E), "GPTEmbedding(V, E)", seed=1)
    ids = randint(V, (1, 100), seed=312)
    check_close(student(ids), reference(ids), "GPTEmbedding(V, E) on 100 tokens (the default max_len)")


def test_positions_follow_the_input_device(GPTEmbedding):
    embedding = GPTEmbedding(V, E, MAX).to("meta")
    ids = torch.zeros(2, 6, dtype=torch.long, device="meta")
    with strict_devices():
        out = embedding(ids)
    check(out.device.type == "meta", f"the output should be on the input's device (meta), got {out.device}.")


def test_too_long_sequence_is_refused(GPTEmbedding, ref):
    _, student = paired(lambda: ref.GPTEmbedding(V, E, MAX), lambda: GPTEmbedding(V, E, MAX), "GPTEmbedding", seed=2)
    expect_value_error(student, randint(V, (2, MAX + 4), seed=313), mentions="max_len",
                       what=f"GPTEmbedding(..., max_len={MAX}) on {MAX + 4} tokens")
