"""Public checks of dropout in `TransformerBlock` (step 04)."""
import torch

from grader.testkit import assign_parameters, check, check_close, fail, manual_seed, randn


def test_block_is_deterministic_in_eval_mode(TransformerBlock):
    manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.5).eval()
    x = randn(2, 5, 8, seed=111)
    check(torch.equal(block(x), block(x)), "in eval mode TransformerBlock must give the same output every time.",
          "use nn.Dropout modules: they switch themselves off in eval mode.")


def test_block_applies_dropout_in_training(TransformerBlock):
    manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.5)
    x = randn(2, 5, 8, seed=112)
    trained = block.train()(x)
    evaluated = block.eval()(x)
    check(not torch.allclose(trained, evaluated), "with dropout=0.5, the block gives the same output in train and eval mode.",
          "the seed sketch created self.dropout but never used it: apply it to both sub-layer outputs.")


def test_block_drops_the_feed_forward_output_in_training(TransformerBlock):
    # The attention's fc_out is set to 0, so the attention sub-layer adds exactly 0 (and any
    # dropout inside the attention cannot matter): only self.dropout on the feed-forward
    # output can make two train-mode calls differ.
    manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.5)
    values = {name: p.detach().clone() for name, p in block.named_parameters()}
    for name in ("attention.fc_out.weight", "attention.fc_out.bias"):
        if name not in values:
            fail(f"TransformerBlock has no parameter {name}; see the lesson for the layer names.")
        values[name] = torch.zeros_like(values[name])
    assign_parameters(block, values)
    x = randn(2, 5, 8, seed=113)
    block.train()
    check(not torch.allclose(block(x), block(x)),
          "with dropout=0.5 in train mode, two calls gave the same output once the attention was switched off: "
          "the feed-forward output is never dropped.",
          "the seed sketch created self.dropout but never used it: out = norm2(x + dropout(feed_forward(x))).")


def test_block_without_dropout_is_the_same_in_train_and_eval(TransformerBlock):
    manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.0)
    x = randn(2, 5, 8, seed=114)
    trained = block.train()(x)
    check_close(trained, block.eval()(x), "TransformerBlock(8, 2, dropout=0.0) in train mode vs eval mode",
                "use the `dropout` argument for every dropout, not a fixed probability.")


def test_block_does_not_drop_the_residual_path(TransformerBlock):
    # Both sub-layers are switched off (attention.fc_out = 0, feed_forward.2 = 0): they add
    # exactly 0, so only a dropout outside the sub-layers (on x itself) can change the output.
    manual_seed(0)
    block = TransformerBlock(8, 2, dropout=0.5)
    values = {name: p.detach().clone() for name, p in block.named_parameters()}
    for name in ("attention.fc_out.weight", "attention.fc_out.bias", "feed_forward.2.weight", "feed_forward.2.bias"):
        if name not in values:
            fail(f"TransformerBlock has no parameter {name}; see the lesson for the layer names.")
        values[name] = torch.zeros_like(values[name])
    assign_parameters(block, values)
    x = randn(2, 5, 8, seed=115)
    trained = block.train()(x)
    check_close(trained, block.eval()(x),
                "train-mode output with both sub-layers switched off (they add 0) vs eval mode, dropout=0.5",
                "drop the sub-layer outputs only: x = norm1(x + dropout(attention(x, mask))); never the residual "
                "sum (norm1(dropout(x + ...))) or the normalised output (dropout(norm1(...))).")
