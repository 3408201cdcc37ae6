"""Public checks of `SelfAttention` (step 01)."""
import torch

from grader import contract
from grader.golden import golden_case
from grader.testkit import check, check_close, check_parameters, check_shape, check_tensor, fail, randn, seed_parameters

E = 6


def _seeded(SelfAttention, seed=3):
    model = SelfAttention(E)
    seed_parameters(model, contract.self_attention(E), seed, f"SelfAttention({E})")
    return model.eval()


@golden_case
def self_attention_output(SelfAttention):
    return _seeded(SelfAttention)(randn(2, 4, E, seed=71), return_attention=True)


def test_self_attention_has_query_key_value_layers(SelfAttention):
    check_parameters(SelfAttention(E), contract.self_attention(E), f"SelfAttention({E})")


def test_self_attention_output_shape(SelfAttention):
    out = _seeded(SelfAttention)(randn(2, 4, E, seed=72))
    check_shape(out, (2, 4, E), f"SelfAttention({E}) on x of shape (2, 4, {E})",
                "return only the output when return_attention is False.")


def test_self_attention_can_return_its_weights(SelfAttention):
    result = _seeded(SelfAttention)(randn(2, 4, E, seed=73), return_attention=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"SelfAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    check_shape(result[1], (2, 4, 4), "attention weights of SelfAttention for a (2, 4, E) input")


def test_self_attention_matches_expected_values(SelfAttention, golden):
    golden.check(self_attention_output, SelfAttention, what="SelfAttention (out, weights)",
                 hint="q, k and v come from the query, key and value layers; the scale is 1/sqrt(embed_dim).")


def test_self_attention_uses_the_mask(SelfAttention):
    mask = torch.tril(torch.ones(4, 4, dtype=torch.bool))  # (T, T): token t may look at tokens 0..t
    result = _seeded(SelfAttention)(randn(2, 4, E, seed=74), mask=mask, return_attention=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"SelfAttention(..., return_attention=True) must return (out, weights); got {type(result).__name__}.")
    leaked = result[1][:, ~mask]
    check(bool((leaked == 0).all()),
          f"SelfAttention with a causal mask: masked keys must get weight exactly 0; the largest is {leaked.abs().max().item():.3g}.",
          "pass `mask` on to scaled_dot_product_attention.")


def test_self_attention_takes_the_mask_as_second_argument(SelfAttention):
    # The next steps call attention(x, mask): with a causal mask, token t sees tokens 0..t only, so
    # changing the last token must leave the outputs of the others unchanged.
    model = _seeded(SelfAttention)
    mask = torch.tril(torch.ones(4, 4, dtype=torch.bool))
    x = randn(2, 4, E, seed=75)
    changed = x.clone()
    changed[:, -1] = randn(2, E, seed=76)
    hint = ("forward's arguments are (x, mask=None, return_attention=False), in this order, and the mask "
            "must be used whether or not the weights are returned.")
    try:
        out, out_changed = model(x, mask), model(changed, mask)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the student's error is the finding
        fail(f"SelfAttention(x, mask) raised {getattr(error, 'grader_type', type(error).__name__)}: {error}\n"
             f"Likely cause: {hint}")
    check_tensor(out, "SelfAttention(x, mask)", hint)
    check_close(out_changed[:, :3], out[:, :3],
                "outputs of tokens 0..2 of SelfAttention(x, causal_mask) after changing token 3", hint)
