"""Checks shared by every step's test suites.

Each helper raises :class:`CheckFailure` with a message written for a student: what was
expected, what came out, and the most likely cause. Tests only touch student objects
through calls, ``named_parameters()``, ``train()``/``eval()`` and ``.to()``, so that the
same checks work on real modules (a notebook) and on the grader's stand-ins.
"""
from __future__ import annotations

import contextlib
import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from grader.proxy import Remote, strict_devices_flag, watch  # noqa: F401  (watch: for the suites)

# Default tolerances (SPEC §4): float32 comparisons.
RTOL = 1e-4
ATOL = 1e-5


class CheckFailure(AssertionError):
    """A failed check; its message is shown to the student as it is."""


def fail(message: str):
    raise CheckFailure(message)


def _because(hint: str | None) -> str:
    return f"\nLikely cause: {hint}" if hint else ""


# ---------------------------------------------------------------- deterministic data


def manual_seed(seed: int) -> None:
    """Seed torch's global (CPU) random numbers: ``torch.manual_seed`` without its ~1 ms of
    also seeding every accelerator back end, which the tests never use."""
    torch.default_generator.manual_seed(seed)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape, seed: int, dtype=torch.float32) -> torch.Tensor:
    """Standard-normal tensor from its own generator: same values on every run."""
    return torch.randn(*shape, generator=generator(seed), dtype=dtype)


def randint(high: int, shape, seed: int, low: int = 0) -> torch.Tensor:
    return torch.randint(low, high, tuple(shape), generator=generator(seed))


def rand_mask(*shape, seed: int, keep_first_key=True) -> torch.Tensor:
    """A random bool mask (True = may attend) in which every row allows at least one key."""
    mask = torch.rand(*shape, generator=generator(seed)) > 0.4
    if keep_first_key:
        mask[..., 0] = True
    return mask


# ---------------------------------------------------------------- tensor checks


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _fmt_index(index) -> str:
    return "(" + ", ".join(str(int(i)) for i in index) + ")"


def check_tensor(got, what: str, hint: str | None = None) -> torch.Tensor:
    """``got`` must be a plain ``torch.Tensor``."""
    if isinstance(got, tuple) and got and all(isinstance(t, torch.Tensor) for t in got):
        fail(
            f"{what}: expected one tensor, got a tuple of {len(got)} tensors."
            + _because(hint or "returning (out, weights) when only `out` was asked for")
        )
    if type(got) is not torch.Tensor and not isinstance(got, torch.nn.Parameter):
        fail(f"{what}: expected a torch.Tensor, got {type(got).__name__}." + _because(hint))
    return got


def check_shape(got, shape, what: str, hint: str | None = None) -> None:
    got = check_tensor(got, what, hint)
    if tuple(got.shape) != tuple(shape):
        fail(f"{what}: expected shape {_fmt_shape(shape)}, got {_fmt_shape(got.shape)}." + _because(hint))


def check_close(got, expected: torch.Tensor, what: str, hint: str | None = None, rtol=RTOL, atol=ATOL) -> None:
    """Same shape, same dtype, and equal values within tolerance (NaN never matches)."""
    check_shape(got, expected.shape, what, hint)
    if got.dtype != expected.dtype:
        fail(f"{what}: expected dtype {expected.dtype}, got {got.dtype}." + _because(hint))
    if got.device != expected.device:
        fail(f"{what}: expected a tensor on {expected.device}, got one on {got.device}." + _because(hint))
    got64, exp64 = got.detach().double(), expected.detach().double()
    if got.numel() == 0:
        return
    bad_value = ~torch.isfinite(got64) & torch.isfinite(exp64)
    if bad_value.any():
        index = bad_value.nonzero()[0]
        fail(
            f"{what}: got {got64[tuple(index)].item()} at index {_fmt_index(index)}, expected the finite value "
            f"{exp64[tuple(index)].item():.6g} ({int(bad_value.sum())} of {got.numel()} values are nan/inf)."
            + _because(hint)
        )
    error = (got64 - exp64).abs().nan_to_num(nan=math.inf)
    allowed = atol + rtol * exp64.abs()
    wrong = error > allowed
    if wrong.any():
        index = (error - allowed).flatten().argmax()
        index = torch.unravel_index(index, error.shape)
        fail(
            f"{what}: values differ from the expected ones; "
            f"{int(wrong.sum())} of {got.numel()} values are off.\n"
            f"  largest difference {error[index].item():.4g} at index {_fmt_index(index)}: "
            f"expected {exp64[index].item():.6g}, got {got64[index].item():.6g}"
            + _because(hint)
        )


def check_equal(got, expected: torch.Tensor, what: str, hint: str | None = None) -> None:
    """Exactly equal values (integer tensors, exact zeros)."""
    check_close(got, expected, what, hint, rtol=0.0, atol=0.0)


