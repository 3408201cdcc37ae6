"""Public checks of dropout in `TransformerBlock` (step 04)."""
import torch

from grader.testkit import check, randn


def test_block_is_deterministic_in_eval_mode(TransformerBlock):
    torch.manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.5).eval()
    x = randn(2, 5, 8, seed=111)
    check(torch.equal(block(x), block(x)), "in eval mode TransformerBlock must give the same output every time.",
          "use nn.Dropout modules: they switch themselves off in eval mode.")


def test_block_applies_dropout_in_training(TransformerBlock):
    torch.manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.5)
    x = randn(2, 5, 8, seed=112)
    trained = block.train()(x)
    evaluated = block.eval()(x)
    check(not torch.allclose(trained, evaluated), "with dropout=0.5, the block gives the same output in train and eval mode.",
          "the seed sketch created self.dropout but never used it: apply it to both sub-layer outputs.")
