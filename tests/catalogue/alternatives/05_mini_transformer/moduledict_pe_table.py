"""Step 05, written differently: the blocks live in an nn.ModuleDict whose keys are
"0", "1", ... (so the parameter names stay layers.0...), walked through .values(); the
positional table is read straight from the PositionalEncoding's `pe` buffer (the step-03
contract), with the model's own length check that raises ValueError naming max_len;
the output layer is applied with F.linear."""
import torch.nn as nn
import torch.nn.functional as F

from positional_encoding import PositionalEncoding
from transformer_block import TransformerBlock


class MiniTransformer(nn.Module):
    def __init__(self, vocab_size, embed_dim, heads, num_layers=1, max_len=100, dropout=0.1):
        super().__init__()
        self.max_len = max_len
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.position = PositionalEncoding(embed_dim, max_len)
        self.layers = nn.ModuleDict({str(i): TransformerBlock(embed_dim, heads, dropout) for i in range(num_layers)})
        self.fc_out = nn.Linear(embed_dim, vocab_size)

    def forward(self, x, mask=None):
        length = x.shape[1]
        if length > self.max_len:
            raise ValueError(f"the model accepts at most max_len={self.max_len} tokens, got {length}")
        hidden = self.embedding(x) + self.position.pe[:, :length]
        for block in self.layers.values():
            hidden = block(hidden, mask)
        return F.linear(hidden, self.fc_out.weight, self.fc_out.bias)
