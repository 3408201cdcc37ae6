"""Step 06, written differently: the embedding keeps its position ids in a registered
buffer `position_ids` of shape (1, max_len), as Hugging Face's BERT does (buffer names
are free), and slices it; in-place operations everywhere, but only on tensors the
function made itself: the embedding sums with += on the token lookup; mask_tokens
clones the ids and edits the copy with masked_fill_ / index assignment, draws with
torch.rand_like / torch.randint_like (with the generator), finds the specials with
logical_or_ over a set, and splits ONE draw per token as [0, 0.1) unchanged,
[0.1, 0.2) random id, [0.2, 1) [MASK]; mlm_loss clones the labels, sets the ignored
ones to 0 so that cross_entropy accepts them, and averages the unreduced loss over the
chosen positions; make_padding_mask compares after unsqueezing; MiniBERT walks its
blocks with enumerate."""
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
        self.register_buffer("position_ids", torch.arange(max_len).unsqueeze(0))  # (1, max_len)

    def forward(self, input_ids, segment_ids=None):
        length = input_ids.size(1)
        if length > self.position_ids.size(1):
            raise ValueError(f"max_len is {self.position_ids.size(1)}, but the input has {length} tokens")
        x = self.token(input_ids)
        x += self.position(self.position_ids[:, :length])
        if segment_ids is None:
            segment_ids = torch.zeros_like(input_ids)
        x += self.segment(segment_ids)
        return self.dropout(self.norm(x))


def make_padding_mask(input_ids, pad_id=0):
    return input_ids.unsqueeze(1).unsqueeze(2) != pad_id


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len, dropout)
        self.layers = nn.ModuleList([EncoderBlock(embed_dim, heads, dropout) for _ in range(num_layers)])

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        if attention_mask is None:
            mask = make_padding_mask(input_ids, self.pad_id)
        else:
            mask = attention_mask.bool().unsqueeze(1).unsqueeze(2)
        x = self.embedding(input_ids, segment_ids)
        for _, layer in enumerate(self.layers):
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
        return self.mlm(self.bert(input_ids, segment_ids, attention_mask))


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if not 0 <= mlm_probability <= 1:
        raise ValueError(f"mlm_probability must be in [0, 1], not {mlm_probability}")
    special = torch.zeros_like(input_ids, dtype=torch.bool)
    for special_id in set(special_ids):
        special.logical_or_(input_ids == special_id)
    template = torch.empty(input_ids.shape, device=input_ids.device)
    chosen = torch.rand_like(template, generator=generator) < mlm_probability
    chosen.logical_and_(~special)
    action = torch.rand_like(template, generator=generator)  # [0, .1) keep, [.1, .2) random, [.2, 1) [MASK]
    random_ids = torch.randint_like(input_ids, vocab_size, generator=generator)

    inputs = input_ids.clone()
    inputs.masked_fill_(chosen & (action >= 0.2), mask_id)
    to_random = chosen & (action >= 0.1) & (action < 0.2)
    inputs[to_random] = random_ids[to_random]
    labels = input_ids.clone()
    labels.masked_fill_(~chosen, -100)
    return inputs, labels


def mlm_loss(logits, labels):
    safe = labels.clone()
    ignored = safe == -100
    safe[ignored] = 0  # any valid class: these positions are zeroed below
    losses = F.cross_entropy(logits.flatten(0, 1), safe.flatten(), reduction="none")
    losses = losses.masked_fill(ignored.flatten(), 0.0)
    return losses.sum() / (~ignored).sum()
