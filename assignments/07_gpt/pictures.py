# %% [markdown]
# ## Pictures
#
# ### No peeking: the causal mask
#
# Row t is the word being predicted from; a filled square is a word it may see. Every
# word sees itself and the words before it, never the ones after.

# %%
import torch

from gpt import CausalSelfAttention
from starter_code.plotting import plot_heads, plot_mask

words = ["i", "love", "ai", "and", "data"]
T = len(words)
figure = plot_mask(torch.tril(torch.ones(T, T, dtype=torch.bool)), words, title="Causal mask (True = may attend)")

# %% [markdown]
# ### GPT's attention maps
#
# An untrained `CausalSelfAttention` with two heads on the same five words. The weights
# are random, but the triangle is not: above the diagonal everything is exactly 0, in
# every head, whatever the weights.

# %%
torch.manual_seed(0)
attention = CausalSelfAttention(embed_dim=8, heads=2).eval()
with torch.no_grad():
    _, weights = attention(torch.randn(1, T, 8), return_attention=True)  # (1, 2, T, T)
figure = plot_heads(weights, words, title="Causal attention, two heads", numbers=True)
