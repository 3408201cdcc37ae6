# %% [markdown]
# ## Pictures
#
# ### The table
#
# Every row is the "address" a position adds to its word. Early dimensions change fast
# from one position to the next (short waves), later ones slowly (long waves), so no two
# rows are alike: that is how the model can tell positions apart.

# %%
from positional_encoding import PositionalEncoding
from starter_code.plotting import plot_positional_encoding, plot_similarity

positions = PositionalEncoding(embed_dim=32, max_len=60)
figure = plot_positional_encoding(positions.pe[0])

# %% [markdown]
# ### Nearby positions look alike
#
# Compare every position's row with every other's: neighbours are similar (bright next
# to the diagonal), far-apart positions are not. The pattern is the same everywhere
# along the diagonal, which is what lets a model learn "two words back" once for all
# positions.

# %%
figure = plot_similarity(positions.pe[0, :20], [str(p) for p in range(20)],
                         title="Similarity of positions 0-19")
