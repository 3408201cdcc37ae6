"""Public checks of `TransformerBlock.forward` (step 04)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check_close, check_equal, check_shape, randn, seed_parameters, watch

B, T, E, H = 2, 5, 8, 2


def _seeded(TransformerBlock, seed=7):
    block = TransformerBlock(E, H)
    seed_parameters(block, contract.transformer_block(E), seed, f"TransformerBlock({E}, {H})")
    return block.eval()


@golden_case
def block_output(TransformerBlock):
    return _seeded(TransformerBlock)(randn(B, T, E, seed=91))


def test_block_keeps_the_shape(TransformerBlock):
    check_shape(_seeded(TransformerBlock)(randn(B, T, E, seed=92)), (B, T, E), f"TransformerBlock on a ({B}, {T}, {E}) input")


def test_block_matches_expected_values(TransformerBlock, golden):
    golden.check(block_output, TransformerBlock, what="TransformerBlock output (eval mode)",
                 hint="post-LN: x = norm1(x + attention(x)), then out = norm2(x + feed_forward(x)).")


def test_padding_does_not_reach_the_real_tokens(TransformerBlock):
    block = _seeded(TransformerBlock)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)[:, None, None, :]  # (B, 1, 1, T)
    x = randn(B, T, E, seed=93)
    changed = x.clone()
    changed[0, 3:] = randn(2, E, seed=94)  # new vectors at the two padded positions of sentence 0
    check_close(block(changed, mask)[0, :3], block(x, mask)[0, :3],
                "the real tokens' outputs after changing the padded tokens",
                "forward(x, mask) must hand the mask to self.attention(x, mask).")


def test_block_leaves_its_input_alone(TransformerBlock):
    x = watch(randn(B, T, E, seed=95))  # in-place changes made by the block show here
    before = x.clone()
    _seeded(TransformerBlock)(x)
    check_equal(x, before, "the block's input x after forward",
                "do not add the residuals in place (x += ...): write x = x + ...; autograd needs the original x "
                "for the backward pass, and the caller's tensor must not change.")
