"""Step 07, written differently: CausalSelfAttention does not subclass
MultiHeadAttention; it has its own projections, splits the heads with view/permute,
calls step 01's scaled_dot_product_attention with a (1, 1, max_len, max_len) bool
buffer (persistent) and applies dropout to the weights itself. generate crops the
context only when it is too long, finds the k-th largest logit by sorting, samples with
torch.multinomial on the probabilities, and restores the mode in a finally block."""
import torch
import torch.nn as nn

from self_attention import scaled_dot_product_attention


class GPTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)
        self.max_len = max_len

    def forward(self, x):
        length = x.size(1)
        if length > self.max_len:
            raise ValueError(f"{length} tokens do not fit in max_len={self.max_len}")
        return self.token(x) + self.position(torch.arange(length, device=x.device)).unsqueeze(0)


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        if embed_dim % heads:
            raise ValueError(f"embed_dim={embed_dim} is not divisible by heads={heads}")
        self.heads, self.head_dim = heads, embed_dim // heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.attn_dropout = nn.Dropout(dropout)
        lower = torch.ones(max_len, max_len).tril().bool()
        self.register_buffer("mask", lower.view(1, 1, max_len, max_len))

    def _heads(self, x):
        batch, length, _ = x.shape
        return x.view(batch, length, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, return_attention=False):
        batch, length, width = x.shape
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        _, weights = scaled_dot_product_attention(q, k, v, self.mask[:, :, :length, :length])
        weights = self.attn_dropout(weights)
        out = (weights @ v).permute(0, 2, 1, 3).contiguous().view(batch, length, width)
        out = self.fc_out(out)
        return (out, weights) if return_attention else out


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads=heads, max_len=max_len, dropout=dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, embed_dim * 4), nn.ReLU(), nn.Linear(embed_dim * 4, embed_dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        attended = self.attn(x)
        x = self.norm1(x + self.dropout(attended))
        transformed = self.ffn(x)
        return self.norm2(x + self.dropout(transformed))


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.max_len = max_len
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.ModuleList(GPTBlock(embed_dim, heads, max_len, dropout) for _ in range(layers))
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, x):
        h = self.embedding(x)
        for block in self.blocks:
            h = block(h)
        return self.fc_out(h)


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample:
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        if top_k is not None and top_k < 1:
            raise ValueError("top_k must be at least 1")
    mode = model.training
    model.eval()
    out = input_ids
    try:
        with torch.no_grad():
            for _ in range(max_new_tokens):
                context = out if out.size(1) <= model.max_len else out[:, out.size(1) - model.max_len:]
                scores = model(context)[:, -1]
                if not do_sample:
                    choice = scores.argmax(-1, keepdim=True)
                else:
                    scores = scores / temperature
                    if top_k is not None and top_k < scores.size(-1):
                        ordered = scores.sort(dim=-1, descending=True).values
                        scores = scores.masked_fill(scores < ordered[:, top_k - 1:top_k], float("-inf"))
                    probs = scores.softmax(dim=-1)
                    choice = torch.multinomial(probs.cpu(), num_samples=1, generator=generator).to(out.device)
                out = torch.cat((out, choice), dim=1)
    finally:
        model.train(mode)
    return out
