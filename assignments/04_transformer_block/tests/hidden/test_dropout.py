"""Hidden checks of dropout in `TransformerBlock` (step 04)."""
import itertools

import torch

from grader.testkit import (assign_parameters, check, check_close, check_differs, check_shape, copy_parameters, fail,
                            manual_seed, paired, randn)

B, T, E, H = 2, 5, 12, 3


def _with_zeros(block, names):
    """Set the named parameters of ``block`` to 0 (the others keep their values)."""
    values = {name: p.detach().clone() for name, p in block.named_parameters()}
    missing = sorted(set(names) - set(values))
    if missing:
        fail("TransformerBlock has no parameter " + ", ".join(missing) + "; see the lesson for the layer names.")
    for name in names:
        values[name] = torch.zeros_like(values[name])
    assign_parameters(block, values)
    return block


def test_block_dropout_differs_between_calls_in_training(TransformerBlock):
    manual_seed(0)
    block = TransformerBlock(E, H, dropout=0.3).train()
    x = randn(B, T, E, seed=121)
    check_differs(block(x), block(x), "with dropout=0.3 in train mode, two calls gave the same output.",
                  "apply self.dropout to the sub-layer outputs in forward.")


def test_block_default_dropout_is_active_in_training(TransformerBlock):
    manual_seed(0)
    block = TransformerBlock(E, H)  # default dropout=0.1
    x = randn(B, T, E, seed=122)
    trained = block.train()(x)
    check_differs(trained, block.eval()(x), "TransformerBlock(E, H) (default dropout=0.1) ignores dropout in training.")


def test_block_without_dropout_is_the_same_in_train_and_eval(TransformerBlock):
    manual_seed(0)
    block = TransformerBlock(E, H, dropout=0.0)
    x = randn(B, T, E, seed=123)
    trained = block.train()(x)
    check_close(trained, block.eval()(x), "TransformerBlock(dropout=0.0) in train mode vs eval mode",
                "use the `dropout` argument for every dropout, not a fixed probability.")


def test_block_eval_output_does_not_depend_on_dropout_rate(TransformerBlock, ref):
    manual_seed(124)
    reference = ref.TransformerBlock(E, H, dropout=0.0).eval()
    student = TransformerBlock(E, H, dropout=0.4).eval()
    copy_parameters(reference, student, "TransformerBlock(12, 3, dropout=0.4)")
    x = randn(B, T, E, seed=125)
    check_close(student(x), reference(x), "eval-mode output with dropout=0.4 vs without dropout",
                "dropout must be switched off in eval mode (use nn.Dropout, or F.dropout with training=self.training).")


def test_block_applies_dropout_to_the_feed_forward_output(TransformerBlock):
    # attention.fc_out = 0: the attention sub-layer adds exactly 0 (whatever happens inside
    # it), so in train mode only a dropout on the feed-forward output can make calls differ.
    manual_seed(0)
    block = _with_zeros(TransformerBlock(E, H, dropout=0.5), ["attention.fc_out.weight", "attention.fc_out.bias"])
    x = randn(B, T, E, seed=126)
    block.train()
    check_differs(block(x), block(x),
                  "with the attention's output switched off and dropout=0.5 in train mode, two calls gave the "
                  "same output: the feed-forward output is never dropped.",
                  "out = norm2(x + dropout(feed_forward(x))): apply self.dropout to the feed-forward output.")


def test_block_applies_dropout_to_the_attention_output(TransformerBlock):
    # attention.fc_out.weight = 0: the attention outputs its bias for every token, whatever
    # its weights (and any dropout on them); feed_forward.2 = 0: the feed-forward adds 0.
    # In train mode only a dropout on the attention sub-layer's output can make calls differ.
    manual_seed(0)
    block = _with_zeros(TransformerBlock(E, H, dropout=0.5),
                        ["attention.fc_out.weight", "feed_forward.2.weight", "feed_forward.2.bias"])
    x = randn(B, T, E, seed=127)
    block.train()
    check_differs(block(x), block(x),
                  "with dropout=0.5 in train mode, the attention sub-layer's output is never dropped: "
                  "two calls gave the same output.",
                  "x = norm1(x + dropout(attention(x, mask))): apply self.dropout to the attention output too.")


def test_block_does_not_drop_the_residual_path(TransformerBlock):
    # attention.fc_out = 0 and feed_forward.2 = 0: both sub-layers add exactly 0, so a block that
    # drops only the sub-layer outputs computes norm2(norm1(x)) in train mode too. Dropout on the
    # residual sum, or after a LayerNorm, drops x itself and makes training differ from eval.
    manual_seed(0)
    block = _with_zeros(TransformerBlock(E, H, dropout=0.5), ["attention.fc_out.weight", "attention.fc_out.bias",
                                                               "feed_forward.2.weight", "feed_forward.2.bias"])
    x = randn(B, T, E, seed=128)
    trained = block.train()(x)
    check_close(trained, block.eval()(x),
                "train-mode output with both sub-layers switched off (they add 0) vs eval mode, dropout=0.5",
                "dropout acts on the sub-layer outputs only: norm1(x + dropout(attention(x))), not "
                "norm1(dropout(x + attention(x))) nor dropout(norm1(...)).")


def test_block_drops_only_whole_feed_forward_outputs(TransformerBlock, ref):
    # E = 4: with the attention switched off (fc_out = 0), the correct train-mode output of every
    # token is norm2(x1 + m * f / (1 - p)) for one of the 2**4 dropout masks m, where x1 = norm1(x)
    # and f = feed_forward(x1). A dropout inside the feed-forward (on its hidden layer), a wrong
    # probability, or a dropout on the residual path gives an output that matches none of them.
    e, p = 4, 0.5
    reference, student = paired(lambda: ref.TransformerBlock(e, 2, p), lambda: TransformerBlock(e, 2, p),
                                f"TransformerBlock({e}, 2, dropout={p})", seed=5)
    zeros = ["attention.fc_out.weight", "attention.fc_out.bias"]
    _with_zeros(reference, zeros)
    _with_zeros(student, zeros)
    x = randn(3, 4, e, seed=129)
    with torch.no_grad():
        x1 = reference.norm1(x)
        f = reference.feed_forward(x1)
        masks = torch.tensor(list(itertools.product([0.0, 1.0], repeat=e)))  # (16, E)
        candidates = reference.norm2(x1[:, :, None, :] + masks * f[:, :, None, :] / (1 - p))  # (B, T, 16, E)
    out = student.train()(x)
    check_shape(out, tuple(x.shape), "TransformerBlock output in train mode")
    best = (candidates - out.detach()[:, :, None, :]).abs().amax(dim=-1).min(dim=-1).values  # (B, T)
    bad = [tuple(index) for index in (best > 1e-4).nonzero().tolist()]
    check(not bad,
          f"in train mode (dropout={p}, attention switched off), the output of token {bad[0] if bad else ''} is not "
          "norm2(x + dropout(feed_forward(x))) for any dropout mask.",
          "apply self.dropout to the feed-forward's output only, with the block's `dropout` probability: no extra "
          "dropout inside the feed-forward or on the residual sum.")
