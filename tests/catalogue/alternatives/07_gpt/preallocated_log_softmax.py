"""Step 07, written differently: GPTEmbedding looks tokens up as one-hot rows times the
token table (F.one_hot(...) @ weight) and adds position.weight[:T]; CausalSelfAttention
subclasses step 02's MultiHeadAttention and registers a (max_len, max_len) bool mask
made by comparing aranges (cols <= rows) instead of torch.tril. MiniGPT runs its blocks
with a while loop over an index. generate preallocates the whole (B, T + n) output with
new_empty and fills one column a step (the window is out[:, max(0, t - max_len):t]),
uses torch.set_grad_enabled(False), validates with `not (temperature > 0)`, scales
log_softmax(logits) by 1/temperature (softmax(log_softmax(l) / t) = softmax(l / t)), keeps
the top-k by sorting in descending order and masking what is below sorted[:, k-1], and
samples with torch.multinomial on exp(log-probs - logsumexp) in float64."""
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
        T = x.shape[1]
        if T > self.position.num_embeddings:
            raise ValueError(f"max_len={self.position.num_embeddings} is shorter than the input ({T} tokens)")
        table = self.token.weight
        one_hot = F.one_hot(x, num_classes=table.shape[0]).to(table.dtype)
        return one_hot @ table + self.position.weight[:T]


class CausalSelfAttention(MultiHeadAttention):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__(embed_dim, heads, dropout)
        positions = torch.arange(max_len)
        self.register_buffer("allowed", positions[None, :] <= positions[:, None], persistent=False)

    def forward(self, x, return_attention=False):
        T = x.shape[1]
        return super().forward(x, self.allowed[:T, :T].unsqueeze(0).unsqueeze(0), return_attention)


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads=heads, max_len=max_len, dropout=dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, embed_dim * 4), nn.ReLU(), nn.Linear(embed_dim * 4, embed_dim))
        self.norm2 = nn.LayerNorm(embed_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        residual = x
        x = self.dropout(self.attn(x))
        x = self.norm1(residual + x)
        residual = x
        x = self.dropout(self.ffn(x))
        return self.norm2(residual + x)


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len=max_len)
        self.blocks = nn.ModuleList()
        for _ in range(layers):
            self.blocks.append(GPTBlock(embed_dim, heads, max_len, dropout))
        self.fc_out = nn.Linear(embed_dim, vocab_size)
        self.max_len = max_len

    def forward(self, x):
        h = self.embedding(x)
        i = 0
        while i < len(self.blocks):
            h = self.blocks[i](h)
            i += 1
        return self.fc_out(h)


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample and not (temperature > 0):
        raise ValueError(f"temperature should be > 0, not {temperature}")
    if do_sample and top_k is not None and not (top_k >= 1):
        raise ValueError(f"top_k should be >= 1, not {top_k}")
    batch, start = input_ids.shape
    out = input_ids.new_empty(batch, start + max_new_tokens)
    out[:, :start] = input_ids
    was_training = model.training
    model.train(False)
    with torch.set_grad_enabled(False):
        for t in range(start, start + max_new_tokens):
            logits = model(out[:, max(0, t - model.max_len):t])[:, -1, :]
            if not do_sample:
                out[:, t] = logits.argmax(dim=-1)
                continue
            logp = F.log_softmax(logits.double(), dim=-1) / temperature
            if top_k is not None and top_k < logp.size(-1):
                ordered, _ = torch.sort(logp, dim=-1, descending=True)
                logp = logp.masked_fill(logp < ordered[:, top_k - 1].unsqueeze(-1), float("-inf"))
            probs = torch.exp(logp - torch.logsumexp(logp, dim=-1, keepdim=True))
            out[:, t] = torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(1).to(out.device)
    model.train(was_training)
    return out
