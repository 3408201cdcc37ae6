"""The course's parameter contract (SPEC §3.1): for each graded class, the names and
shapes of its parameters. Tests copy weights by these names, so they are part of the API
students implement; buffers are free and never listed here."""
from __future__ import annotations

from grader.testkit import layer_norm_parameters, linear_parameters


def _linears(names, prefix, in_features, out_features) -> dict:
    shapes = {}
    for name in names:
        shapes.update(linear_parameters(f"{prefix}{name}", in_features, out_features))
    return shapes


def self_attention(embed_dim: int, prefix: str = "") -> dict:
    return _linears(("query", "key", "value"), prefix, embed_dim, embed_dim)


def multi_head_attention(embed_dim: int, prefix: str = "") -> dict:
    return _linears(("query", "key", "value", "fc_out"), prefix, embed_dim, embed_dim)


def transformer_block(embed_dim: int, expansion: int = 4, prefix: str = "") -> dict:
    hidden = expansion * embed_dim
    return {
        **multi_head_attention(embed_dim, f"{prefix}attention."),
        **layer_norm_parameters(f"{prefix}norm1", embed_dim),
        **layer_norm_parameters(f"{prefix}norm2", embed_dim),
        **linear_parameters(f"{prefix}feed_forward.0", embed_dim, hidden),
        **linear_parameters(f"{prefix}feed_forward.2", hidden, embed_dim),
    }


def mini_transformer(vocab_size: int, embed_dim: int, num_layers: int = 1) -> dict:
    shapes = {"embedding.weight": (vocab_size, embed_dim)}
    for i in range(num_layers):
        shapes.update(transformer_block(embed_dim, prefix=f"layers.{i}."))
    shapes.update(linear_parameters("fc_out", embed_dim, vocab_size))
    return shapes
