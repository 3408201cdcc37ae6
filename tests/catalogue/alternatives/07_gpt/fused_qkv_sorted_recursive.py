"""Step 07, written differently: CausalSelfAttention keeps the course's separate `query`,
`key`, `value` Linears (their parameter names are the API) but projects in ONE matmul at run
time, F.linear(x, cat of the three weights, cat of the biases), then chunks the result in
three; the heads are split with unflatten/movedim; the causal mask is a registered
(max_len, max_len) bool buffer built with torch.ones(...).tril_() in place and applied with
masked_fill(-1e9) (a large finite value, not -inf). GPTEmbedding indexes the position
table with a (1, T) row. generate is recursive (one token per call of an inner helper),
always samples in SORTED order (sort the logits in descending order, cut the top-k on the
sorted values, draw a rank with torch.multinomial, then map the rank back to a token id
with gather), so its draws differ from the reference's for the same seed."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class GPTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)

    def forward(self, x):
        length = x.size(1)
        if length > self.position.num_embeddings:
            raise ValueError(f"the context has {length} tokens; max_len={self.position.num_embeddings}")
        rows = torch.arange(length, device=x.device).unsqueeze(0)  # (1, T)
        return self.token(x) + self.position(rows)


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        if embed_dim % heads:
            raise ValueError(f"embed_dim {embed_dim} cannot be split into heads={heads}")
        self.heads = heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("lower", torch.ones(max_len, max_len, dtype=torch.bool).tril_())

    def forward(self, x, return_attention=False):
        T = x.size(1)
        weight = torch.cat([self.query.weight, self.key.weight, self.value.weight])
        bias = torch.cat([self.query.bias, self.key.bias, self.value.bias])
        q, k, v = (t.unflatten(-1, (self.heads, -1)).movedim(2, 1) for t in F.linear(x, weight, bias).chunk(3, dim=-1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.size(-1))
        scores = scores.masked_fill(~self.lower[:T, :T], -1e9)
        weights = self.dropout(F.softmax(scores, dim=-1))
        out = self.fc_out((weights @ v).movedim(1, 2).flatten(2))
        return (out, weights) if return_attention else out


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads, max_len, dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.ReLU(), nn.Linear(4 * embed_dim, embed_dim))
        self.dropout = nn.Dropout(dropout)

    def _sublayer(self, x, layer, norm):
        return norm(x + self.dropout(layer(x)))

    def forward(self, x):
        return self._sublayer(self._sublayer(x, self.attn, self.norm1), self.ffn, self.norm2)


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.max_len = max_len
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.ModuleList([GPTBlock(embed_dim, heads, max_len, dropout) for _ in range(layers)])
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, x):
        h = self.embedding(x)
        for block in self.blocks:
            h = block(h)
        return self.fc_out(h)


def _next_token(model, ids, temperature, top_k, do_sample, generator):
    window = ids[:, max(ids.size(1) - model.max_len, 0):]
    logits = model(window)[:, -1, :]
    if not do_sample:
        return logits.argmax(dim=-1, keepdim=True)
    ordered, order = torch.sort(logits / temperature, dim=-1, descending=True)
    if top_k is not None and top_k < ordered.size(-1):
        ordered = ordered.masked_fill(ordered < ordered[:, top_k - 1:top_k], float("-inf"))
    rank = torch.multinomial(F.softmax(ordered, dim=-1).cpu(), 1, generator=generator).to(ids.device)
    return order.gather(-1, rank)


def _extend(model, ids, remaining, *settings):
    if remaining == 0:
        return ids
    step = _next_token(model, ids, *settings)
    return _extend(model, torch.cat([ids, step], dim=1), remaining - 1, *settings)


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample and temperature <= 0:
        raise ValueError(f"temperature={temperature} is not allowed: it must be > 0")
    if do_sample and top_k is not None and top_k < 1:
        raise ValueError(f"top_k={top_k} is not allowed: it must be >= 1")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return _extend(model, input_ids, max_new_tokens, temperature, top_k, do_sample, generator)
    finally:
        model.train(was_training)
