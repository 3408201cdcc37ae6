"""Hidden checks of `BERTEmbedding` (step 06)."""
import torch

from grader.testkit import check, check_close, check_differs, expect_value_error, manual_seed, paired, randint, strict_devices

V, E, MAX = 17, 12, 20


def _pair(BERTEmbedding, ref, seed=0, **kwargs):
    return paired(lambda: ref.BERTEmbedding(V, E, max_len=MAX, **kwargs), lambda: BERTEmbedding(V, E, max_len=MAX, **kwargs),
                  f"BERTEmbedding({V}, {E}, max_len={MAX})", seed)


def test_embedding_matches_reference(BERTEmbedding, ref):
    reference, student = _pair(BERTEmbedding, ref)
    ids, segments = randint(V, (3, 7), seed=211), randint(2, (3, 7), seed=212)
    check_close(student(ids, segments), reference(ids, segments), "BERTEmbedding output (eval mode)",
                "sum the token, position and segment embeddings, then apply norm (LayerNorm) and dropout.")


def test_full_length_sequence(BERTEmbedding, ref):
    reference, student = _pair(BERTEmbedding, ref, seed=1)
    ids = randint(V, (2, MAX), seed=213)
    check_close(student(ids), reference(ids), f"BERTEmbedding on exactly max_len={MAX} tokens")


def test_segments_change_the_output(BERTEmbedding, ref):
    _, student = _pair(BERTEmbedding, ref, seed=2)
    ids = randint(V, (1, 6), seed=214)
    check_differs(student(ids, torch.zeros_like(ids)), student(ids, torch.ones_like(ids)),
                  "sentence A and sentence B gave the same embeddings.", "add self.segment(segment_ids).")


def test_positions_follow_the_input_device(BERTEmbedding):
    embedding = BERTEmbedding(V, E, max_len=MAX).to("meta").eval()
    ids = torch.zeros(2, 5, dtype=torch.long, device="meta")
    with strict_devices():
        out = embedding(ids, torch.zeros_like(ids))
    check(out.device.type == "meta", f"the output should be on the input's device (meta), got {out.device}.")


def test_dropout_is_applied_in_training(BERTEmbedding):
    manual_seed(0)
    embedding = BERTEmbedding(V, E, max_len=MAX, dropout=0.5)
    ids = randint(V, (2, 6), seed=215)
    trained = embedding.train()(ids)
    check_differs(trained, embedding.eval()(ids), "BERTEmbedding(dropout=0.5) gives the same output in train and eval mode.",
                  "apply self.dropout after the LayerNorm.")


def test_embedding_in_float64(BERTEmbedding, ref):
    reference, student = _pair(BERTEmbedding, ref, seed=3)
    reference.double()
    student.double()
    ids = randint(V, (2, 5), seed=216)
    check_close(student(ids), reference(ids), "BERTEmbedding after .double()", rtol=1e-10, atol=1e-12)


def test_too_long_sequence_is_refused(BERTEmbedding, ref):
    _, student = _pair(BERTEmbedding, ref, seed=4)
    expect_value_error(student, randint(V, (2, MAX + 3), seed=217), mentions="max_len",
                       what=f"BERTEmbedding(..., max_len={MAX}) on {MAX + 3} tokens")


def test_dropout_is_the_last_step(BERTEmbedding, ref):
    p = 0.3
    reference, student = _pair(BERTEmbedding, ref, seed=5, dropout=p)
    ids, segments = randint(V, (8, 12), seed=218), randint(2, (8, 12), seed=219)  # 1152 outputs
    expected = reference(ids, segments)
    trained = student.train()(ids, segments)
    kept = trained != 0
    dropped = 1 - kept.float().mean().item()
    check(abs(dropped - p) < 0.08,
          f"in training mode with dropout={p}, {dropped:.0%} of BERTEmbedding's outputs are exactly 0 (expected about {p:.0%}).",
          "sum -> LayerNorm -> dropout: the dropout comes last.")
    check_close(trained[kept], expected[kept] / (1 - p), "the outputs that dropout kept, in training mode",
                "sum -> LayerNorm -> dropout: every training output is 0 or the eval-mode value / (1 - p).")