def check(condition: bool, message: str, hint: str | None = None) -> None:
    if not condition:
        fail(message + _because(hint))


def check_differs(a: torch.Tensor, b: torch.Tensor, message: str, hint: str | None = None) -> None:
    """``a`` and ``b`` must not be (numerically) the same tensor."""
    if a.shape == b.shape and torch.allclose(a.double(), b.double(), rtol=RTOL, atol=ATOL):
        fail(message + _because(hint))


def expect_value_error(fn, *args, mentions: str, what: str, **kwargs) -> None:
    """``fn(*args, **kwargs)`` must raise ValueError whose message names ``mentions``."""
    try:
        fn(*args, **kwargs)
    except ValueError as error:
        if mentions not in str(error):
            fail(f"{what} raised ValueError({str(error)!r}), but the message should mention `{mentions}`.")
        return
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the student's own exception type is the finding
        fail(f"{what} should raise ValueError mentioning `{mentions}`; it raised {type(error).__name__}: {error}")
    fail(f"{what} should raise ValueError mentioning `{mentions}`, but it raised nothing.")


# ---------------------------------------------------------------- parameters


def parameter_shapes(module) -> dict[str, tuple[int, ...]]:
    if isinstance(module, Remote):  # a module living in the sandbox: ask for the shapes only
        return module.parameter_shapes()
    return {name: tuple(p.shape) for name, p in module.named_parameters()}


def check_parameters(module, expected: dict[str, tuple[int, ...]], what: str) -> None:
    """The module's parameters must have exactly these names and shapes."""
    got = parameter_shapes(module)
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    lines = []
    if missing:
        lines.append("  missing:    " + ", ".join(missing))
    if extra:
        lines.append("  unexpected: " + ", ".join(extra))
    if lines:
        fail(
            f"{what}: the parameter names differ from the course's API (tests copy weights by name).\n"
            + "\n".join(lines)
            + "\n  expected:   " + ", ".join(sorted(expected))
            + "\nLikely cause: an attribute named differently from the lesson, or a layer missing or extra."
        )
    wrong = [f"{n}: expected {_fmt_shape(s)}, got {_fmt_shape(got[n])}" for n, s in sorted(expected.items()) if got[n] != s]
    if wrong:
        fail(f"{what}: some parameters have the wrong shape.\n  " + "\n  ".join(wrong))


def copy_parameters(source, target, what: str) -> None:
    """Copy every parameter of ``source`` into ``target`` by name (never buffers).

    Fails with the expected names when the two modules' parameters differ.
    """
    expected = parameter_shapes(source)
    check_parameters(target, expected, what)
    values = {name: p.detach() for name, p in source.named_parameters()}
    assign_parameters(target, values)


def assign_parameters(module, values: dict[str, torch.Tensor]) -> None:
    """Overwrite the module's parameters in place with ``values`` (by name)."""
    if isinstance(module, Remote):  # a module living in the sandbox
        module.assign_parameters(values)
        return
    with torch.no_grad():
        for name, param in module.named_parameters():
            param.copy_(values[name])


def seeded_parameters(shapes: dict[str, tuple[int, ...]], seed: int, scale: float = 0.5) -> dict[str, torch.Tensor]:
    """Deterministic values for parameters of these names and shapes (sorted by name)."""
    gen = generator(seed)
    return {name: torch.randn(*shapes[name], generator=gen) * scale for name in sorted(shapes)}


def seed_parameters(module, expected: dict[str, tuple[int, ...]], seed: int, what: str, scale: float = 0.5) -> None:
    """Check the names/shapes, then fill the parameters with seeded values."""
    check_parameters(module, expected, what)
    assign_parameters(module, seeded_parameters(expected, seed, scale))


def paired(ref_factory, student_factory, what: str, seed: int = 0, jitter: float = 0.1):
    """Build the reference and the student's module, give them the same weights, eval mode.

    Every reference parameter gets seeded noise (``jitter``) on top of its initial value,
    so that layers which start out identical (LayerNorm's ones and zeros, say) differ and
    a student who swaps them is caught.
    """
    manual_seed(seed)
    reference = ref_factory()
    student = student_factory()
    noise = seeded_parameters(parameter_shapes(reference), seed + 1000, scale=jitter)
    with torch.no_grad():
        for name, param in reference.named_parameters():
            param.add_(noise[name])
    copy_parameters(reference, student, what)
    reference.eval()
    student.eval()
    return reference, student


def linear_parameters(prefix: str, in_features: int, out_features: int, bias: bool = True) -> dict:
    """Names and shapes of an ``nn.Linear(in, out)`` stored at ``prefix``."""
    shapes = {f"{prefix}.weight": (out_features, in_features)}
    if bias:
        shapes[f"{prefix}.bias"] = (out_features,)
    return shapes


def layer_norm_parameters(prefix: str, features: int) -> dict:
    return {f"{prefix}.weight": (features,), f"{prefix}.bias": (features,)}


