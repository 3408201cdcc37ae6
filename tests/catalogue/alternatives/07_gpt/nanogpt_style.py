"""Step 07, written differently, the way Karpathy's nanoGPT does it: the causal mask is a
FLOAT buffer of ones and zeros (torch.tril(torch.ones(...)).view(1, 1, max_len, max_len),
persistent, named `bias`) used as `att.masked_fill(bias[:, :, :T, :T] == 0, -inf)`;
q, k, v are split with view/transpose and the scores multiplied by 1/sqrt(head_dim);
positions are a (1, T) arange. generate is decorated with @torch.no_grad(), crops only
when the context is too long, divides by the temperature first, cuts the top-k with an
in-place boolean index assignment (logits[logits < v[:, [-1]]] = -inf) and samples with
torch.multinomial on the probabilities (not moved to the CPU); it restores the mode with
`if was_training: model.train()`."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class GPTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)
        self.block_size = max_len

    def forward(self, idx):
        b, t = idx.size()
        if t > self.block_size:
            raise ValueError(f"Cannot forward sequence of length {t}, max_len is only {self.block_size}")
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device).unsqueeze(0)  # (1, t)
        tok_emb = self.token(idx)  # (b, t, n_embd)
        pos_emb = self.position(pos)  # (1, t, n_embd)
        return tok_emb + pos_emb


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        if embed_dim % heads != 0:
            raise ValueError(f"embed_dim={embed_dim} must be divisible by heads={heads}")
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.attn_dropout = nn.Dropout(dropout)
        self.n_head = heads
        self.n_embd = embed_dim
        self.register_buffer("bias", torch.tril(torch.ones(max_len, max_len)).view(1, 1, max_len, max_len))

    def forward(self, x, return_attention=False):
        B, T, C = x.size()
        q = self.query(x).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = self.key(x).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = self.value(x).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        y = self.fc_out(y)
        if return_attention:
            return y, att
        return y


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads, max_len, dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.ReLU(), nn.Linear(4 * embed_dim, embed_dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.norm1(x + self.dropout(self.attn(x)))
        x = self.norm2(x + self.dropout(self.ffn(x)))
        return x


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.max_len = max_len
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.ModuleList([GPTBlock(embed_dim, heads, max_len, dropout) for _ in range(layers)])
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, idx):
        x = self.embedding(idx)
        for block in self.blocks:
            x = block(x)
        return self.fc_out(x)


@torch.no_grad()
def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample and temperature <= 0:
        raise ValueError("temperature must be > 0 when sampling")
    if do_sample and top_k is not None and top_k < 1:
        raise ValueError("top_k must be >= 1 when sampling")
    was_training = model.training
    model.eval()
    idx = input_ids
    for _ in range(max_new_tokens):
        idx_cond = idx if idx.size(1) <= model.max_len else idx[:, -model.max_len:]
        logits = model(idx_cond)
        logits = logits[:, -1, :]
        if do_sample:
            logits = logits / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1, generator=generator)
        else:
            _, idx_next = torch.topk(logits, k=1, dim=-1)
        idx = torch.cat((idx, idx_next), dim=1)
    if was_training:
        model.train()
    return idx
