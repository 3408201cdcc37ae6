"""Hidden checks of `PositionalEncoding.forward` (step 03)."""
import torch

from grader.testkit import check, check_close, randn, watch


def test_forward_matches_reference(PositionalEncoding, ref):
    x = randn(3, 7, 10, seed=71)
    check_close(PositionalEncoding(10, max_len=15)(x), ref.PositionalEncoding(10, max_len=15)(x),
                "PositionalEncoding(10, max_len=15) on x of shape (3, 7, 10)", atol=5e-5)


def test_forward_uses_the_first_t_positions(PositionalEncoding):
    pe = PositionalEncoding(6, max_len=30)
    long = pe(torch.zeros(1, 9, 6))
    short = pe(torch.zeros(1, 4, 6))
    check_close(short, long[:, :4], "the table added to a 4-token sequence vs the first 4 rows for 9 tokens",
                "slice pe[:, :T] with T = x.size(1), the sequence length (not the batch size).")


def test_sequence_of_exactly_max_len_is_accepted(PositionalEncoding, ref):
    x = randn(2, 12, 4, seed=72)
    check_close(PositionalEncoding(4, max_len=12)(x), ref.PositionalEncoding(4, max_len=12)(x),
                "a sequence exactly max_len=12 long", "T == max_len is allowed; only T > max_len is an error.", atol=5e-5)


def test_forward_does_not_change_x(PositionalEncoding):
    x = watch(randn(2, 5, 8, seed=73))
    before = x.clone()
    PositionalEncoding(8)(x)
    check(torch.equal(x, before), "PositionalEncoding changed its input in place.", "use x + pe, not x += pe.")
