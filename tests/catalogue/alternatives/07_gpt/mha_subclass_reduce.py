"""Step 07, written differently: CausalSelfAttention subclasses step 02's
MultiHeadAttention, with a persistent (1, 1, max_len, max_len) mask built as
ones().tril().bool(); positions are arange(...).expand(B, T); MiniGPT chains its blocks
with functools.reduce; generate takes the next token with torch.max, uses a boolean
top-k mask scattered from torch.topk's indices plus the tied logits, and samples with
torch.multinomial on probabilities computed with F.softmax."""
from functools import reduce

import torch
import torch.nn as nn
import torch.nn.functional as F

from multi_head_attention import MultiHeadAttention


class GPTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)

    def forward(self, x):
        B, T = x.shape
        if T > self.position.weight.size(0):
            raise ValueError(f"the sequence ({T} tokens) is longer than max_len ({self.position.weight.size(0)})")
        positions = torch.arange(T, device=x.device).expand(B, T)
        return self.token(x) + self.position(positions)


class CausalSelfAttention(MultiHeadAttention):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__(embed_dim, heads, dropout=dropout)
        self.register_buffer("tril", torch.ones(1, 1, max_len, max_len).tril().bool())

    def forward(self, x, return_attention=False):
        T = x.shape[1]
        return super().forward(x, self.tril[..., :T, :T], return_attention)


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads=heads, max_len=max_len, dropout=dropout)
        self.norm1, self.norm2 = nn.LayerNorm(embed_dim), nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dim, 4 * embed_dim),
            nn.ReLU(),
            nn.Linear(4 * embed_dim, embed_dim),
        )
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x):
        x = self.norm1(self.dropout(self.attn(x)) + x)
        return self.norm2(self.dropout(self.ffn(x)) + x)


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.max_len = max_len
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len=max_len)
        blocks = [GPTBlock(embed_dim, heads=heads, max_len=max_len, dropout=dropout) for _ in range(layers)]
        self.blocks = nn.ModuleList(blocks)
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, x):
        return self.fc_out(reduce(lambda h, block: block(h), self.blocks, self.embedding(x)))


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample:
        if temperature <= 0:
            raise ValueError(f"temperature must be strictly positive, not {temperature}")
        if top_k is not None and top_k <= 0:
            raise ValueError(f"top_k must be a positive number of tokens, not {top_k}")
    training = model.training
    model.train(False)
    sequence = input_ids
    with torch.no_grad():
        for _ in range(max_new_tokens):
            window = sequence[:, max(0, sequence.size(1) - model.max_len):]
            logits = model(window)[:, -1, :]
            if do_sample:
                logits = logits / temperature
                if top_k is not None:
                    top = torch.topk(logits, min(top_k, logits.size(-1)), dim=-1)
                    keep = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, top.indices, True)
                    keep |= logits == top.values[:, -1:]  # ties with the k-th value stay in
                    logits = logits.masked_fill(~keep, float("-inf"))
                probs = F.softmax(logits, dim=-1)
                next_token = torch.multinomial(probs.cpu(), 1, generator=generator).to(sequence.device)
            else:
                next_token = torch.max(logits, dim=-1, keepdim=True).indices
            sequence = torch.cat([sequence, next_token], dim=1)
    model.train(training)
    return sequence
