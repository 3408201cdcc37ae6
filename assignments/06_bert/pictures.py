# %% [markdown]
# ## Pictures
#
# ### The padding mask
#
# Two sentences of different lengths share one batch; the shorter one is filled with
# `[PAD]`. Every word may look at every real word of its own sentence, and at no
# padding seat: the mask is True in the real columns only, in every row.

# %%
import torch

from bert import make_padding_mask, mask_tokens
from starter_code.plotting import plot_bars, plot_mask

vocab = {"[PAD]": 0, "[MASK]": 1, "i": 2, "love": 3, "ai": 4}
words = ["i", "love", "ai", "[PAD]", "[PAD]"]
ids = torch.tensor([[vocab[w] for w in words]])  # (B=1, T=5)
mask = make_padding_mask(ids)  # (1, 1, 1, 5), True = a real word
figure = plot_mask(mask[0, 0].expand(len(words), len(words)), words, title="Padding mask, broadcast over the queries")

# %% [markdown]
# ### What `mask_tokens` does to the chosen words
#
# Over many seeded draws, about 15 % of the real words are chosen; of those, about 80 %
# become `[MASK]`, 10 % a random word and 10 % stay as they were. (A vocabulary of
# 1,000 words here, so that a "random word" is hardly ever the word it replaces.)

# %%
ids = torch.randint(2, 1000, (200, 50), generator=torch.Generator().manual_seed(0))  # ids 0 and 1 are special
inputs, labels = mask_tokens(ids, 1000, mask_id=1, special_ids=[0, 1], generator=torch.Generator().manual_seed(1))
chosen = labels != -100
became_mask = (inputs == 1) & chosen
kept = (inputs == ids) & chosen & ~became_mask
shares = {"chosen\n(of all)": chosen.float().mean(), "[MASK]\n(of chosen)": became_mask.sum() / chosen.sum(),
          "random\n(of chosen)": (chosen & ~became_mask & ~kept).sum() / chosen.sum(),
          "kept\n(of chosen)": kept.sum() / chosen.sum()}
figure = plot_bars(shares, "mask_tokens, counted over 10,000 words", "share")
