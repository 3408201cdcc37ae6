"""Public checks of `make_padding_mask` (step 06)."""
import torch

from grader.testkit import check, check_equal


def test_padding_mask_shape_and_values(make_padding_mask):
    ids = torch.tensor([[5, 7, 2, 0, 0], [3, 0, 0, 0, 0]])
    mask = make_padding_mask(ids)
    check(isinstance(mask, torch.Tensor) and mask.dtype == torch.bool,
          f"make_padding_mask must return a bool tensor, got {getattr(mask, 'dtype', type(mask).__name__)}.")
    check_equal(mask, (ids != 0)[:, None, None, :], "make_padding_mask(ids)",
                "shape (B, 1, 1, T), True for real tokens (id != pad_id), False for padding.")


def test_padding_mask_uses_pad_id(make_padding_mask):
    ids = torch.tensor([[9, 1, 9, 0], [0, 9, 4, 9]])
    check_equal(make_padding_mask(ids, pad_id=9), (ids != 9)[:, None, None, :], "make_padding_mask(ids, pad_id=9)",
                "compare with the pad_id argument, not a fixed 0: here 0 is a real token and 9 is the padding.")
