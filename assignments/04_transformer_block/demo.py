"""Step 04 live demo: a block changes the vectors, never the shape. Run: python -m grader demo 04"""
import torch

from transformer_block import TransformerBlock

torch.manual_seed(0)  # the same random numbers on every run

x = torch.randn(1, 3, 8) * 5 + 2  # (B=1, T=3, E=8): three "word" vectors, loud and off-centre
block = TransformerBlock(embed_dim=8, heads=2)  # untrained: random weights
block.eval()  # dropout off: the same input always gives the same output

with torch.no_grad():
    out = block(x)

print("in: ", x.shape)
print("out:", out.shape)  # torch.Size([1, 3, 8]): blocks can be stacked
print("mean of each output vector:", [round(m, 3) + 0.0 for m in out.mean(-1)[0].tolist()])
print("std  of each output vector:", [round(s, 3) for s in out.std(-1, unbiased=False)[0].tolist()])

block.train()  # dropout on: two runs of the same input now differ a little
with torch.no_grad():
    print("train mode, two runs equal?", torch.equal(block(x), block(x)))
