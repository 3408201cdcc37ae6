"""Public checks of the layers of `TransformerBlock` (step 04)."""
from grader import contract
from grader.testkit import check_parameters


def test_block_has_the_course_layers(TransformerBlock):
    check_parameters(TransformerBlock(8, 2), contract.transformer_block(8), "TransformerBlock(8, 2)")


def test_block_uses_forward_expansion(TransformerBlock):
    check_parameters(TransformerBlock(8, 2, forward_expansion=3), contract.transformer_block(8, 3),
                     "TransformerBlock(8, 2, forward_expansion=3)")
