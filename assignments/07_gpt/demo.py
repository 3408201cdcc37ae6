"""Step 07 live demo: GPT writes one word at a time. Run: python -m grader demo 07"""
import torch

from gpt import MiniGPT, generate

torch.manual_seed(0)  # the same random weights on every run

vocab = {"i": 0, "love": 1, "ai": 2, "and": 3, "data": 4}
words = {i: word for word, i in vocab.items()}  # id -> word, to read the output back


def show(ids):  # (B, T) ids -> one line of words per row
    for row in ids.tolist():
        print("   ", " ".join(words[i] for i in row))


sentence = ["i", "love", "ai"]
input_ids = torch.tensor([[vocab[word] for word in sentence]])  # (B=1, T=3)

model = MiniGPT(vocab_size=len(vocab))
logits = model(input_ids)  # (B, T, V): at position t, scores for the word t+1
print(logits.shape)  # torch.Size([1, 3, 5])

# Untrained (random weights), so the words are random: the demo shows the loop, not skill.
print("greedy, 5 new words after 'i':")
start = torch.tensor([[vocab["i"]]])  # (B=1, T=1)
show(generate(model, start, max_new_tokens=5))  # (1, 6): the prompt + 5 new words

print("two prompts at once (one row each):")
prompts = torch.tensor([[vocab["i"], vocab["love"]], [vocab["data"], vocab["and"]]])  # (B=2, T=2)
show(generate(model, prompts, max_new_tokens=4))  # (2, 6)

long = generate(model, start, max_new_tokens=120)  # longer than max_len=100: the context is cropped
print("120 new words:", long.shape)  # torch.Size([1, 121])

print("sampled, temperature 0.8, top_k 3, seeded (same words on every run):")
dice = torch.Generator().manual_seed(42)  # the sampler's own random numbers
show(generate(model, prompts, max_new_tokens=4, temperature=0.8, top_k=3, do_sample=True, generator=dice))
