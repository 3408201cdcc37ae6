"""Public checks of `mlm_loss` (step 06)."""
import torch
import torch.nn.functional as F

from grader.testkit import check_close, check_equal, randn, watch


def test_loss_is_the_mean_over_chosen_positions(mlm_loss):
    logits = randn(2, 4, 6, seed=281)
    labels = torch.tensor([[-100, 3, -100, 5], [0, -100, -100, -100]])
    chosen = labels != -100
    expected = F.cross_entropy(logits[chosen], labels[chosen])
    check_close(mlm_loss(logits, labels), expected, "mlm_loss on 3 chosen positions",
                "cross-entropy over the positions whose label is not -100, averaged over those positions only.")


def test_loss_leaves_the_labels_alone(mlm_loss):
    logits = randn(2, 4, 6, seed=282)
    labels = watch(torch.tensor([[-100, 3, -100, 5], [0, -100, 2, -100]]))  # in-place changes show here
    before = labels.clone()
    mlm_loss(logits, labels)
    check_equal(labels, before, "labels after mlm_loss",
                "do not write into the caller's labels (e.g. labels.view(-1)[ignored] = 0 changes them too): "
                "select the chosen positions, or use F.cross_entropy(..., ignore_index=-100).")
