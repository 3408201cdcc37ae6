"""Step 05, written differently: the blocks live in an nn.Sequential (parameter names
stay layers.0..., the Sequential is only used as a container and iterated, since its
own forward cannot pass the mask); PositionalEncoding and the blocks are built with
keyword arguments; the mask is passed as a keyword."""
import torch.nn as nn

from positional_encoding import PositionalEncoding
from transformer_block import TransformerBlock


class MiniTransformer(nn.Module):
    def __init__(self, vocab_size, embed_dim, heads, num_layers=1, max_len=100, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_dim)
        self.position = PositionalEncoding(embed_dim=embed_dim, max_len=max_len)
        self.layers = nn.Sequential(*[TransformerBlock(embed_dim, heads, dropout=dropout) for _ in range(num_layers)])
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, x, mask=None):
        hidden = self.embedding(x)
        hidden = self.position(hidden)
        for block in self.layers:
            hidden = block(hidden, mask=mask)
        return self.fc_out(hidden)
