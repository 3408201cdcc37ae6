"""Step 06, written differently: a hand-written LayerNorm (parameters `weight` and
`bias`) and functional dropout in the embedding, whose positions are the first T rows
of the position table (no lookup); the attention_mask is converted with
.to(torch.bool); mask_tokens makes ONE uniform draw per chosen token and splits it
into [0, 0.8) -> [MASK], [0.8, 0.9) -> unchanged, [0.9, 1) -> random id (random ids are
floor(rand * vocab_size)), special tokens are found with functools.reduce, and the
result is assembled with torch.where; mlm_loss hands (B, V, T) logits to cross_entropy,
whose default ignore_index is -100."""
import functools
import operator

import torch
import torch.nn as nn
import torch.nn.functional as F

from transformer_block import TransformerBlock

EncoderBlock = TransformerBlock


class LayerNorm(nn.Module):
    def __init__(self, features, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, unbiased=False, keepdim=True)
        return self.weight * (x - mean) / torch.sqrt(var + self.eps) + self.bias


class BERTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_size, max_len=512, dropout=0.1):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_size)
        self.position = nn.Embedding(max_len, embed_size)
        self.segment = nn.Embedding(2, embed_size)
        self.norm = LayerNorm(embed_size)
        self.p = dropout

    def forward(self, input_ids, segment_ids=None):
        length = input_ids.shape[-1]
        if length > self.position.weight.shape[0]:
            raise ValueError(f"input of length {length} exceeds max_len ({self.position.weight.shape[0]})")
        if segment_ids is None:
            segment_ids = torch.zeros(input_ids.shape, dtype=torch.long, device=input_ids.device)
        x = self.token(input_ids) + self.position.weight[:length] + self.segment(segment_ids)
        return F.dropout(self.norm(x), self.p, self.training)


def make_padding_mask(input_ids, pad_id=0):
    batch, length = input_ids.shape
    return (input_ids != pad_id).reshape(batch, 1, 1, length)


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len, dropout)
        blocks = []
        for _ in range(num_layers):
            blocks.append(TransformerBlock(embed_dim, heads, dropout))
        self.layers = nn.ModuleList(blocks)

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        if attention_mask is None:
            attention_mask = input_ids != self.pad_id
        mask = attention_mask.to(torch.bool)[:, None, None, :]
        x = self.embedding(input_ids, segment_ids)
        for i in range(len(self.layers)):
            x = self.layers[i](x, mask)
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
        return self.mlm(self.bert(input_ids, segment_ids, attention_mask))


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if not 0 <= mlm_probability <= 1:
        raise ValueError("mlm_probability must lie between 0 and 1")
    shape, device = input_ids.shape, input_ids.device
    no_special = torch.zeros(shape, dtype=torch.bool, device=device)
    special = functools.reduce(operator.or_, (input_ids == s for s in special_ids), no_special)
    chosen = (torch.rand(shape, generator=generator, device=device) < mlm_probability) & ~special
    action = torch.rand(shape, generator=generator, device=device)  # one draw decides what happens
    random_ids = (torch.rand(shape, generator=generator, device=device) * vocab_size).long().clamp(max=vocab_size - 1)
    inputs = torch.where(chosen & (action < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(chosen & (action >= 0.9), random_ids, inputs)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels


def mlm_loss(logits, labels):
    return F.cross_entropy(logits.transpose(1, 2), labels)
