"""Hidden checks of `make_padding_mask` (step 06)."""
import torch

from grader.testkit import check_equal, randint


def test_padding_mask_matches_reference(make_padding_mask, ref):
    ids = randint(4, (3, 8), seed=221)
    check_equal(make_padding_mask(ids), ref.make_padding_mask(ids), "make_padding_mask on a (3, 8) batch")


def test_padding_mask_uses_pad_id(make_padding_mask, ref):
    ids = torch.tensor([[9, 1, 9, 9], [0, 0, 1, 2]])
    check_equal(make_padding_mask(ids, pad_id=9), ref.make_padding_mask(ids, pad_id=9), "make_padding_mask(ids, pad_id=9)",
                "compare with the pad_id argument, not a fixed 0.")
