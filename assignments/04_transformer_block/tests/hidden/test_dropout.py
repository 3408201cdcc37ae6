"""Hidden checks of dropout in `TransformerBlock` (step 04)."""
import torch

from grader.testkit import check_close, check_differs, copy_parameters, randn

B, T, E, H = 2, 5, 12, 3


def test_block_dropout_differs_between_calls_in_training(TransformerBlock):
    torch.manual_seed(0)
    block = TransformerBlock(E, H, dropout=0.3).train()
    x = randn(B, T, E, seed=121)
    check_differs(block(x), block(x), "with dropout=0.3 in train mode, two calls gave the same output.",
                  "apply self.dropout to the sub-layer outputs in forward.")


def test_block_default_dropout_is_active_in_training(TransformerBlock):
    torch.manual_seed(0)
    block = TransformerBlock(E, H)  # default dropout=0.1
    x = randn(B, T, E, seed=122)
    trained = block.train()(x)
    check_differs(trained, block.eval()(x), "TransformerBlock(E, H) (default dropout=0.1) ignores dropout in training.")


def test_block_without_dropout_is_the_same_in_train_and_eval(TransformerBlock):
    torch.manual_seed(0)
    block = TransformerBlock(E, H, dropout=0.0)
    x = randn(B, T, E, seed=123)
    trained = block.train()(x)
    check_close(trained, block.eval()(x), "TransformerBlock(dropout=0.0) in train mode vs eval mode",
                "use the `dropout` argument for every dropout, not a fixed probability.")


def test_block_eval_output_does_not_depend_on_dropout_rate(TransformerBlock, ref):
    torch.manual_seed(124)
    reference = ref.TransformerBlock(E, H, dropout=0.0).eval()
    student = TransformerBlock(E, H, dropout=0.4).eval()
    copy_parameters(reference, student, "TransformerBlock(12, 3, dropout=0.4)")
    x = randn(B, T, E, seed=125)
    check_close(student(x), reference(x), "eval-mode output with dropout=0.4 vs without dropout",
                "dropout must be switched off in eval mode (use nn.Dropout, or F.dropout with training=self.training).")
