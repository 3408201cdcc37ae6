"""Hidden checks that the table of `PositionalEncoding` follows the module (step 03)."""
import torch

from grader.testkit import check, check_close, randn


def test_table_follows_double(PositionalEncoding, ref):
    pe = PositionalEncoding(8, max_len=20).double()
    x = randn(2, 5, 8, seed=81, dtype=torch.float64)
    check_close(pe(x), ref.PositionalEncoding(8, max_len=20).double()(x), "PositionalEncoding after .double()", atol=5e-5)


def test_table_follows_a_dtype_change(PositionalEncoding):
    pe = PositionalEncoding(8, max_len=20).to(torch.bfloat16)
    out = pe(torch.zeros(1, 5, 8, dtype=torch.bfloat16))
    check(out.dtype == torch.bfloat16,
          f"after .to(torch.bfloat16) the output should be bfloat16, got {out.dtype}.",
          "the table is a plain tensor attribute, so .to() does not convert it: register it with self.register_buffer.")


def test_table_follows_a_device_change(PositionalEncoding):
    pe = PositionalEncoding(8, max_len=20).to("meta")
    try:
        out = pe(torch.zeros(1, 5, 8, device="meta"))
    except RuntimeError as error:
        check(False, f"after .to(device) the module failed on an input on that device: {error}",
              "the table stayed behind on the CPU: register it with self.register_buffer so .to(device) moves it.")
    check(out.device.type == "meta", f"after .to('meta') the output should be on 'meta', got {out.device}.")


def test_no_learnable_parameters(PositionalEncoding):
    check(not list(PositionalEncoding(6, max_len=10).named_parameters()),
          "PositionalEncoding must not have learnable parameters.", "use register_buffer, not nn.Parameter.")
