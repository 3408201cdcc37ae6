"""Public checks of `split_heads` and `merge_heads` (step 02)."""
from grader.testkit import check_equal, check_shape, randn

B, T, E, H = 2, 5, 12, 3  # head_dim D = 4
D = E // H


def test_split_heads_shape(split_heads):
    check_shape(split_heads(randn(B, T, E, seed=1), H), (B, H, T, D), f"split_heads of a ({B}, {T}, {E}) tensor into {H} heads",
                "reshape to (B, T, H, D), then move the head dimension in front of T.")


def test_split_heads_gives_each_head_its_own_slice(split_heads):
    x = randn(B, T, E, seed=2)
    heads = split_heads(x, H)
    check_shape(heads, (B, H, T, D), "split_heads output")
    for h in range(H):
        check_equal(heads[:, h], x[:, :, h * D:(h + 1) * D], f"head {h} of split_heads",
                    f"head {h} must hold features {h * D}..{(h + 1) * D - 1} of every token; "
                    "a plain reshape to (B, H, T, D) without a transpose mixes tokens.")


def test_merge_heads_shape(merge_heads):
    check_shape(merge_heads(randn(B, H, T, D, seed=3)), (B, T, E), f"merge_heads of a ({B}, {H}, {T}, {D}) tensor")


def test_merge_heads_undoes_split_heads(split_heads, merge_heads):
    x = randn(B, T, E, seed=4)
    check_equal(merge_heads(split_heads(x, H)), x, "merge_heads(split_heads(x))",
                "merge_heads must move the head dimension back behind T before flattening.")
