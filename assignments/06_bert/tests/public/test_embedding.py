"""Public checks of `BERTEmbedding` (step 06)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import (check, check_close, check_parameters, check_shape, expect_value_error, randint, seed_parameters,
                            strict_devices)

V, E, MAX = 13, 8, 16


def _seeded(BERTEmbedding, seed=3):
    embedding = BERTEmbedding(V, E, max_len=MAX)
    seed_parameters(embedding, contract.bert_embedding(V, E, MAX), seed, f"BERTEmbedding({V}, {E}, max_len={MAX})")
    return embedding.eval()


@golden_case
def embedding_with_segments(BERTEmbedding):
    ids = randint(V, (2, 6), seed=201)
    segments = torch.tensor([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]])
    return _seeded(BERTEmbedding)(ids, segments)


def test_embedding_has_the_course_parameters(BERTEmbedding):
    check_parameters(BERTEmbedding(V, E, max_len=MAX), contract.bert_embedding(V, E, MAX), f"BERTEmbedding({V}, {E}, max_len={MAX})")


def test_embedding_output_shape(BERTEmbedding):
    check_shape(_seeded(BERTEmbedding)(randint(V, (2, 5), seed=202)), (2, 5, E), "BERTEmbedding on ids of shape (2, 5)")


def test_embedding_matches_expected_values(BERTEmbedding, golden):
    golden.check(embedding_with_segments, BERTEmbedding, what="BERTEmbedding(ids, segment_ids) in eval mode",
                 hint="token + position + segment, then LayerNorm, then dropout.")


def test_missing_segments_mean_sentence_a(BERTEmbedding):
    embedding = _seeded(BERTEmbedding)
    ids = randint(V, (2, 5), seed=203)
    check_close(embedding(ids), embedding(ids, torch.zeros_like(ids)), "BERTEmbedding(ids) vs BERTEmbedding(ids, zeros)",
                "segment_ids=None means every token belongs to sentence A (segment 0).")


def test_too_long_sequence_is_refused(BERTEmbedding):
    expect_value_error(_seeded(BERTEmbedding), randint(V, (1, MAX + 1), seed=204), mentions="max_len",
                       what=f"BERTEmbedding(..., max_len={MAX}) on {MAX + 1} tokens")


def test_exactly_max_len_tokens_are_accepted(BERTEmbedding):
    check_shape(_seeded(BERTEmbedding)(randint(V, (2, MAX), seed=205)), (2, MAX, E),
                f"BERTEmbedding(..., max_len={MAX}) on exactly {MAX} tokens",
                "max_len is the longest sequence allowed: refuse only T > max_len (positions 0..max_len-1 exist).")


def test_dropout_comes_last(BERTEmbedding):
    p = 0.25
    embedding = BERTEmbedding(V, E, max_len=MAX, dropout=p)
    seed_parameters(embedding, contract.bert_embedding(V, E, MAX), 4, f"BERTEmbedding({V}, {E}, max_len={MAX}, dropout={p})")
    ids = randint(V, (12, 12), seed=206)  # 1152 outputs: the share of zeros is within 0.08 of p
    expected = embedding.eval()(ids)
    trained = embedding.train()(ids)
    kept = trained != 0
    dropped = 1 - kept.float().mean().item()
    check(abs(dropped - p) < 0.08,
          f"in training mode with dropout={p}, {dropped:.0%} of BERTEmbedding's outputs are exactly 0; "
          f"dropout as the last step zeroes about {p:.0%} of them.",
          "sum -> LayerNorm -> dropout: apply self.dropout to the normalised vectors, last.")
    check_close(trained[kept], expected[kept] / (1 - p), "the outputs that dropout kept, in training mode",
                "sum -> LayerNorm -> dropout: every training output is 0 or the eval-mode value / (1 - p).")


def test_positions_follow_the_input_device(BERTEmbedding):
    embedding = BERTEmbedding(V, E, max_len=MAX).to("meta").eval()
    ids = torch.zeros(2, 5, dtype=torch.long, device="meta")
    with strict_devices():
        out = embedding(ids)
    check(out.device.type == "meta", f"the output should be on the input's device (meta), got {out.device}.",
          "create the positions with torch.arange(T, device=input_ids.device).")
