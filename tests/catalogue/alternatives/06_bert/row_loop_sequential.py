"""Step 06, written differently: EncoderBlock is a subclass of the step-04 block; the
blocks live in an nn.Sequential (iterated, since its own forward cannot pass the mask);
positions are arange(...).repeat(B, 1); without segment_ids the embedding adds the
segment table's row 0 directly; BERTForMaskedLM passes everything by keyword;
mask_tokens works row by row in a Python loop (three uniform draws per row, special ids
found with a set), collecting rows with torch.stack; mlm_loss sums the cross-entropy and
divides by the number of chosen positions."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from transformer_block import TransformerBlock


class EncoderBlock(TransformerBlock):
    """BERT's name for the step-04 Transformer block."""


class BERTEmbedding(nn.Module):
    def __init__(self, vocab_size, embed_size, max_len=512, dropout=0.1):
        super().__init__()
        self.token = nn.Embedding(vocab_size, embed_size)
        self.position = nn.Embedding(max_len, embed_size)
        self.segment = nn.Embedding(2, embed_size)
        self.norm = nn.LayerNorm(embed_size)
        self.dropout = nn.Dropout(p=dropout)
        self.max_len = max_len

    def forward(self, input_ids, segment_ids=None):
        batch, length = input_ids.size()
        if length > self.max_len:
            raise ValueError(f"sequence too long for max_len: {length} > {self.max_len}")
        positions = torch.arange(length, device=input_ids.device).unsqueeze(0).repeat(batch, 1)
        x = self.token(input_ids) + self.position(positions)
        if segment_ids is not None:
            x = x + self.segment(segment_ids)
        else:
            x = x + self.segment.weight[0]
        x = self.norm(x)
        return self.dropout(x)


def make_padding_mask(input_ids, pad_id=0):
    mask = input_ids != pad_id
    return mask[:, None, None]


class MiniBERT(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len=max_len, dropout=dropout)
        self.layers = nn.Sequential(*(EncoderBlock(embed_dim, heads, dropout=dropout) for _ in range(num_layers)))

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        if attention_mask is not None:
            mask = attention_mask.bool().unsqueeze(1).unsqueeze(1)
        else:
            mask = make_padding_mask(input_ids, pad_id=self.pad_id)
        x = self.embedding(input_ids, segment_ids=segment_ids)
        for block in self.layers:
            x = block(x, mask=mask)
        return x


class MLMHead(nn.Module):
    def __init__(self, embed_dim, vocab_size):
        super().__init__()
        self.linear = nn.Linear(in_features=embed_dim, out_features=vocab_size)

    def forward(self, x):
        return self.linear(x)


class BERTForMaskedLM(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        self.bert = MiniBERT(vocab_size=vocab_size, embed_dim=embed_dim, num_layers=layers, heads=heads,
                             max_len=max_len, dropout=dropout, pad_id=pad_id)
        self.mlm = MLMHead(embed_dim=embed_dim, vocab_size=vocab_size)

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        return self.mlm(self.bert(input_ids, segment_ids=segment_ids, attention_mask=attention_mask))


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    if not (0.0 <= float(mlm_probability) <= 1.0):
        raise ValueError(f"mlm_probability should be within [0, 1] (got {mlm_probability})")
    specials = set(int(s) for s in special_ids)
    device = input_ids.device
    input_rows, label_rows = [], []
    for row in input_ids:
        length = row.numel()
        is_special = torch.tensor([int(t) in specials for t in row.tolist()], dtype=torch.bool, device=device)
        chosen = (torch.rand(length, generator=generator, device=device) < mlm_probability) & ~is_special
        to_mask = chosen & (torch.rand(length, generator=generator, device=device) < 0.8)
        to_random = chosen & ~to_mask & (torch.rand(length, generator=generator, device=device) < 0.5)
        new_row = row.clone()
        new_row[to_mask] = mask_id
        new_row[to_random] = torch.randint(0, vocab_size, (int(to_random.sum()),), generator=generator, device=device)
        label = torch.full_like(row, -100)
        label[chosen] = row[chosen]
        input_rows.append(new_row)
        label_rows.append(label)
    return torch.stack(input_rows), torch.stack(label_rows)


def mlm_loss(logits, labels):
    vocab = logits.shape[-1]
    flat_labels = labels.reshape(-1)
    total = F.cross_entropy(logits.reshape(-1, vocab), flat_labels, ignore_index=-100, reduction="sum")
    return total / (flat_labels != -100).sum()
