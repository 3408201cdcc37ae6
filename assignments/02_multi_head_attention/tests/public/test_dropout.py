"""Public checks of dropout in `MultiHeadAttention` (step 02)."""
import torch

from grader.testkit import assign_parameters, check, check_close, fail, manual_seed, randn


def test_mha_is_deterministic_in_eval_mode(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(12, 3, dropout=0.5).eval()
    x = randn(2, 5, 12, seed=41)
    with torch.no_grad():
        first, second = model(x), model(x)
    check(torch.equal(first, second), "in eval mode MultiHeadAttention must give the same output every time.",
          "dropout must only be active while training: use an nn.Dropout module (it follows .train()/.eval()).")


def test_mha_applies_dropout_in_training(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(12, 3, dropout=0.5)
    x = randn(2, 5, 12, seed=42)
    trained = model.train()(x)
    evaluated = model.eval()(x)
    check(not torch.allclose(trained, evaluated),
          "with dropout=0.5, MultiHeadAttention gives the same output in train and eval mode.",
          "apply self.dropout to the attention weights and compute the output from the *dropped* weights "
          "(weights @ v), not the `out` that scaled_dot_product_attention returned.")


def test_mha_default_has_no_dropout(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(12, 3)  # default dropout=0.0
    x = randn(2, 5, 12, seed=43)
    trained = model.train()(x)
    check_close(trained, model.eval()(x), "MultiHeadAttention(12, 3) in train mode vs eval mode",
                "the default dropout is 0.0: use the `dropout` argument instead of a fixed probability.")


def test_mha_dropout_drops_a_share_p_of_the_weights_and_rescales_the_rest(MultiHeadAttention):
    # One token per sentence: each head's only attention weight is 1. With equal value vectors
    # (value.weight = 0, value.bias = 1) and fc_out the identity, a head's output features are
    # all 0 when dropout removed that weight, and all 1 / (1 - p) when it kept it.
    p, batch, E, H = 0.2, 300, 12, 3
    manual_seed(44)
    model = MultiHeadAttention(E, H, dropout=p)
    values = {name: t.detach().clone() for name, t in model.named_parameters()}
    missing = {"value.weight", "value.bias", "fc_out.weight", "fc_out.bias"} - set(values)
    if missing:
        fail("MultiHeadAttention is missing " + ", ".join(sorted(missing)) + ".")
    values.update({"value.weight": torch.zeros(E, E), "value.bias": torch.ones(E),
                   "fc_out.weight": torch.eye(E), "fc_out.bias": torch.zeros(E)})
    assign_parameters(model, values)
    with torch.no_grad():
        per_head = model.train()(randn(batch, 1, E, seed=45)).reshape(batch, H, E // H)
    check(bool((per_head.amax(-1) - per_head.amin(-1)).max() <= 1e-5),
          "with one token per sentence and equal value vectors, dropout in train mode made the features of one "
          "head differ: dropout must remove whole attention weights, not single output features.",
          "apply the dropout to the attention weights (weights = self.dropout(weights)), then compute weights @ v.")
    head_out = per_head[..., 0]
    dropped = float((head_out.abs() <= 1e-6).float().mean())
    check(0.12 <= dropped <= 0.28,
          f"with dropout=0.2 in train mode, about 20 % of the attention weights should be dropped; "
          f"{dropped:.0%} were (a single token always has weight 1 before dropout).",
          "apply nn.Dropout(dropout) to the weights after the softmax (dropping a score before the softmax drops "
          "nothing); `dropout` is the probability of dropping, not of keeping.")
    kept = head_out[head_out.abs() > 1e-6]
    check_close(kept, torch.full_like(kept, 1 / (1 - p)), "attention weights kept by dropout=0.2 (a weight of 1)",
                "kept weights must be scaled by 1/(1-p), as nn.Dropout does, so the expected output does not change.")
