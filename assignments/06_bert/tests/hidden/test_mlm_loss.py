"""Hidden checks of `mlm_loss` (step 06)."""
import torch

from grader.testkit import check_close, check_equal, randint, randn, watch


def test_loss_matches_reference(mlm_loss, ref):
    logits = randn(3, 7, 11, seed=291)
    labels = randint(11, (3, 7), seed=292)
    labels[randn(3, 7, seed=293) > 0.3] = -100
    check_close(mlm_loss(logits, labels), ref.mlm_loss(logits, labels), "mlm_loss on a random batch")


def test_ignored_positions_do_not_count(mlm_loss, ref):
    logits = randn(2, 5, 9, seed=294)
    labels = torch.full((2, 5), -100)
    labels[1, 2] = 4
    huge = logits.clone()
    huge[0] = 1e3 * randn(5, 9, seed=295)  # only ignored positions change
    check_close(mlm_loss(huge, labels), ref.mlm_loss(logits, labels), "mlm_loss with one chosen position",
                "positions labelled -100 must not count at all: use ignore_index=-100 (or select the chosen positions).")


def test_loss_is_a_mean_not_a_sum(mlm_loss, ref):
    logits = randn(4, 8, 5, seed=296)
    labels = randint(5, (4, 8), seed=297)
    check_close(mlm_loss(logits, labels), ref.mlm_loss(logits, labels), "mlm_loss with every position chosen",
                "average over the chosen positions (not a sum, not over the batch only).")


def test_loss_in_float64(mlm_loss, ref):
    logits = randn(2, 3, 4, seed=298, dtype=torch.float64)
    labels = torch.tensor([[1, -100, 2], [3, 0, -100]])
    check_close(mlm_loss(logits, labels), ref.mlm_loss(logits, labels), "mlm_loss in float64", rtol=1e-10, atol=1e-12)


def test_labels_and_logits_are_left_alone(mlm_loss, ref):
    logits, labels = watch(randn(3, 6, 7, seed=299)), watch(randint(7, (3, 6), seed=300))
    labels[randn(3, 6, seed=301) > 0.2] = -100
    logits_before, labels_before = logits.clone(), labels.clone()
    loss = mlm_loss(logits, labels)
    check_equal(labels, labels_before, "labels after mlm_loss",
                "do not write into the caller's labels (labels.view(-1)[...] = 0 changes them too): select the chosen "
                "positions, or use F.cross_entropy(..., ignore_index=-100).")
    check_equal(logits, logits_before, "logits after mlm_loss", "work on new tensors; never change logits in place.")
    check_close(loss, ref.mlm_loss(logits_before, labels_before), "mlm_loss on a random batch")
