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
        raise NotImplementedError

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
        raise NotImplementedError


def make_padding_mask(input_ids, pad_id=0):
    """(B, T) ids -> (B, 1, 1, T) bool mask, True where the token is real (not padding).

    The shape broadcasts over heads and queries: no query may attend to a padding key.
    """
    # TODO: compare with pad_id, then add the two broadcasting dimensions.
    raise NotImplementedError


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
        raise NotImplementedError

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        """input_ids: (B, T); attention_mask: optional (B, T), 1/True for real tokens,
        used instead of the mask derived from ``pad_id``. Returns (B, T, E)."""
        # TODO: build the (B, 1, 1, T) bool mask: from attention_mask if given, else from pad_id.
        # TODO: embed, then run every block with the mask.
        raise NotImplementedError


class MLMHead(nn.Module):
    """Turns every position's vector into a score for every vocabulary word.

    Attributes: linear = ``nn.Linear(E, V)``.
    """

    def __init__(self, embed_dim, vocab_size):
        super().__init__()
        # TODO: one linear layer named `linear`.
        raise NotImplementedError

    def forward(self, x):
        """(B, T, E) -> logits (B, T, V)."""
        raise NotImplementedError


class BERTForMaskedLM(nn.Module):
    """MiniBERT + MLM head: logits for the word at every position.

    Attributes: bert = ``MiniBERT``; mlm = ``MLMHead``.
    """

    def __init__(self, vocab_size, embed_dim=64, layers=2, heads=4, max_len=512, dropout=0.1, pad_id=0):
        super().__init__()
        # TODO: create bert and mlm.
        raise NotImplementedError

    def forward(self, input_ids, segment_ids=None, attention_mask=None):
        """Same inputs as MiniBERT. Returns logits (B, T, V)."""
        raise NotImplementedError


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
    raise NotImplementedError


def mlm_loss(logits, labels):
    """Mean cross-entropy over the positions whose label is not -100.

    Args:
        logits: (B, T, V); labels: (B, T) with -100 where nothing is predicted.
    """
    # TODO: flatten to (B*T, V) and (B*T,), and ignore the -100 labels.
    raise NotImplementedError
