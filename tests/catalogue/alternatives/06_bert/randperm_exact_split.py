"""Step 06, written differently: the embedding's dropout is hand-written (a uniform draw
>= p keeps a value, scaled by 1 / (1 - p), only while training) and its positions are
made with input_ids.new_tensor(range(T)); make_padding_mask is ~eq(...)[:, None, None];
MiniBERT first builds a (B, T) keep-mask (attention_mask, or ids != pad_id) and then
one (B, 1, 1, T) bool mask from it with `> 0`; mask_tokens chooses tokens with
independent uniform draws, then splits the chosen ones EXACTLY (a torch.randperm of
their positions: the first round(0.8 n) become [MASK], the next round(0.1 n) random
ids, the rest stay); special ids are collected with torch.stack(...).any(0); mlm_loss
is logsumexp minus the target's logit, summed over the chosen positions and divided by
their number."""
import torch
import torch.nn as nn

from transformer_block import TransformerBlock

EncoderBlock = TransformerBlock


class BERTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_size, max_len=512, dropout=0.1):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_size)
        self.position = nn.Embedding(max_len, embed_size)
        self.segment = nn.Embedding(2, embed_size)
        self.norm = nn.LayerNorm(embed_size)
        self.p = float(dropout)
        self.max_len = max_len

    def _dropout(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = torch.rand(x.shape, device=x.device, dtype=x.dtype) >= self.p
        return x * keep / (1.0 - self.p)

    def forward(self, input_ids, segment_ids=None):
        length = input_ids.size(-1)
        if length > self.max_len:
            raise ValueError(f"input has {length} tokens but max_len is {self.max_len}")
        positions = input_ids.new_tensor(range(length))
        x = self.token(input_ids) + self.position(positions)[None]
        if segment_ids is not None:
            x = x + self.segment(segment_ids)
        else:
            x = x + self.segment(torch.zeros_like(input_ids))
        return self._dropout(self.norm(x))


def make_padding_mask(input_ids, pad_id=0):
    return ~input_ids.eq(pad_id)[:, None, None]


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len, dropout)
        self.layers = nn.ModuleList(EncoderBlock(embed_dim, heads, dropout) for _ in range(num_layers))

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        keep = attention_mask if attention_mask is not None else (input_ids != self.pad_id)
        mask = keep.unsqueeze(1).unsqueeze(2) > 0
        hidden = self.embedding(input_ids, segment_ids)
        for layer in self.layers:
            hidden = layer(hidden, mask)
        return hidden


class MLMHead(nn.Module):
    def __init__(self, embed_dim, vocab_size):
        super().__init__()
        self.linear = nn.Linear(embed_dim, vocab_size)

    def forward(self, x):
        return self.linear(x)


class BERTForMaskedLM(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.bert = MiniBERT(vocab_size, embed_dim=embed_dim, num_layers=layers, heads=heads, max_len=max_len,
                             dropout=dropout, pad_id=pad_id)
        self.mlm = MLMHead(embed_dim, vocab_size)

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        return self.mlm(self.bert(input_ids, segment_ids=segment_ids, attention_mask=attention_mask))


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if mlm_probability < 0.0 or mlm_probability > 1.0:
        raise ValueError("mlm_probability must be a probability (between 0 and 1)")
    device = input_ids.device
    checks = [input_ids == s for s in special_ids]
    special = torch.stack(checks).any(0) if checks else torch.zeros_like(input_ids, dtype=torch.bool)
    chosen = (torch.rand(input_ids.shape, generator=generator, device=device) < mlm_probability) & ~special

    where = chosen.flatten().nonzero().squeeze(1)  # flat positions of the chosen tokens
    n = where.numel()
    order = where[torch.randperm(n, generator=generator, device=device)]
    n_mask, n_random = round(0.8 * n), round(0.1 * n)
    flat = input_ids.flatten().clone()
    flat[order[:n_mask]] = mask_id
    to_random = order[n_mask:n_mask + n_random]
    flat[to_random] = torch.randint(0, vocab_size, (to_random.numel(),), generator=generator, device=device)
    labels = torch.full_like(input_ids, -100)
    labels[chosen] = input_ids[chosen]
    return flat.view(input_ids.shape), labels


def mlm_loss(logits, labels):
    chosen = labels != -100
    picked = logits[chosen]  # (N, V)
    targets = labels[chosen]
    nll = torch.logsumexp(picked, dim=-1) - picked.gather(1, targets[:, None]).squeeze(1)
    return nll.sum() / chosen.sum()
