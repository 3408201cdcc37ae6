"""Public checks of `mlm_loss` (step 06)."""
import torch
import torch.nn.functional as F

from grader.testkit import check_close, randn


def test_loss_is_the_mean_over_chosen_positions(mlm_loss):
    logits = randn(2, 4, 6, seed=281)
    labels = torch.tensor([[-100, 3, -100, 5], [0, -100, -100, -100]])
    chosen = labels != -100
    expected = F.cross_entropy(logits[chosen], labels[chosen])
    check_close(mlm_loss(logits, labels), expected, "mlm_loss on 3 chosen positions",
                "cross-entropy over the positions whose label is not -100, averaged over those positions only.")
