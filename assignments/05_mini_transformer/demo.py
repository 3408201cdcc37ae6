"""Step 05 live demo: token ids in, one score per vocabulary word out. Run: python -m grader demo 05"""
import torch

from mini_transformer import MiniTransformer

torch.manual_seed(0)  # the same random weights on every run

vocab = {"i": 0, "love": 1, "ai": 2, "transformers": 3}
words = {i: word for word, i in vocab.items()}  # id -> word, to read the answers back

sentence = ["i", "love", "ai"]
input_ids = torch.tensor([[vocab[word] for word in sentence]])  # (B=1, T=3)

model = MiniTransformer(vocab_size=len(vocab), embed_dim=32, heads=4)
logits = model(input_ids)  # (B, T, V): a score for every vocabulary word, at every position
print(logits.shape)  # torch.Size([1, 3, 4])

# The model is untrained (random weights), so these guesses are arbitrary: the demo
# only shows how scores become words. Training it to guess well is step 08.
model.eval()  # dropout off, so the guesses are repeatable
no_peeking = torch.tril(torch.ones(3, 3, dtype=torch.bool))  # position t sees words 0..t only
with torch.no_grad():
    best = model(input_ids, mask=no_peeking).argmax(dim=-1)[0]  # (T,): highest score per position
for t, guess in enumerate(best.tolist()):
    print(f"after {' '.join(sentence[: t + 1])!r:<14} the model's next word: {words[guess]}")
