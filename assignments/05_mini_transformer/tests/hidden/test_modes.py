"""Hidden checks of `MiniTransformer` across modes, dtypes and devices (step 05)."""
import torch

from grader.testkit import check, check_close, check_differs, expect_value_error, manual_seed, paired, randint

V, E, H = 11, 12, 3


def _pair(MiniTransformer, ref, seed=0, **kwargs):
    args = dict(vocab_size=V, embed_dim=E, heads=H, num_layers=2, max_len=16, **kwargs)
    return paired(lambda: ref.MiniTransformer(**args), lambda: MiniTransformer(**args), "MiniTransformer", seed)


def test_model_in_float64(MiniTransformer, ref):
    reference, student = _pair(MiniTransformer, ref)
    reference.double()
    student.double()
    ids = randint(V, (2, 6), seed=161)
    check_close(student(ids), reference(ids), "MiniTransformer after .double()", rtol=1e-9, atol=1e-10)


def test_model_follows_a_dtype_change(MiniTransformer):
    model = MiniTransformer(V, E, H, max_len=16).to(torch.bfloat16).eval()
    out = model(randint(V, (1, 5), seed=162))
    check(out.dtype == torch.bfloat16, f"after .to(torch.bfloat16) the logits should be bfloat16, got {out.dtype}.")


def test_model_follows_a_device_change(MiniTransformer):
    model = MiniTransformer(V, E, H, max_len=16).to("meta").eval()
    try:
        out = model(torch.zeros(1, 5, dtype=torch.long, device="meta"))
    except RuntimeError as error:
        check(False, f"after .to(device) the model failed on input on that device: {error}",
              "some tensor stayed on the CPU; every fixed tensor must be a registered buffer.")
    check(out.device.type == "meta", f"after .to('meta') the logits should be on 'meta', got {out.device}.")


def test_dropout_reaches_the_blocks(MiniTransformer):
    manual_seed(0)
    model = MiniTransformer(V, E, H, num_layers=2, dropout=0.5)
    ids = randint(V, (2, 6), seed=163)
    trained = model.train()(ids)
    check_differs(trained, model.eval()(ids), "MiniTransformer(dropout=0.5) gives the same logits in train and eval mode.",
                  "pass `dropout` on to every TransformerBlock.")


def test_no_dropout_means_train_equals_eval(MiniTransformer):
    manual_seed(0)
    model = MiniTransformer(V, E, H, num_layers=2, dropout=0.0)
    ids = randint(V, (2, 6), seed=164)
    trained = model.train()(ids)
    check_close(trained, model.eval()(ids), "MiniTransformer(dropout=0.0) in train vs eval mode",
                "pass `dropout` on to the blocks instead of relying on their default (0.1).")


def test_max_len_is_passed_to_the_positions(MiniTransformer):
    model = MiniTransformer(V, E, H, max_len=4)
    expect_value_error(model, randint(V, (1, 5), seed=165), mentions="max_len",
                       what="MiniTransformer(..., max_len=4) on 5 tokens")
    long_model = MiniTransformer(V, E, H, max_len=150).eval()
    out = long_model(randint(V, (1, 120), seed=166))
    check(tuple(out.shape) == (1, 120, V), "MiniTransformer(..., max_len=150) must accept 120 tokens.",
          "pass max_len on to PositionalEncoding (its default is only 100).")


def test_default_max_len_is_100(MiniTransformer):
    model = MiniTransformer(V, E, H).eval()  # the course's default: max_len=100
    out = model(randint(V, (1, 100), seed=167))
    check(tuple(out.shape) == (1, 100, V), "MiniTransformer(11, 12, 3) must accept 100 tokens (default max_len=100).")
    expect_value_error(model, randint(V, (1, 101), seed=168), mentions="max_len",
                       what="MiniTransformer(11, 12, 3) on 101 tokens (keep the lesson's default max_len=100)")
