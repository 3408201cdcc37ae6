"""Step 06, written differently: mask_tokens follows Hugging Face's
DataCollatorForLanguageModeling (torch.bernoulli on probability matrices, with the
generator; the special ids become a tensor tested with torch.isin); the embedding looks
up positions expanded to (B, T) through F.embedding and keeps its dropout under another
attribute name; make_padding_mask uses ne/unsqueeze; MiniBERT turns attention_mask into
a mask with `== 1` and fills its ModuleList with append; mlm_loss selects the chosen
positions and averages log_softmax + gather by hand."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from transformer_block import TransformerBlock

EncoderBlock = TransformerBlock


class BERTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_size, max_len=512, dropout=0.1):
        super().__init__()
        self.max_len = max_len
        self.token = nn.Embedding(vocab_size, embed_size)
        self.position = nn.Embedding(max_len, embed_size)
        self.segment = nn.Embedding(2, embed_size)
        self.norm = nn.LayerNorm(embed_size)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids, segment_ids=None):
        batch, length = input_ids.shape
        if length > self.max_len:
            raise ValueError(f"got {length} tokens, but max_len is {self.max_len}")
        positions = torch.arange(length, device=input_ids.device).expand(batch, length)
        if segment_ids is None:
            segment_ids = input_ids.new_zeros(batch, length)
        summed = (F.embedding(input_ids, self.token.weight)
                  + F.embedding(positions, self.position.weight)
                  + F.embedding(segment_ids, self.segment.weight))
        return self.drop(self.norm(summed))


def make_padding_mask(input_ids, pad_id=0):
    return input_ids.ne(pad_id).unsqueeze(1).unsqueeze(2)


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len=max_len, dropout=dropout)
        self.layers = nn.ModuleList()
        for _ in range(num_layers):
            self.layers.append(EncoderBlock(embed_dim, heads, dropout=dropout))

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        batch, length = input_ids.shape
        if attention_mask is not None:
            mask = (attention_mask == 1).view(batch, 1, 1, length)
        else:
            mask = make_padding_mask(input_ids, self.pad_id)
        hidden = self.embedding(input_ids, segment_ids)
        for block in self.layers:
            hidden = block(hidden, mask=mask)
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
        hidden = self.bert(input_ids, segment_ids=segment_ids, attention_mask=attention_mask)
        return self.mlm(hidden)


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if mlm_probability < 0 or mlm_probability > 1:
        raise ValueError(f"mlm_probability={mlm_probability} is not a probability")
    shape, device = input_ids.shape, input_ids.device
    specials = torch.tensor(sorted({int(i) for i in special_ids}), dtype=input_ids.dtype, device=device)
    probability = torch.full(shape, float(mlm_probability), device=device)
    probability.masked_fill_(torch.isin(input_ids, specials), 0.0)
    chosen = torch.bernoulli(probability, generator=generator).bool()

    labels = input_ids.clone()
    labels[~chosen] = -100
    inputs = input_ids.clone()
    replaced = torch.bernoulli(torch.full(shape, 0.8, device=device), generator=generator).bool() & chosen
    inputs[replaced] = mask_id
    randomised = torch.bernoulli(torch.full(shape, 0.5, device=device), generator=generator).bool() & chosen & ~replaced
    random_words = torch.randint(vocab_size, shape, dtype=input_ids.dtype, device=device, generator=generator)
    inputs[randomised] = random_words[randomised]
    return inputs, labels


def mlm_loss(logits, labels):
    chosen = labels != -100
    log_probs = F.log_softmax(logits[chosen], dim=-1)  # (N, V)
    return -log_probs.gather(1, labels[chosen].unsqueeze(1)).mean()