# ---------------------------------------------------------------- gradients


def local_gradients(module, args: tuple, kwargs: dict, weights: torch.Tensor) -> dict:
    """Backpropagate ``(output * weights).sum()`` through one forward call (the first item
    of a tuple output). Random ``weights`` keep the loss from hiding gradients (a plain
    sum after a LayerNorm has none). Returns ``{"gradients": {name: gradient or None},
    "error": why backpropagation failed, or None}``."""
    module.zero_grad(set_to_none=True)
    error = None
    with torch.enable_grad():
        out = module(*args, **kwargs)
        out = out[0] if isinstance(out, (tuple, list)) else out
        if isinstance(out, torch.Tensor) and out.requires_grad and out.shape == weights.shape:
            try:
                (out.float() * weights).sum().backward()
            except RuntimeError as failure:  # e.g. a tensor autograd needs was changed in place
                error = str(failure).split("\n")[0].split(" Hint:")[0][:500]
    grads = {name: None if p.grad is None else p.grad.detach().clone() for name, p in module.named_parameters()}
    return {"gradients": grads, "error": error}


def gradients(module, args: tuple, weights: torch.Tensor, kwargs: dict | None = None) -> dict:
    """:func:`local_gradients` of ``module``, wherever it lives (the sandbox or here)."""
    if isinstance(module, Remote):
        return module.gradients(args, kwargs or {}, weights)
    return local_gradients(module, args, kwargs or {}, weights)


def check_gradients(student, reference, args: tuple, what: str, seed: int, kwargs: dict | None = None) -> None:
    """The student's module, with the reference's weights (see :func:`paired`), must be
    trainable: backpropagation reaches every parameter with the reference's gradients."""
    kwargs = kwargs or {}
    out = reference(*args, **kwargs)
    out = out[0] if isinstance(out, (tuple, list)) else out
    weights = randn(*out.shape, seed=seed)
    expected = local_gradients(reference, args, kwargs, weights)["gradients"]
    result = gradients(student, args, weights, kwargs)
    if result["error"]:
        fail(f"{what}: backpropagation through your forward pass failed: {result['error']}"
             + _because("an in-place operation (div_, exp_, +=, masked_fill_, ...) changed a tensor that "
                        "autograd still needs; use the out-of-place version (x / y, x.masked_fill(...))."))
    got = result["gradients"]
    unreached = sorted(name for name, grad in expected.items()  # (a key bias's gradient is 0 up to rounding)
                       if grad is not None and grad.abs().max() > 1e-4 and (got.get(name) is None or not got[name].abs().max() > 0))
    if unreached:
        fail(f"{what}: training would not change {', '.join(unreached)}: no gradient reaches "
             f"{'it' if len(unreached) == 1 else 'them'} through your forward pass."
             + _because("the forward pass (or part of it) runs under torch.no_grad()/inference_mode, or uses "
                        ".detach(), .data, .item() or a new tensor built from values; keep every step a torch "
                        "operation on the inputs and parameters."))
    for name in sorted(expected):
        if expected[name] is not None and got.get(name) is not None:
            check_close(got[name], expected[name], f"{what}: the gradient of {name}",
                        "the forward pass computes the right values in a way training cannot follow (e.g. a "
                        "detached or constant part), or something differs from the reference only in train mode.",
                        rtol=1e-3, atol=1e-5)


# ---------------------------------------------------------------- devices


class _StrictDevices(TorchDispatchMode):
    """Refuses any operation that mixes tensors of different devices.

    On the ``meta`` device, ``nn.Embedding`` quietly accepts CPU indices; under this mode
    it does not, so a tensor created on the CPU inside a model (``torch.arange(T)``
    without ``device=``) is caught without a GPU.
    """

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        devices = {t.device for t in _tensors((args, kwargs)) if t.dim() > 0}
        if len(devices) > 1:
            raise CheckFailure(
                f"an operation ({func.__name__ if hasattr(func, '__name__') else func}) mixed tensors on "
                + " and ".join(sorted(str(d) for d in devices))
                + ".\nLikely cause: a tensor created without device= (e.g. torch.arange(T)), or kept as a plain "
                "attribute instead of a registered buffer; create it on the input's device."
            )
        return func(*args, **kwargs)


def _tensors(tree):
    if isinstance(tree, torch.Tensor):
        yield tree
    elif isinstance(tree, (list, tuple)):
        for item in tree:
            yield from _tensors(item)
    elif isinstance(tree, dict):
        for item in tree.values():
            yield from _tensors(item)


@contextlib.contextmanager
def strict_devices():
    """``with strict_devices(): model(ids)`` fails if the model mixes devices (in the
    sandbox too: calls made under it run there under the same check)."""
    token = strict_devices_flag.set(True)
    try:
        with _StrictDevices():
            yield
    finally:
        strict_devices_flag.reset(token)
