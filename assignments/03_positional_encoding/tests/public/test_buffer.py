"""Public checks that the table of `PositionalEncoding` is a buffer (step 03)."""
from grader.testkit import check


def test_table_is_not_learned(PositionalEncoding):
    names = [name for name, _ in PositionalEncoding(8).named_parameters()]
    check(not names, f"PositionalEncoding must not have learnable parameters; it has {', '.join(names)}.",
          "the table is fixed: store it with self.register_buffer(...), not nn.Parameter.")
