# %% [markdown]
# ## Pictures
#
# ### Who does "it" look at?
#
# A trained model learns what to write on each word's cards. Here we write a few cards
# by hand, with four numbers each: *is a thing*, *goes inside something*, *points back
# to a word*, *is a size*. "it" asks for "a thing that goes inside something", "fit"
# asks the same, and "big" asks for a word that points back. Every other word asks for
# nothing in particular, so it spreads its attention evenly. Read a row to see where
# that word looks: the brightest square of the "it" row is "trophy".

# %%
import torch

from self_attention import scaled_dot_product_attention
from starter_code.plotting import plot_attention

words = "the trophy did not fit in the suitcase because it was too big".split()
offers = {"trophy": [1, 1, 0, 0], "suitcase": [1, 0, 0, 0], "it": [0, 0, 1, 0], "big": [0, 0, 0, 1]}
looks_for = {"it": [4, 4, 0, 0], "fit": [3, 3, 0, 0], "big": [0, 0, 6, 0]}
keys = torch.tensor([offers.get(w, [0, 0, 0, 0]) for w in words], dtype=torch.float32)  # (T, 4)
queries = torch.tensor([looks_for.get(w, [0, 0, 0, 0]) for w in words], dtype=torch.float32)  # (T, 4)
_, weights = scaled_dot_product_attention(queries[None], keys[None], keys[None])  # weights: (1, T, T)
figure = plot_attention(weights[0], words, title='Hand-made cards: "it" looks at "trophy"')

# %% [markdown]
# ### The demo's layer, as a picture
#
# The live demo's untrained layer, drawn instead of printed. Its weights are random, so
# the pattern means nothing yet; the masked version shows what a mask does: nothing
# above the diagonal, and the first word gives all its attention to itself.

# %%
from self_attention import SelfAttention
from starter_code.plotting import plot_mask

torch.manual_seed(0)
words = ["she", "fed", "her", "cat"]
x = torch.randn(1, len(words), 8)  # the demo's made-up word vectors
attention = SelfAttention(embed_dim=8)
no_peeking = torch.tril(torch.ones(4, 4, dtype=torch.bool))  # True = may attend
with torch.no_grad():
    _, weights = attention(x, return_attention=True)
    _, masked = attention(x, mask=no_peeking, return_attention=True)
figure = plot_attention(weights, words, title="Untrained layer, no mask")
figure = plot_mask(no_peeking, words, title="The mask (True = may attend)")
figure = plot_attention(masked, words, title="Untrained layer, with the mask")
