"""Step 01 live demo: who does each word look at? Run: python -m grader demo 01"""
import torch

from self_attention import SelfAttention

torch.manual_seed(0)  # the same random numbers on every run

words = ["she", "fed", "her", "cat"]
x = torch.randn(1, len(words), 8)  # (B=1, T=4, E=8): a made-up vector per word
attention = SelfAttention(embed_dim=8)  # untrained: its weights are random too


def show(title, weights):
    print(title)
    print("looking from \\ at" + "".join(f"{w:>7}" for w in words))
    for word, row in zip(words, weights[0].tolist()):
        print(f"{word:>16} " + "".join(f"{p:7.2f}" for p in row))
    print()


with torch.no_grad():
    _, weights = attention(x, return_attention=True)  # weights: (1, 4, 4)
    show("Every word may look at every word (each row sums to 1):", weights)

    no_peeking = torch.tril(torch.ones(4, 4, dtype=torch.bool))  # True = may attend
    _, weights = attention(x, mask=no_peeking, return_attention=True)
    show("With a mask, a word only sees itself and the words before it:", weights)
