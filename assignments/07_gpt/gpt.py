"""Step 07 — a mini GPT: a decoder that writes left to right.

GPT is a stack of blocks whose attention is *causal*: position t may look at positions
0..t and never at the future. Trained to predict the next token, it writes text one
token at a time, feeding every new token back in (autoregressive generation).

    ids (B, T) ─▶ token + position embeddings ─▶ N causal blocks ─▶ fc_out ─▶ logits (B, T, V)

Shapes: B = batch, T = sequence length, E = embedding size, V = vocabulary size.
"""
import torch
import torch.nn as nn

from multi_head_attention import MultiHeadAttention


class GPTEmbedding(nn.Module):
    """Token + learned position embeddings.

    Attributes: token = ``nn.Embedding(V, E)``; position = ``nn.Embedding(max_len, E)``.
    """

    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        # TODO: create token and position.
        raise NotImplementedError

    def forward(self, x):
        """x: (B, T) ids -> (B, T, E). ValueError (mentioning `max_len`) if T > max_len."""
        # TODO: check the length; positions 0..T-1 on x's device; add the two embeddings.
        raise NotImplementedError


class CausalSelfAttention(MultiHeadAttention):
    """Multi-head self-attention that never looks ahead.

    It is step 02's ``MultiHeadAttention`` (same ``query``, ``key``, ``value``, ``fc_out``)
    plus a lower-triangular mask, registered as a buffer so it follows ``.to(device)``.
    """

    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__(embed_dim, heads, dropout)
        # TODO: register a (max_len, max_len) lower-triangular bool buffer (True = may attend).
        raise NotImplementedError

    def forward(self, x, return_attention=False):
        """x: (B, T, E) -> (B, T, E), or (out, weights (B, H, T, T))."""
        # TODO: cut the mask to (T, T) and run multi-head attention with it.
        raise NotImplementedError


class GPTBlock(nn.Module):
    """A post-LN block with causal attention (the step-04 pattern, the seed's names).

    Attributes: attn = ``CausalSelfAttention``; norm1, norm2 = ``nn.LayerNorm(E)``;
    ffn = ``nn.Sequential(Linear(E, 4E), ReLU(), Linear(4E, E))``; dropout.
    """

    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        # TODO: create attn, norm1, norm2, ffn and dropout.
        raise NotImplementedError

    def forward(self, x):
        """x: (B, T, E) -> (B, T, E)."""
        raise NotImplementedError


class MiniGPT(nn.Module):
    """Embeddings + causal blocks + output layer (no final LayerNorm, no weight tying).

    Attributes (parameter names are part of the course's API):
        embedding: ``GPTEmbedding``; blocks: ``nn.ModuleList`` of ``GPTBlock``;
        fc_out: ``nn.Linear(E, V)``; max_len: the longest context (an int).
    """

    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        # TODO: store max_len; create embedding, `layers` blocks and fc_out.
        raise NotImplementedError

    def forward(self, x):
        """x: (B, T) ids -> logits (B, T, V): at position t, scores for the token t+1."""
        raise NotImplementedError


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    """Write ``max_new_tokens`` tokens after ``input_ids``, one at a time.

    Args:
        model: maps (B, T) ids to (B, T, V) logits and has an int attribute ``max_len``.
        input_ids: (B, T) prompt ids (any batch size, any length).
        temperature: > 0; the logits are divided by it before sampling.
        top_k: sample only among the k most likely tokens (ties at the k-th kept).
        do_sample: sample from the distribution; otherwise greedy (argmax).
        generator: a ``torch.Generator`` for reproducible sampling.

    Returns:
        (B, T + max_new_tokens) ids on input_ids' device. The model runs in eval mode
        without gradients, sees at most its last ``model.max_len`` tokens, and is put
        back in the mode it was in.

    Raises:
        ValueError: temperature <= 0 or top_k < 1 when sampling.
    """
    # TODO: validate temperature and top_k when sampling (ValueErrors naming them).
    # TODO: remember model.training, switch to eval, and work under torch.no_grad().
    # TODO: loop: crop the context to the last model.max_len tokens, take the last
    #       position's logits, pick the next token (argmax, or sample after temperature
    #       and top-k), append it to every row. Restore the model's mode at the end.
    raise NotImplementedError
