"""Public checks of the layers of `MiniTransformer` (step 05)."""
from grader import contract
from grader.testkit import check_parameters


def test_model_has_the_course_layers(MiniTransformer):
    check_parameters(MiniTransformer(11, 8, 2), contract.mini_transformer(11, 8, num_layers=1),
                     "MiniTransformer(vocab_size=11, embed_dim=8, heads=2)")


def test_model_stacks_num_layers_blocks(MiniTransformer):
    check_parameters(MiniTransformer(11, 8, 2, num_layers=3), contract.mini_transformer(11, 8, num_layers=3),
                     "MiniTransformer(11, 8, 2, num_layers=3)")
