"""Hidden checks of the layers of `TransformerBlock` (step 04)."""
import pytest

from grader.testkit import check_parameters, parameter_shapes


@pytest.mark.parametrize("args", [(12, 3), (12, 4, 0.0, 2), (6, 1, 0.2, 5)])
def test_block_parameters_match_reference(TransformerBlock, ref, args):
    check_parameters(TransformerBlock(*args), parameter_shapes(ref.TransformerBlock(*args)), f"TransformerBlock{args}")
