"""Step 07, written differently: the causal mask is a registered bool buffer of the
FUTURE (triu(diagonal=1), True = blocked; persistent=False), used with torch.where and
torch.finfo(dtype).min instead of -inf; the attention is a loop over the heads (one
slice of query/key/value per head, stacked at the end). Positions come from a registered
int buffer `position_ids` (arange(max_len)) cut to T. The blocks are an nn.Sequential.
generate runs under torch.inference_mode(), crops with torch.narrow, cuts the top-k at the
k-th largest value found with torch.kthvalue, applies the temperature AFTER top-k, and
samples with the Gumbel-max trick in its "exponential race" form: argmax(probs / E) with
E ~ Exp(1) drawn by Tensor.exponential_(generator=...). It draws different tokens than
torch.multinomial for the same seed, and is just as correct (SPEC §3.1: seeded samples
are never compared with the reference's)."""
import torch
import torch.nn as nn


class GPTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_dim, max_len=100):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)
        self.register_buffer("position_ids", torch.arange(max_len), persistent=False)

    def forward(self, x):
        if x.shape[-1] > self.position_ids.numel():
            raise ValueError(f"got {x.shape[-1]} tokens but max_len is {self.position_ids.numel()}")
        return self.token(x) + self.position(self.position_ids[: x.shape[-1]])


class CausalSelfAttention(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        if embed_dim % heads:
            raise ValueError(f"heads={heads} does not divide embed_dim={embed_dim}")
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.fc_out = nn.Linear(embed_dim, embed_dim)
        self.drop = nn.Dropout(dropout)
        self.register_buffer("future", torch.ones(max_len, max_len, dtype=torch.bool).triu(diagonal=1), persistent=False)

    def forward(self, x, return_attention=False):
        T = x.shape[1]
        q, k, v = self.query(x), self.key(x), self.value(x)
        blocked = self.future[:T, :T]
        outs, maps = [], []
        for h in range(self.heads):
            part = slice(h * self.head_dim, (h + 1) * self.head_dim)
            scores = q[..., part] @ k[..., part].transpose(1, 2) * self.head_dim ** -0.5
            scores = torch.where(blocked, torch.finfo(scores.dtype).min, scores)
            weights = self.drop(scores.softmax(dim=-1))
            outs.append(weights @ v[..., part])
            maps.append(weights)
        out = self.fc_out(torch.cat(outs, dim=-1))
        return (out, torch.stack(maps, dim=1)) if return_attention else out


class GPTBlock(nn.Module):
    def __init__(self, embed_dim, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.attn = CausalSelfAttention(embed_dim, heads, max_len, dropout)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.ffn = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.ReLU(), nn.Linear(4 * embed_dim, embed_dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = self.norm1(self.dropout(self.attn(x)).add(x))
        return self.norm2(self.dropout(self.ffn(h)).add(h))


class MiniGPT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=1, max_len=100, dropout=0.0):
        super().__init__()
        self.embedding = GPTEmbedding(vocab_size, embed_dim, max_len)
        self.blocks = nn.Sequential(*[GPTBlock(embed_dim, heads, max_len, dropout) for _ in range(layers)])
        self.fc_out = nn.Linear(embed_dim, vocab_size)
        self.max_len = max_len

    def forward(self, x):
        return self.fc_out(self.blocks(self.embedding(x)))


def _top_k(logits, k):
    vocab = logits.size(-1)
    if k >= vocab:
        return logits
    kth = torch.kthvalue(logits, vocab - k + 1, dim=-1, keepdim=True).values  # the k-th largest
    return logits.masked_fill(logits < kth, float("-inf"))


def _exponential_race(probs, generator):
    race = torch.empty(probs.shape, dtype=torch.float64).exponential_(generator=generator).to(probs.device)
    return (probs.double() / race).argmax(dim=-1, keepdim=True)


def generate(model, input_ids, max_new_tokens, temperature=1.0, top_k=None, do_sample=False, generator=None):
    if do_sample:
        if not temperature > 0:
            raise ValueError(f"temperature must be positive when sampling (got {temperature})")
        if top_k is not None and top_k < 1:
            raise ValueError(f"top_k must be a positive integer (got {top_k})")
    previous_mode = model.training
    model.eval()
    ids = input_ids
    try:
        with torch.inference_mode():
            for _ in range(max_new_tokens):
                length = min(ids.size(1), model.max_len)
                logits = model(ids.narrow(1, ids.size(1) - length, length))[:, -1]
                if do_sample:
                    if top_k is not None:
                        logits = _top_k(logits, top_k)
                    probs = torch.softmax(logits / temperature, dim=-1)
                    nxt = _exponential_race(probs, generator)
                else:
                    nxt = logits.argmax(dim=-1, keepdim=True)
                ids = torch.cat([ids, nxt], dim=1)
    finally:
        model.train(previous_mode)
    return ids
