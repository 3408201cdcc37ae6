"""Step 05 — a mini Transformer, end to end.

Token ids go in, one score per vocabulary word comes out for every position:

    ids (B, T) -> embedding (B, T, E) -> + positions -> N blocks -> fc_out (B, T, V)

This is not BERT or GPT yet — it is the engine inside both.
"""
import torch.nn as nn

from positional_encoding import PositionalEncoding
from transformer_block import TransformerBlock


class MiniTransformer(nn.Module):
    """Embedding + positional encoding + a stack of Transformer blocks + output layer.

    Args:
        vocab_size: V, the number of token ids.
        embed_dim: E.
        heads: attention heads per block.
        num_layers: how many blocks to stack.
        max_len: longest sequence accepted (size of the positional table).
        dropout: dropout probability inside the blocks.

    Attributes (parameter names are part of the course's API):
        embedding: ``nn.Embedding(V, E)``.
        position: ``PositionalEncoding(E, max_len)``.
        layers: ``nn.ModuleList`` of ``num_layers`` ``TransformerBlock``.
        fc_out: ``nn.Linear(E, V)``.
    """

    def __init__(self, vocab_size, embed_dim, heads, num_layers=1, max_len=100, dropout=0.1):
        super().__init__()
        # TODO: create embedding, position, layers and fc_out.
        raise NotImplementedError

    def forward(self, x, mask=None):
        """x: (B, T) token ids; mask: optional bool, True = may attend.

        Returns:
            logits (B, T, V).
        """
        # TODO: embed the ids, add positions, run every block (passing the mask),
        #       then project to vocabulary scores.
        raise NotImplementedError
