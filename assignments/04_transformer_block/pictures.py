# %% [markdown]
# ## Pictures
#
# ### LayerNorm tames loud vectors
#
# The demo's three word vectors are loud and off-centre (numbers around 2, spread
# about 5). After the block, every word's numbers have mean about 0 and spread about
# 1: the last LayerNorm rescales each word on its own. Left: the numbers themselves,
# one row per word; right: each word's spread before and after.

# %%
import torch

from starter_code.plotting import plot_bars, plot_table
from transformer_block import TransformerBlock

torch.manual_seed(0)
x = torch.randn(1, 3, 8) * 5 + 2  # the demo's input: (B=1, T=3, E=8)
block = TransformerBlock(embed_dim=8, heads=2).eval()
with torch.no_grad():
    out = block(x)
rows = [f"word {t} {when}" for when in ("in", "out") for t in range(3)]
figure = plot_table(torch.cat([x[0], out[0]]), rows, [f"{i}" for i in range(8)],
                    "Each word's 8 numbers, before (in) and after (out) the block", xlabel="dimension",
                    vmin=-10, vmax=10)
figure = plot_bars({f"word {t}\n{when}": v[0, t].std() for t in range(3) for when, v in (("in", x), ("out", out))},
                   "Spread of each word's numbers", "standard deviation")
