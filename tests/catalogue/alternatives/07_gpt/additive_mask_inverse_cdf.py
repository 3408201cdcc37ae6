"""Step 07, written differently: the causal mask is a float ADDITIVE buffer (0 on and
below the diagonal, -inf above; persistent=False) added to einsum scores before
torch.softmax; embeddings go through F.embedding and the first T rows of the position
table. generate is a while loop, keeps the top-k with torch.where and finfo.min, samples
by inverse CDF (torch.rand with the generator + searchsorted), and restores the mode
without try/finally."""
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
        length = x.shape[1]
        if length > self.position.num_embeddings:
            raise ValueError(f"input length {length} > max_len {self.position.num_embeddings}")
        return F.embedding(x, self.token.weight) + self.position.weight[:length]


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        if embed_dim % heads != 0:
            raise ValueError(f"heads ({heads}) must divide embed_dim ({embed_dim})")
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.dropout = nn.Dropout(dropout)
        future = torch.ones(max_len, max_len, dtype=torch.bool).triu(diagonal=1)
        self.register_buffer("bias", torch.zeros(max_len, max_len).masked_fill(future, float("-inf")), persistent=False)

    def forward(self, x, return_attention=False):
        B, T, E = x.shape
        q = self.query(x).reshape(B, T, self.heads, self.head_dim)
        k = self.key(x).reshape(B, T, self.heads, self.head_dim)
        v = self.value(x).reshape(B, T, self.heads, self.head_dim)
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(self.head_dim)
        weights = self.dropout(torch.softmax(scores + self.bias[:T, :T], dim=-1))
        out = self.fc_out(torch.einsum("bhqk,bkhd->bqhd", weights, v).reshape(B, T, E))
        if return_attention:
            return out, weights
        return out


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads, max_len, dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        hidden = 4 * embed_dim
        self.ffn = nn.Sequential(nn.Linear(embed_dim, hidden), nn.ReLU(), nn.Linear(hidden, embed_dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.norm1(x + self.dropout(self.attn(x)))
        x = self.norm2(x + self.dropout(self.ffn(x)))
        return x


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.ModuleList()
        for _ in range(layers):
            self.blocks.append(GPTBlock(embed_dim, heads, max_len, dropout))
        self.fc_out = nn.Linear(embed_dim, vocab_size)
        self.max_len = max_len

    def forward(self, x):
        h = self.embedding(x)
        for i in range(len(self.blocks)):
            h = self.blocks[i](h)
        return self.fc_out(h)


def _sample(probs, generator):
    cdf = probs.double().cumsum(dim=-1)
    u = torch.rand(probs.size(0), 1, generator=generator, dtype=torch.float64).to(probs.device)
    picked = torch.searchsorted(cdf, u * cdf[:, -1:], right=True)
    return picked.clamp(max=probs.size(-1) - 1)


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample and not temperature > 0:
        raise ValueError(f"temperature={temperature}: it must be > 0 when sampling")
    if do_sample and top_k is not None and top_k < 1:
        raise ValueError(f"top_k={top_k}: it must be >= 1 when sampling")
    was_training = model.training
    model.eval()
    ids = input_ids.clone()
    produced = 0
    with torch.no_grad():
        while produced < max_new_tokens:
            logits = model(ids[:, -model.max_len:])[:, -1, :]
            if do_sample:
                logits = logits / temperature
                if top_k is not None:
                    k = min(top_k, logits.shape[-1])
                    threshold = torch.topk(logits, k, dim=-1).values[..., -1:]
                    logits = torch.where(logits >= threshold, logits, torch.finfo(logits.dtype).min)
                next_id = _sample(torch.softmax(logits, dim=-1), generator)
            else:
                next_id = torch.argmax(logits, dim=-1).unsqueeze(-1)
            ids = torch.cat([ids, next_id], dim=-1)
            produced += 1
    model.train(was_training)
    return ids
