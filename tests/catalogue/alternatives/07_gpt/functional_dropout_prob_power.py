"""Step 07, written differently: every dropout is functional, F.dropout(x, p, self.training)
(the nn.Dropout modules exist only to hold the rate); the causal mask is a registered bool
buffer combined on the fly with an optional extra mask that forward also accepts
(forward(x, mask=None, return_attention=False)), and attention uses einsum with an
ADDITIVE float mask built from it with torch.zeros(...).masked_fill. MiniGPT's max_len is a
read-only property of the position table. generate restores the mode with a small context
manager class, applies the temperature to the PROBABILITIES (softmax(l) ** (1/t), which is
proportional to softmax(l / t)), keeps the top-k among the probabilities (zeroing the rest,
not renormalising: torch.multinomial takes unnormalised weights), and decodes greedily with
torch.topk(..., 1)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)

    def forward(self, x):
        if x.dim() != 2:
            raise ValueError(f"expected (batch, seq) ids, got shape {tuple(x.shape)}")
        seq = x.size(-1)
        if seq > self.position.num_embeddings:
            raise ValueError(f"seq={seq} exceeds max_len={self.position.num_embeddings}")
        where = torch.arange(seq, device=x.device)
        return self.token(x) + self.position(where)[None]


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        if embed_dim % heads != 0:
            raise ValueError(f"heads={heads} must divide embed_dim={embed_dim}")
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.query, self.key = nn.Linear(embed_dim, embed_dim), nn.Linear(embed_dim, embed_dim)
        self.value, self.fc_out = nn.Linear(embed_dim, embed_dim), nn.Linear(embed_dim, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("causal", torch.tril(torch.ones(max_len, max_len)).bool(), persistent=False)

    def forward(self, x, mask=None, return_attention=False):
        b, t, e = x.shape
        allowed = self.causal[:t, :t]
        if mask is not None:
            allowed = allowed & mask
        bias = torch.zeros(allowed.shape, dtype=x.dtype, device=x.device).masked_fill(~allowed, float("-inf"))
        q = self.query(x).view(b, t, self.heads, self.head_dim)
        k = self.key(x).view(b, t, self.heads, self.head_dim)
        v = self.value(x).view(b, t, self.heads, self.head_dim)
        scores = torch.einsum("bihd,bjhd->bhij", q, k) / self.head_dim ** 0.5 + bias
        weights = F.dropout(scores.softmax(-1), self.dropout.p, self.training)
        out = self.fc_out(torch.einsum("bhij,bjhd->bihd", weights, v).reshape(b, t, e))
        return (out, weights) if return_attention else out


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads, max_len, dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.ReLU(), nn.Linear(4 * embed_dim, embed_dim))
        self.dropout = nn.Dropout(dropout)

    def _drop(self, x):
        return F.dropout(x, self.dropout.p, self.training)

    def forward(self, x):
        x = self.norm1(x + self._drop(self.attn(x)))
        return self.norm2(x + self._drop(self.ffn(x)))


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.ModuleList(GPTBlock(embed_dim, heads, max_len, dropout) for _ in range(layers))
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    @property
    def max_len(self):
        return self.embedding.position.num_embeddings

    def forward(self, x):
        h = self.embedding(x)
        for block in self.blocks:
            h = block(h)
        return self.fc_out(h)


class _EvalMode:
    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.was_training = self.model.training
        self.model.eval()
        return self.model

    def __exit__(self, *exc):
        self.model.train(self.was_training)
        return False


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample and temperature <= 0:
        raise ValueError(f"bad temperature {temperature}: must be > 0")
    if do_sample and top_k is not None and top_k < 1:
        raise ValueError(f"bad top_k {top_k}: must be >= 1")
    tokens = input_ids
    with _EvalMode(model), torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(tokens[:, -model.max_len:])[:, -1, :]
            if do_sample:
                probs = torch.softmax(logits.double(), dim=-1) ** (1.0 / temperature)
                if top_k is not None and top_k < probs.size(-1):
                    kth = probs.topk(top_k, dim=-1).values[:, -1:]
                    probs = torch.where(probs >= kth, probs, torch.zeros_like(probs))
                chosen = torch.multinomial(probs.cpu(), 1, generator=generator).to(tokens.device)
            else:
                chosen = logits.topk(1, dim=-1).indices
            tokens = torch.cat([tokens, chosen], dim=1)
    return tokens
