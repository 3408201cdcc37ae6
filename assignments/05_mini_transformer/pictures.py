# %% [markdown]
# ## Pictures
#
# ### From scores to guesses
#
# The model gives every vocabulary word a score (a logit) at every position; softmax
# turns each row into probabilities. Untrained, the rows are close to even (1/4 each
# for 4 words): the model has no preference yet. Training (step 08) makes one word per
# row stand out.

# %%
import torch

from mini_transformer import MiniTransformer
from starter_code.plotting import plot_table

torch.manual_seed(0)
vocab = {"i": 0, "love": 1, "ai": 2, "transformers": 3}
sentence = ["i", "love", "ai"]
model = MiniTransformer(vocab_size=len(vocab), embed_dim=32, heads=4).eval()
no_peeking = torch.tril(torch.ones(3, 3, dtype=torch.bool))
with torch.no_grad():
    logits = model(torch.tensor([[vocab[w] for w in sentence]]), mask=no_peeking)  # (1, 3, 4)
rows = [f"after '{' '.join(sentence[: t + 1])}'" for t in range(3)]
figure = plot_table(logits[0].softmax(-1), rows, list(vocab), "Next-word probabilities (untrained)",
                    xlabel="next word", ylabel="position")
