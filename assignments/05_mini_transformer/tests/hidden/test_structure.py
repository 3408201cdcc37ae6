"""Hidden checks of the layers of `MiniTransformer` (step 05)."""
import pytest

from grader.testkit import check_parameters, parameter_shapes


@pytest.mark.parametrize("args,kwargs", [((13, 12, 3), {}), ((5, 6, 1), {"num_layers": 2, "max_len": 9}),
                                         ((20, 8, 4), {"num_layers": 4, "dropout": 0.0})])
def test_parameters_match_reference(MiniTransformer, ref, args, kwargs):
    check_parameters(MiniTransformer(*args, **kwargs), parameter_shapes(ref.MiniTransformer(*args, **kwargs)),
                     f"MiniTransformer{args} {kwargs}")
