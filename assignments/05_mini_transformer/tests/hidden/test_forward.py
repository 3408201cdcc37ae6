"""Hidden checks of `MiniTransformer.forward` (step 05)."""
import torch

from grader.testkit import check_close, check_differs, manual_seed, paired, randint

V, E, H, L, MAX = 11, 12, 3, 2, 20
B, T = 2, 5


def _pair(MiniTransformer, ref, seed=0, **kwargs):
    args = dict(vocab_size=V, embed_dim=E, heads=H, num_layers=L, max_len=MAX, **kwargs)
    return paired(lambda: ref.MiniTransformer(**args), lambda: MiniTransformer(**args), "MiniTransformer(11, 12, 3, num_layers=2)", seed)


def test_logits_match_reference(MiniTransformer, ref):
    reference, student = _pair(MiniTransformer, ref)
    ids = randint(V, (B, T), seed=151)
    check_close(student(ids), reference(ids), "MiniTransformer logits (eval mode)",
                "embedding -> + positional encoding -> each block -> fc_out. No sqrt(E) scaling of the embeddings.")


def test_logits_with_a_padding_mask_match_reference(MiniTransformer, ref):
    reference, student = _pair(MiniTransformer, ref, seed=1)
    ids = randint(V, (B, T), seed=152)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.bool)[:, None, None, :]
    check_close(student(ids, mask), reference(ids, mask), "MiniTransformer logits with a padding mask",
                "pass the mask to every block: layer(x, mask).")


def test_logits_with_a_causal_mask_keyword(MiniTransformer, ref):
    reference, student = _pair(MiniTransformer, ref, seed=2)
    ids = randint(V, (B, T), seed=153)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    check_close(student(ids, mask=mask), reference(ids, mask=mask), "MiniTransformer logits with mask=causal")


def test_single_layer_default_matches_reference(MiniTransformer, ref):
    manual_seed(3)
    reference = ref.MiniTransformer(V, E, H).eval()
    student = MiniTransformer(V, E, H).eval()
    from grader.testkit import copy_parameters

    copy_parameters(reference, student, "MiniTransformer(11, 12, 3)")
    ids = randint(V, (3, 4), seed=154)
    check_close(student(ids), reference(ids), "MiniTransformer(11, 12, 3) with the default num_layers=1")


def test_word_order_matters(MiniTransformer, ref):
    _, student = _pair(MiniTransformer, ref, seed=4)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    swapped = torch.tensor([[2, 1, 3, 4, 5]])
    check_differs(student(ids)[:, 2:], student(swapped)[:, 2:],
                  "swapping the first two words did not change the later positions' logits.",
                  "add the positional encoding to the embeddings before the blocks.")


def test_full_length_sequence(MiniTransformer, ref):
    reference, student = _pair(MiniTransformer, ref, seed=5)
    ids = randint(V, (1, MAX), seed=155)
    check_close(student(ids), reference(ids), f"MiniTransformer on a sequence of exactly max_len={MAX} tokens")
