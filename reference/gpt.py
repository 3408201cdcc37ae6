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
        # BEGIN SOLUTION
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)
        # END SOLUTION

    def forward(self, x):
        """x: (B, T) ids -> (B, T, E). ValueError (mentioning `max_len`) if T > max_len."""
        # TODO: check the length; positions 0..T-1 on x's device; add the two embeddings.
        # BEGIN SOLUTION
        T = x.size(1)
        if T > self.position.num_embeddings:
            raise ValueError(f"sequence length {T} is longer than max_len={self.position.num_embeddings}")
        positions = torch.arange(T, device=x.device)  # (T,)
        return self.token(x) + self.position(positions)  # (B, T, E)
        # END SOLUTION


class CausalSelfAttention(MultiHeadAttention):
    """Multi-head self-attention that never looks ahead.

    It is step 02's ``MultiHeadAttention`` (same ``query``, ``key``, ``value``, ``fc_out``)
    plus a lower-triangular mask, registered as a buffer so it follows ``.to(device)``.
    """

    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__(embed_dim, heads, dropout)
        # TODO: register a (max_len, max_len) lower-triangular bool buffer (True = may attend).
        # BEGIN SOLUTION
        causal = torch.tril(torch.ones(max_len, max_len, dtype=torch.bool))  # row t: keys 0..t
        self.register_buffer("causal_mask", causal, persistent=False)
        # END SOLUTION

    def forward(self, x, return_attention=False):
        """x: (B, T, E) -> (B, T, E), or (out, weights (B, H, T, T))."""
        # TODO: cut the mask to (T, T) and run multi-head attention with it.
        # BEGIN SOLUTION
        T = x.size(1)
        return super().forward(x, mask=self.causal_mask[:T, :T], return_attention=return_attention)
        # END SOLUTION


class GPTBlock(nn.Module):
    """A post-LN block with causal attention (the step-04 pattern, the seed's names).

    Attributes: attn = ``CausalSelfAttention``; norm1, norm2 = ``nn.LayerNorm(E)``;
    ffn = ``nn.Sequential(Linear(E, 4E), ReLU(), Linear(4E, E))``; dropout.
    """

    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        # TODO: create attn, norm1, norm2, ffn and dropout.
        # BEGIN SOLUTION
        self.attn = CausalSelfAttention(embed_dim, heads, max_len, dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.ReLU(), nn.Linear(4 * embed_dim, embed_dim))
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, x):
        """x: (B, T, E) -> (B, T, E)."""
        # BEGIN SOLUTION
        x = self.norm1(x + self.dropout(self.attn(x)))
        return self.norm2(x + self.dropout(self.ffn(x)))
        # END SOLUTION


class MiniGPT(nn.Module):
    """Embeddings + causal blocks + output layer (no final LayerNorm, no weight tying).

    Attributes (parameter names are part of the course's API):
        embedding: ``GPTEmbedding``; blocks: ``nn.ModuleList`` of ``GPTBlock``;
        fc_out: ``nn.Linear(E, V)``; max_len: the longest context (an int).
    """

    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        # TODO: store max_len; create embedding, `layers` blocks and fc_out.
        # BEGIN SOLUTION
        self.max_len = max_len
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.ModuleList([GPTBlock(embed_dim, heads, max_len, dropout) for _ in range(layers)])
        self.fc_out = nn.Linear(embed_dim, vocab_size)
        # END SOLUTION

    def forward(self, x):
        """x: (B, T) ids -> logits (B, T, V): at position t, scores for the token t+1."""
        # BEGIN SOLUTION
        h = self.embedding(x)  # (B, T, E)
        for block in self.blocks:
            h = block(h)
        return self.fc_out(h)  # (B, T, V)
        # END SOLUTION


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
    # BEGIN SOLUTION
    if do_sample and temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if do_sample and top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    was_training = model.training
    model.eval()
    ids = input_ids
    try:
        with torch.no_grad():
            for _ in range(max_new_tokens):
                context = ids[:, -model.max_len:]  # (B, <= max_len)
                logits = model(context)[:, -1, :]  # (B, V): scores for the next token
                if do_sample:
                    logits = logits / temperature
                    if top_k is not None:
                        kth = torch.topk(logits, min(top_k, logits.size(-1)), dim=-1).values[:, -1:]  # (B, 1)
                        logits = logits.masked_fill(logits < kth, float("-inf"))  # ties with the k-th stay
                    probs = torch.softmax(logits, dim=-1)  # (B, V)
                    next_id = torch.multinomial(probs.cpu(), 1, generator=generator).to(ids.device)  # (B, 1)
                else:
                    next_id = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
                ids = torch.cat([ids, next_id], dim=1)
    finally:
        model.train(was_training)
    return ids
    # END SOLUTION
