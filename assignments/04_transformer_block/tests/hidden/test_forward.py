"""Hidden checks of `TransformerBlock.forward` (step 04)."""
import pytest
import torch
import torch.nn as nn

from grader import contract
from grader.testkit import (check_close, check_equal, check_parameters, fail, manual_seed, paired, rand_mask, randn,
                            seed_parameters, watch)

B, T, E, H, K = 2, 5, 12, 3, 3  # K = forward_expansion, not the default


def _pair(TransformerBlock, ref, expansion=K, seed=0):
    args = (E, H, 0.1, expansion)
    return paired(lambda: ref.TransformerBlock(*args), lambda: TransformerBlock(*args), f"TransformerBlock{args}", seed=seed)


def test_block_matches_reference(TransformerBlock, ref):
    reference, student = _pair(TransformerBlock, ref)
    x = randn(B, T, E, seed=101)
    check_close(student(x), reference(x), "TransformerBlock output (eval mode)",
                "post-LN order: x = norm1(x + attention(x)); out = norm2(x + feed_forward(x)). "
                "Check both residual connections and that the feed-forward sees the normalised x.")


def test_block_with_default_expansion_matches_reference(TransformerBlock, ref):
    reference, student = _pair(TransformerBlock, ref, expansion=4, seed=1)
    x = randn(B, T, E, seed=102)
    check_close(student(x), reference(x), "TransformerBlock(12, 3) output (eval mode)")


def test_block_matches_reference_with_random_weights(TransformerBlock, ref):
    # Fresh LayerNorms all have weight 1 and bias 0, so norm1 and norm2 cannot be told apart
    # by default; seeded random values for every parameter can.
    shapes = contract.transformer_block(E, K)
    reference, student = ref.TransformerBlock(E, H, 0.1, K), TransformerBlock(E, H, 0.1, K)
    seed_parameters(reference, shapes, 110, f"TransformerBlock{(E, H, 0.1, K)}")
    seed_parameters(student, shapes, 110, f"TransformerBlock{(E, H, 0.1, K)}")
    reference.eval()
    student.eval()
    x = randn(B, T, E, seed=111)
    check_close(student(x), reference(x), "TransformerBlock output with random weights in every layer (eval mode)",
                "norm1 goes with the attention sub-layer, norm2 with the feed-forward; use each exactly once.")


@pytest.mark.parametrize("kind", ["padding (B,1,1,T)", "causal (T,T)"])
def test_block_passes_the_mask_to_attention(TransformerBlock, ref, kind):
    reference, student = _pair(TransformerBlock, ref)
    x = randn(B, T, E, seed=103)
    if kind.startswith("padding"):
        mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)[:, None, None, :]
    else:
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    check_close(student(x, mask), reference(x, mask), f"TransformerBlock output with a {kind} mask",
                "forward(x, mask) must hand the mask to self.attention(x, mask).")


def test_block_equals_torch_encoder_layer(TransformerBlock):
    manual_seed(104)
    student = TransformerBlock(E, H, 0.0, K).eval()
    check_parameters(student, contract.transformer_block(E, K), f"TransformerBlock{(E, H, 0.0, K)}")
    params = dict(student.named_parameters())
    torch_layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=K * E, dropout=0.0, activation="relu",
                                             batch_first=True, norm_first=False).eval()
    try:
        with torch.no_grad():
            torch_layer.self_attn.in_proj_weight.copy_(
                torch.cat([params[f"attention.{n}.weight"] for n in ("query", "key", "value")]))
            torch_layer.self_attn.in_proj_bias.copy_(
                torch.cat([params[f"attention.{n}.bias"] for n in ("query", "key", "value")]))
            for theirs, ours in [("self_attn.out_proj", "attention.fc_out"), ("linear1", "feed_forward.0"),
                                 ("linear2", "feed_forward.2"), ("norm1", "norm1"), ("norm2", "norm2")]:
                module = torch_layer.get_submodule(theirs)
                module.weight.copy_(params[f"{ours}.weight"])
                module.bias.copy_(params[f"{ours}.bias"])
    except KeyError as missing:
        fail(f"TransformerBlock has no parameter {missing}; see the lesson for the layer names.")
    x = randn(B, T, E, seed=105)
    padding = torch.tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], dtype=torch.bool)  # torch: True = ignore
    with torch.no_grad():
        expected = torch_layer(x, src_key_padding_mask=padding)
    got = student(x, (~padding)[:, None, None, :])
    keep = ~padding  # torch's fast path may zero out padded positions; compare the real tokens
    check_close(got[keep], expected[keep], "TransformerBlock vs torch.nn.TransformerEncoderLayer (same weights, post-LN)")


def test_block_is_permutation_equivariant(TransformerBlock, ref):
    _, student = _pair(TransformerBlock, ref)
    x = randn(1, T, E, seed=106)
    perm = torch.tensor([4, 2, 0, 1, 3])
    check_close(student(x[:, perm]), student(x)[:, perm], "TransformerBlock on shuffled tokens vs shuffled output",
                "the feed-forward and LayerNorm act on each token separately; normalise over the last dim only.")


def test_block_in_float64(TransformerBlock, ref):
    reference, student = _pair(TransformerBlock, ref)
    reference.double()
    student.double()
    x = randn(B, T, E, seed=107, dtype=torch.float64)
    check_close(student(x), reference(x), "TransformerBlock after .double()", rtol=1e-9, atol=1e-10)


def test_block_random_mask_matches_reference(TransformerBlock, ref):
    reference, student = _pair(TransformerBlock, ref, seed=2)
    x, mask = randn(B, T, E, seed=108), rand_mask(B, 1, T, T, seed=109)
    check_close(student(x, mask=mask), reference(x, mask=mask), "TransformerBlock with a random mask (keyword `mask`)")


def test_block_leaves_its_input_alone(TransformerBlock, ref):
    reference, student = _pair(TransformerBlock, ref, seed=3)
    x = watch(randn(B, T, E, seed=112))  # in-place changes made by the block show here
    before = x.clone()
    out = student(x)
    check_equal(x, before, "the block's input x after forward",
                "do not add the residuals in place (x += ...): write x = x + ...; autograd needs the original x, "
                "and the caller's tensor must not change.")
    check_close(out, reference(before), "TransformerBlock output (eval mode)")
