# %% [markdown]
# ## Pictures
#
# ### Every head looks differently
#
# Four heads, one sentence. Each head has its own slice of the queries and keys, so each
# draws its own attention map. The layer is untrained (random weights): after training,
# one head might follow grammar, another meaning. Every row of every map still sums to 1.

# %%
import torch

from multi_head_attention import MultiHeadAttention
from starter_code.plotting import plot_heads

torch.manual_seed(0)
words = ["the", "cat", "sat", "on", "the", "mat"]
x = torch.randn(1, len(words), 16)  # (B=1, T=6, E=16): made-up word vectors
attention = MultiHeadAttention(embed_dim=16, heads=4).eval()  # eval: no dropout
with torch.no_grad():
    out, weights = attention(x, return_attention=True)  # weights: (1, 4, 6, 6)
figure = plot_heads(weights, words, title="Four heads, four attention maps")

# %% [markdown]
# ### Splitting into heads, pictured
#
# `split_heads` hands every head a slice of each word's numbers. Here every entry of
# a (T=3, E=8) table is its own index, so you can read off where each number goes:
# head 0 gets columns 0-1 of every word, head 1 columns 2-3, and so on.

# %%
from multi_head_attention import split_heads
from starter_code.plotting import plot_table

x = torch.arange(24.0).reshape(1, 3, 8)  # (B=1, T=3, E=8)
heads = split_heads(x, 4)  # (1, 4, 3, 2)
figure = plot_table(x[0], ["word 0", "word 1", "word 2"], [f"col {i}" for i in range(8)],
                    "Before: one row per word", vmax=23)
figure = plot_table(heads[0].reshape(12, 2), [f"head {h}, word {t}" for h in range(4) for t in range(3)],
                    ["", ""], "After split_heads(x, 4): each head's slice", vmax=23)
