"""Step 06, written differently: mask_tokens makes ONE uniform draw u per token and
reads everything from it: chosen when u < p; among the chosen, u < 0.8 p -> [MASK],
0.8 p <= u < 0.9 p -> random id, the rest unchanged (given u < p, u / p is uniform, so
the 80/10/10 split holds exactly in distribution); special ids are dropped through a
Python set before building an id tensor for torch.isin; MiniBERT expands its mask to
(B, 1, T, T) before handing it to the blocks (the same mask, broadcast by hand); the
embedding adds the segment rows with torch.index_select and the positions with
position.weight.narrow(0, 0, T); mlm_loss computes log_softmax by hand (x - logsumexp)."""
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
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, segment_ids=None):
        batch, length = input_ids.shape
        if length > self.position.weight.size(0):
            raise ValueError(f"length {length} is above max_len={self.position.weight.size(0)}")
        if segment_ids is None:
            segment_ids = input_ids.new_zeros(batch, length)
        segments = torch.index_select(self.segment.weight, 0, segment_ids.reshape(-1)).view(batch, length, -1)
        x = self.token(input_ids) + self.position.weight.narrow(0, 0, length) + segments
        return self.dropout(self.norm(x))


def make_padding_mask(input_ids, pad_id=0):
    return torch.ne(input_ids, pad_id)[:, None, None, :]


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len=max_len, dropout=dropout)
        self.layers = nn.ModuleList([EncoderBlock(embed_dim, heads, dropout) for _ in range(num_layers)])

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        length = input_ids.size(1)
        if attention_mask is None:
            keys = make_padding_mask(input_ids, self.pad_id)
        else:
            keys = attention_mask.bool()[:, None, None, :]
        mask = keys.expand(-1, -1, length, -1)  # (B, 1, T, T): every query sees the same keys
        x = self.embedding(input_ids, segment_ids)
        for layer in self.layers:
            x = layer(x, mask)
        return x


class MLMHead(nn.Module):
    def __init__(self, embed_dim, vocab_size):
        super().__init__()
        self.linear = nn.Linear(embed_dim, vocab_size)

    def forward(self, x):
        return self.linear(x)


class BERTForMaskedLM(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.bert = MiniBERT(vocab_size, embed_dim, layers, heads, max_len, dropout, pad_id)
        self.mlm = MLMHead(embed_dim, vocab_size)

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        return self.mlm(self.bert(input_ids, segment_ids=segment_ids, attention_mask=attention_mask))


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError(f"mlm_probability={mlm_probability!r} must be between 0 and 1")
    device = input_ids.device
    specials = torch.tensor(sorted(set(special_ids)), dtype=input_ids.dtype, device=device)
    u = torch.rand(input_ids.shape, generator=generator, device=device)
    chosen = (u < mlm_probability) & ~torch.isin(input_ids, specials)
    to_mask = chosen & (u < 0.8 * mlm_probability)
    to_random = chosen & (u >= 0.8 * mlm_probability) & (u < 0.9 * mlm_probability)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=device)
    inputs = torch.where(to_mask, mask_id, input_ids)
    inputs = torch.where(to_random, random_ids, inputs)
    labels = torch.where(chosen, input_ids, -100)
    return inputs, labels


def mlm_loss(logits, labels):
    chosen = labels != -100
    picked = logits[chosen]
    log_probs = picked - torch.logsumexp(picked, dim=-1, keepdim=True)
    return -log_probs[torch.arange(picked.size(0), device=picked.device), labels[chosen]].mean()
