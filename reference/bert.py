"""Step 06 — a mini BERT: an encoder that reads in both directions.

BERT is a stack of the step-04 Transformer blocks with no causal mask: every word sees
the words on its left *and* on its right. It learns language by filling in blanks
(masked language modelling, MLM): hide ~15 % of the words, predict them from context.

    ids (B, T) ─▶ token + position + segment embeddings ─▶ LayerNorm ─▶ dropout
              ─▶ N encoder blocks (padding masked out)   ─▶ (B, T, E)
              ─▶ MLM head ─▶ logits (B, T, V)

Shapes: B = batch, T = sequence length, E = embedding size, V = vocabulary size.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from transformer_block import TransformerBlock

EncoderBlock = TransformerBlock  # BERT's encoder block is exactly the step-04 block


class BERTEmbedding(nn.Module):
    """Token + learned position + segment embeddings, then LayerNorm and dropout.

    Args:
        vocab_size: V.
        embed_size: E.
        max_len: the longest sequence accepted (number of learned positions).
        dropout: dropout probability after the LayerNorm.

    Attributes (parameter names are part of the course's API):
        token: ``nn.Embedding(V, E)``; position: ``nn.Embedding(max_len, E)``;
        segment: ``nn.Embedding(2, E)`` (sentence A = 0, sentence B = 1);
        norm: ``nn.LayerNorm(E)``; dropout: ``nn.Dropout``.
    """

    def __init__(self, vocab_size, embed_size, max_len=512, dropout=0.1):
        super().__init__()
        # TODO: create token, position, segment (2 segments), norm and dropout.
        # BEGIN SOLUTION
        self.token = nn.Embedding(vocab_size, embed_size)
        self.position = nn.Embedding(max_len, embed_size)
        self.segment = nn.Embedding(2, embed_size)
        self.norm = nn.LayerNorm(embed_size)
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, input_ids, segment_ids=None):
        """input_ids, segment_ids: (B, T) ints (segment_ids None = all sentence A).

        Returns:
            (B, T, E).

        Raises:
            ValueError: if T is longer than ``max_len``.
        """
        # TODO: raise ValueError (mentioning `max_len`) if the sequence is too long.
        # TODO: positions 0..T-1 on the same device as input_ids; segments default to 0.
        # TODO: sum the three embeddings, then LayerNorm, then dropout.
        # BEGIN SOLUTION
        T = input_ids.size(1)
        if T > self.position.num_embeddings:
            raise ValueError(f"sequence length {T} is longer than max_len={self.position.num_embeddings}")
        if segment_ids is None:
            segment_ids = torch.zeros_like(input_ids)
        positions = torch.arange(T, device=input_ids.device)  # (T,), broadcasts over the batch
        x = self.token(input_ids) + self.position(positions) + self.segment(segment_ids)  # (B, T, E)
        return self.dropout(self.norm(x))
        # END SOLUTION


def make_padding_mask(input_ids, pad_id=0):
    """(B, T) ids -> (B, 1, 1, T) bool mask, True where the token is real (not padding).

    The shape broadcasts over heads and queries: no query may attend to a padding key.
    """
    # TODO: compare with pad_id, then add the two broadcasting dimensions.
    # BEGIN SOLUTION
    return (input_ids != pad_id)[:, None, None, :]  # (B, 1, 1, T)
    # END SOLUTION


class MiniBERT(nn.Module):
    """Embeddings + a stack of encoder blocks, with padding masked out.

    Args:
        vocab_size, embed_dim, num_layers, heads, max_len, dropout: as their names say.
        pad_id: the id of the padding token, used when no ``attention_mask`` is given.

    Attributes (parameter names are part of the course's API):
        embedding: ``BERTEmbedding``; layers: ``nn.ModuleList`` of ``EncoderBlock``.
    """

    def __init__(self, vocab_size, embed_dim=64, num_layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        # TODO: store pad_id; create embedding and `num_layers` encoder blocks in `layers`.
        # BEGIN SOLUTION
        self.pad_id = pad_id
        self.embedding = BERTEmbedding(vocab_size, embed_dim, max_len, dropout)
        self.layers = nn.ModuleList([EncoderBlock(embed_dim, heads, dropout) for _ in range(num_layers)])
        # END SOLUTION

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        """input_ids: (B, T); attention_mask: optional (B, T), 1/True for real tokens,
        used instead of the mask derived from ``pad_id``. Returns (B, T, E)."""
        # TODO: build the (B, 1, 1, T) bool mask: from attention_mask if given, else from pad_id.
        # TODO: embed, then run every block with the mask.
        # BEGIN SOLUTION
        if attention_mask is None:
            mask = make_padding_mask(input_ids, self.pad_id)  # (B, 1, 1, T)
        else:
            mask = attention_mask.bool()[:, None, None, :]  # (B, 1, 1, T)
        x = self.embedding(input_ids, segment_ids)  # (B, T, E)
        for layer in self.layers:
            x = layer(x, mask)
        return x
        # END SOLUTION


class MLMHead(nn.Module):
    """Turns every position's vector into a score for every vocabulary word.

    Attributes: linear = ``nn.Linear(E, V)``.
    """

    def __init__(self, embed_dim, vocab_size):
        super().__init__()
        # TODO: one linear layer named `linear`.
        # BEGIN SOLUTION
        self.linear = nn.Linear(embed_dim, vocab_size)
        # END SOLUTION

    def forward(self, x):
        """(B, T, E) -> logits (B, T, V)."""
        # BEGIN SOLUTION
        return self.linear(x)
        # END SOLUTION


class BERTForMaskedLM(nn.Module):
    """MiniBERT + MLM head: logits for the word at every position.

    Attributes: bert = ``MiniBERT``; mlm = ``MLMHead``.
    """

    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        # TODO: create bert and mlm.
        # BEGIN SOLUTION
        self.bert = MiniBERT(vocab_size, embed_dim, layers, heads, max_len, dropout, pad_id)
        self.mlm = MLMHead(embed_dim, vocab_size)
        # END SOLUTION

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        """Same inputs as MiniBERT. Returns logits (B, T, V)."""
        # BEGIN SOLUTION
        return self.mlm(self.bert(input_ids, segment_ids, attention_mask))
        # END SOLUTION


def mask_tokens(input_ids, vocab_size, mask_id, special_ids, mlm_probability=0.15, generator=None):
    """BERT's masking rule, for one MLM training batch.

    Every non-special token is *chosen* independently with probability
    ``mlm_probability``. Of the chosen tokens, 80 % become ``mask_id``, 10 % a random id
    in [0, vocab_size), and 10 % stay as they are.

    Args:
        input_ids: (B, T) ints; not modified.
        special_ids: iterable of ids that are never chosen ([PAD], [CLS], [SEP], ...).
        generator: optional ``torch.Generator`` for reproducible draws.

    Returns:
        inputs: (B, T), the ids the model sees.
        labels: (B, T), the original id where chosen, -100 elsewhere (ignored by the loss).

    Raises:
        ValueError: if ``mlm_probability`` is outside [0, 1].
    """
    # TODO: validate mlm_probability (ValueError mentioning `mlm_probability`).
    # TODO: choose positions: uniform draws < p, never on special ids.
    # TODO: labels = original ids at chosen positions, -100 elsewhere.
    # TODO: of the chosen, 80 % -> mask_id, half of the rest -> a random id, the rest unchanged.
    # BEGIN SOLUTION
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError(f"mlm_probability must be in [0, 1], got {mlm_probability}")
    device = input_ids.device

    def uniform():  # (B, T) draws in [0, 1), from the generator when one is given
        return torch.rand(input_ids.shape, generator=generator, device=device)

    special = torch.zeros_like(input_ids, dtype=torch.bool)
    for special_id in special_ids:
        special |= input_ids == special_id
    chosen = (uniform() < mlm_probability) & ~special  # (B, T)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))

    inputs = input_ids.clone()
    to_mask = chosen & (uniform() < 0.8)  # 80 % of the chosen
    to_random = chosen & ~to_mask & (uniform() < 0.5)  # half of the other 20 %
    inputs[to_mask] = mask_id
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator, device=device)
    inputs[to_random] = random_ids[to_random]
    return inputs, labels
    # END SOLUTION


def mlm_loss(logits, labels):
    """Mean cross-entropy over the positions whose label is not -100.

    Args:
        logits: (B, T, V); labels: (B, T) with -100 where nothing is predicted.
    """
    # TODO: flatten to (B*T, V) and (B*T,), and ignore the -100 labels.
    # BEGIN SOLUTION
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100)
    # END SOLUTION
