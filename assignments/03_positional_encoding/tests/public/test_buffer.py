"""Public checks that the table of `PositionalEncoding` is a buffer (step 03)."""
import torch

from grader.testkit import check


def test_table_is_not_learned(PositionalEncoding):
    names = [name for name, _ in PositionalEncoding(8).named_parameters()]
    check(not names, f"PositionalEncoding must not have learnable parameters; it has {', '.join(names)}.",
          "the table is fixed: store it with self.register_buffer(...), not nn.Parameter.")


def test_table_follows_half(PositionalEncoding):
    pe = PositionalEncoding(8, max_len=10).half()
    out = pe(torch.zeros(1, 4, 8, dtype=torch.float16))
    check(out.dtype == torch.float16, f"after .half() the output should be float16, got {out.dtype}.",
          "a plain tensor attribute (self.pe = table, as in the seed) is not converted by .half() or moved by "
          ".to(device): register the table with self.register_buffer.")
