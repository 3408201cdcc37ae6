"""Hidden checks of dropout in `MultiHeadAttention` (step 02)."""
import torch

from grader.testkit import assign_parameters, check, check_close, check_differs, copy_parameters, fail, manual_seed, randn

B, T, E, H = 2, 5, 12, 3


def test_mha_dropout_is_active_in_training(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(E, H, dropout=0.5)
    x = randn(B, T, E, seed=51)
    model.train()
    first, second = model(x), model(x)
    model.eval()
    evaluated = model(x)
    check_differs(first, evaluated, "with dropout=0.5, MultiHeadAttention gives the same output in train and eval mode.",
                  "create an nn.Dropout(dropout) and apply it to the attention weights in forward.")
    check_differs(first, second, "with dropout=0.5 in train mode, two calls should drop different weights.")


def test_mha_without_dropout_is_the_same_in_train_and_eval(MultiHeadAttention):
    manual_seed(0)
    model = MultiHeadAttention(E, H)  # default dropout=0.0
    x = randn(B, T, E, seed=52)
    model.train()
    trained = model(x)
    model.eval()
    check_close(trained, model(x), "MultiHeadAttention(E, H) in train mode vs eval mode",
                "the default dropout is 0.0; use the `dropout` argument instead of a fixed probability.")


def test_mha_eval_output_does_not_depend_on_the_dropout_rate(MultiHeadAttention, ref):
    manual_seed(53)
    reference = ref.MultiHeadAttention(E, H).eval()
    student = MultiHeadAttention(E, H, dropout=0.3).eval()
    copy_parameters(reference, student, f"MultiHeadAttention({E}, {H}, dropout=0.3)")
    x = randn(B, T, E, seed=54)
    check_close(student(x), reference(x), "eval-mode output with dropout=0.3 vs the reference without dropout",
                "dropout (and its 1/(1-p) rescaling) must be switched off in eval mode.")


def _equal_values(MultiHeadAttention, p, seed):
    """MultiHeadAttention(E, H, dropout=p) in train mode whose every value vector is ones
    (value.weight = 0, value.bias = 1) and whose fc_out is the identity."""
    manual_seed(seed)
    model = MultiHeadAttention(E, H, dropout=p)
    values = {name: t.detach().clone() for name, t in model.named_parameters()}
    missing = {"value.weight", "value.bias", "fc_out.weight", "fc_out.bias"} - set(values)
    if missing:
        fail("MultiHeadAttention is missing " + ", ".join(sorted(missing)) + ".")
    values.update({"value.weight": torch.zeros(E, E), "value.bias": torch.ones(E),
                   "fc_out.weight": torch.eye(E), "fc_out.bias": torch.zeros(E)})
    assign_parameters(model, values)
    return model.train()


def test_mha_dropout_acts_on_the_attention_weights(MultiHeadAttention):
    # Every token's value is the same vector of ones (value.weight = 0, value.bias = 1) and
    # fc_out is the identity. Dropping attention weights then scales a whole head's output
    # slice by one number (the sum of its kept weights), so the D features of a head stay
    # equal; dropping output features instead zeroes single features.
    model = _equal_values(MultiHeadAttention, 0.5, seed=0)
    with torch.no_grad():
        out = model(randn(B, T, E, seed=55))
    per_head = out.reshape(B, T, H, E // H)
    spread = (per_head.amax(-1) - per_head.amin(-1)).max().item()
    check(spread <= 1e-5,
          f"with equal value vectors and dropout=0.5 in train mode, the features of one head differ by up to "
          f"{spread:.3g}: dropout was applied to the output, not to the attention weights.",
          "apply the dropout to the attention weights (weights = self.dropout(weights)) and then compute weights @ v.")


def test_mha_dropout_drops_a_share_p_of_the_weights_and_rescales_the_rest(MultiHeadAttention):
    # One token per sentence: each head's only attention weight is 1. With equal value vectors
    # (value.weight = 0, value.bias = 1) and fc_out the identity, a head's output features are
    # all 0 when dropout removed that weight, and all 1 / (1 - p) when it kept it.
    p, batch = 0.25, 400
    model = _equal_values(MultiHeadAttention, p, seed=56)
    with torch.no_grad():
        out = model(randn(batch, 1, E, seed=57))
    per_head = out.reshape(batch, H, E // H)
    check(bool((per_head.amax(-1) - per_head.amin(-1)).max() <= 1e-5),
          "with one token per sentence and equal value vectors, dropout=0.25 in train mode made the features of "
          "one head differ: dropout must remove whole attention weights, not single output features.",
          "apply the dropout to the attention weights (weights = self.dropout(weights)), then compute weights @ v.")
    head_out = per_head[..., 0]
    dropped = float((head_out.abs() <= 1e-6).float().mean())
    check(0.17 <= dropped <= 0.33,
          f"with dropout=0.25 in train mode, about 25 % of the attention weights should be dropped; "
          f"{dropped:.0%} were (a single token always has weight 1 before dropout).",
          "dropout must act on the weights after the softmax (dropping a score before the softmax drops nothing), "
          "with `dropout` as the probability of dropping, not of keeping.")
    kept = head_out[head_out.abs() > 1e-6]
    check_close(kept, torch.full_like(kept, 1 / (1 - p)), "attention weights kept by dropout=0.25 (a weight of 1)",
                "kept weights must be scaled by 1/(1-p), as nn.Dropout does, so the expected output does not change.")
