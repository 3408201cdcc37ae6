"""Step 05, written differently: the ModuleList is built from a generator expression,
forward walks the blocks by index, and the output layer is applied as
``hidden @ fc_out.weight.T + fc_out.bias``."""
import torch.nn as nn

from positional_encoding import PositionalEncoding
from transformer_block import TransformerBlock


class MiniTransformer(nn.Module):
    def __init__(self, vocab_size, embed_dim, heads, num_layers=1, max_len=100, dropout=0.1):
        super().__init__()
        self.num_layers = num_layers
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.position = PositionalEncoding(embed_dim, max_len=max_len)
        self.layers = nn.ModuleList(TransformerBlock(embed_dim, heads, dropout=dropout) for _ in range(num_layers))
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, x, mask=None):
        hidden = self.position(self.embedding(x))
        for i in range(self.num_layers):
            hidden = self.layers[i](hidden, mask)
        return hidden @ self.fc_out.weight.T + self.fc_out.bias
