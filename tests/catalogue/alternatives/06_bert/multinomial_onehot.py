"""Step 06, written differently: the embedding numbers the positions with a cumulative
sum (cumsum of ones_like(input_ids) - 1), looks the segments up as a one-hot matrix
product (F.one_hot @ segment.weight) and normalises with F.layer_norm on the norm's own
parameters; make_padding_mask is logical_not(eq) reshaped with view; MiniBERT turns
attention_mask into a mask with `!= 0` and calls its blocks by keyword;
BERTForMaskedLM applies its head with F.linear; mask_tokens decides the fate of every
token with ONE torch.multinomial over the three outcomes [MASK] / random / unchanged
(probabilities 0.8 / 0.1 / 0.1), finds the special ids with torch.isin and assembles
the result with torch.where and masked_fill; mlm_loss is F.nll_loss on log_softmax."""
import torch
import torch.nn as nn
import torch.nn.functional as F

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
        if input_ids.size(1) > self.position.num_embeddings:
            raise ValueError(f"{input_ids.size(1)} tokens do not fit max_len={self.position.num_embeddings}")
        positions = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1  # 0, 1, ..., T-1 in every row
        if segment_ids is None:
            segment_ids = torch.zeros_like(input_ids)
        weight = self.segment.weight
        segments = F.one_hot(segment_ids, num_classes=2).to(weight.dtype) @ weight
        x = self.token(input_ids) + self.position(positions) + segments
        x = F.layer_norm(x, self.norm.normalized_shape, self.norm.weight, self.norm.bias, self.norm.eps)
        return self.dropout(x)


def make_padding_mask(input_ids, pad_id=0):
    batch, length = input_ids.shape
    return torch.logical_not(input_ids.eq(pad_id)).view(batch, 1, 1, length)


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size=vocab_size, embed_size=embed_dim, max_len=max_len, dropout=dropout)
        self.layers = nn.ModuleList([EncoderBlock(embed_dim=embed_dim, heads=heads, dropout=dropout)
                                     for _ in range(num_layers)])

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        if attention_mask is None:
            mask = make_padding_mask(input_ids, pad_id=self.pad_id)
        else:
            mask = (attention_mask != 0)[:, None, None, :]
        x = self.embedding(input_ids, segment_ids=segment_ids)
        for block in self.layers:
            x = block(x=x, mask=mask)
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
        hidden = self.bert(input_ids, segment_ids, attention_mask)
        return F.linear(hidden, self.mlm.linear.weight, self.mlm.linear.bias)


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError(f"mlm_probability={mlm_probability} is outside [0, 1]")
    shape, device = input_ids.shape, input_ids.device
    specials = torch.tensor([int(s) for s in special_ids], dtype=input_ids.dtype, device=device)
    special = torch.isin(input_ids, specials)
    chosen = (torch.rand(shape, generator=generator, device=device) < mlm_probability) & ~special
    outcome_probs = torch.tensor([0.8, 0.1, 0.1], device=device)  # [MASK], random id, unchanged
    outcome = torch.multinomial(outcome_probs, input_ids.numel(), replacement=True, generator=generator).view(shape)
    random_ids = torch.randint(0, vocab_size, shape, generator=generator, device=device, dtype=input_ids.dtype)
    inputs = torch.where(chosen & (outcome == 0), torch.full_like(input_ids, mask_id), input_ids)
    inputs = torch.where(chosen & (outcome == 1), random_ids, inputs)
    labels = input_ids.masked_fill(~chosen, -100)
    return inputs, labels


def mlm_loss(logits, labels):
    log_probs = F.log_softmax(logits, dim=-1).flatten(0, 1)
    return F.nll_loss(log_probs, labels.flatten(), ignore_index=-100)
