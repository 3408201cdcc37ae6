"""Step 05, written differently: forward processes the batch one sequence at a time
(slicing a batch-shaped mask, passing a shared (T, T) mask as it is) and concatenates
the logits; the constructor takes an extra optional `forward_expansion=4` and passes
everything on by keyword; the token lookup indexes the embedding's weight
(`embedding.weight[ids]`); the blocks are collected in a list comprehension over a
`range` stored on the model."""
import torch
import torch.nn as nn

from positional_encoding import PositionalEncoding
from transformer_block import TransformerBlock


class MiniTransformer(nn.Module):
    def __init__(self, vocab_size, embed_dim, heads, num_layers=1, max_len=100, dropout=0.1, forward_expansion=4):
        super().__init__()
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_dim)
        self.position = PositionalEncoding(embed_dim=embed_dim, max_len=max_len)
        self.layers = nn.ModuleList([
            TransformerBlock(embed_dim=embed_dim, heads=heads, dropout=dropout, forward_expansion=forward_expansion)
            for _ in range(num_layers)
        ])
        self.fc_out = nn.Linear(in_features=embed_dim, out_features=vocab_size)

    def _one(self, ids, mask):
        hidden = self.position(x=self.embedding.weight[ids])
        for block in self.layers:
            hidden = block(x=hidden, mask=mask)
        return self.fc_out(hidden)

    def forward(self, x, mask=None):
        outputs = []
        for b in range(x.size(0)):
            row_mask = mask[b:b + 1] if mask is not None and mask.dim() == 4 and mask.size(0) > 1 else mask
            outputs.append(self._one(x[b:b + 1], row_mask))
        return torch.cat(outputs)
