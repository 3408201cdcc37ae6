"""Step 06 live demo: BERT fills in the blank, and ignores padding. Run: python -m grader demo 06"""
import torch

from bert import BERTForMaskedLM, mask_tokens

torch.manual_seed(0)  # the same random weights on every run

vocab = {"[PAD]": 0, "[MASK]": 1, "i": 2, "love": 3, "ai": 4}
words = {i: word for word, i in vocab.items()}  # id -> word, to read the answer back

sentence = ["i", "love", "[MASK]"]
input_ids = torch.tensor([[vocab[word] for word in sentence]])  # (B=1, T=3)
segment_ids = torch.tensor([[0, 0, 0]])  # one sentence: every word belongs to sentence A

model = BERTForMaskedLM(vocab_size=len(vocab))
logits = model(input_ids, segment_ids)  # (B, T, V): a score for every word, at every position
print(logits.shape)  # torch.Size([1, 3, 5])

# Untrained (random weights), so the guess is arbitrary: the demo shows the plumbing.
model.eval()  # dropout off, so the outputs are repeatable
with torch.no_grad():
    logits = model(input_ids, segment_ids)
    guess = logits[0, 2].argmax().item()  # position 2 is the [MASK]
    print(f"i love [MASK] -> the model's guess: {words[guess]}")

    padded = torch.tensor([[vocab[word] for word in sentence + ["[PAD]", "[PAD]"]]])  # (1, 5)
    same = torch.allclose(model(padded)[:, :3], logits, atol=1e-6)  # compare the 3 real words
    print("with two [PAD] seats, same scores for the real words?", same)  # True: padding is masked

batch = torch.tensor([[2, 3, 4, 0], [4, 3, 2, 2]])  # two sentences, the first padded
inputs, labels = mask_tokens(batch, len(vocab), mask_id=1, special_ids=[0, 1],
                             mlm_probability=0.5, generator=torch.Generator().manual_seed(32))
print("inputs:", inputs.tolist())  # what the model sees
print("labels:", labels.tolist())  # what it must guess; -100 = nothing to guess here
