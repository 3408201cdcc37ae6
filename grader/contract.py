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


def _embedding(name: str, count: int, dim: int) -> dict:
    return {f"{name}.weight": (count, dim)}


def bert_embedding(vocab_size: int, embed_dim: int, max_len: int = 512, prefix: str = "") -> dict:
    return {
        **_embedding(f"{prefix}token", vocab_size, embed_dim),
        **_embedding(f"{prefix}position", max_len, embed_dim),
        **_embedding(f"{prefix}segment", 2, embed_dim),
        **layer_norm_parameters(f"{prefix}norm", embed_dim),
    }


def mini_bert(vocab_size: int, embed_dim: int = 64, num_layers: int = 2, max_len: int = 512, prefix: str = "") -> dict:
    shapes = bert_embedding(vocab_size, embed_dim, max_len, f"{prefix}embedding.")
    for i in range(num_layers):
        shapes.update(transformer_block(embed_dim, prefix=f"{prefix}layers.{i}."))
    return shapes


def bert_for_masked_lm(vocab_size: int, embed_dim: int = 64, layers: int = 2, max_len: int = 512) -> dict:
    return {**mini_bert(vocab_size, embed_dim, layers, max_len, "bert."),
            **linear_parameters("mlm.linear", embed_dim, vocab_size)}


def gpt_embedding(vocab_size: int, embed_dim: int, max_len: int = 100, prefix: str = "") -> dict:
    return {**_embedding(f"{prefix}token", vocab_size, embed_dim), **_embedding(f"{prefix}position", max_len, embed_dim)}


def gpt_block(embed_dim: int, prefix: str = "") -> dict:
    return {
        **multi_head_attention(embed_dim, f"{prefix}attn."),
        **layer_norm_parameters(f"{prefix}norm1", embed_dim),
        **layer_norm_parameters(f"{prefix}norm2", embed_dim),
        **linear_parameters(f"{prefix}ffn.0", embed_dim, 4 * embed_dim),
        **linear_parameters(f"{prefix}ffn.2", 4 * embed_dim, embed_dim),
    }


def mini_gpt(vocab_size: int, embed_dim: int = 64, layers: int = 2, max_len: int = 100) -> dict:
    shapes = gpt_embedding(vocab_size, embed_dim, max_len, "embedding.")
    for i in range(layers):
        shapes.update(gpt_block(embed_dim, f"blocks.{i}."))
    shapes.update(linear_parameters("fc_out", embed_dim, vocab_size))
    return shapes
