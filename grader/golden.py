"""Golden outputs: the reference's answers to the public tests' fixed cases.

A public test file marks a function with ``@golden_case``; the function takes API
names as parameters (``def masked(scaled_dot_product_attention): ...``) and returns a
tensor or a tuple of tensors computed on seeded inputs and weights.
``python -m grader stubs`` runs every case against the reference and stores the results
in the step's ``tests/public/golden.json``; the public test runs the same case on the
student's code and compares. The reference itself never ships to students.
"""
from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path

import torch

from grader import testkit
from grader.course import Step

GOLDEN_FILE = "golden.json"


def golden_case(fn):
    """Mark ``fn`` as a case whose reference output is stored in golden.json."""
    fn.__golden_case__ = True
    return fn


def _encode(value) -> dict:
    if isinstance(value, torch.Tensor):
        return {"dtype": str(value.dtype).removeprefix("torch."), "shape": list(value.shape),
                "values": value.detach().flatten().tolist()}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    raise TypeError(f"a golden case must return tensors, got {type(value).__name__}")


def _decode(data: dict):
    if "tuple" in data:
        return tuple(_decode(v) for v in data["tuple"])
    return torch.tensor(data["values"], dtype=getattr(torch, data["dtype"])).reshape(data["shape"])


class Golden:
    """The stored outputs of one step's public cases."""

    def __init__(self, path: Path):
        self.path = path
        self.cases = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def expected(self, name: str):
        if name not in self.cases:
            raise KeyError(f"{self.path} has no case {name!r}; run `python -m grader stubs`")
        return _decode(self.cases[name])

    def check(self, case, *api, what: str, hint: str | None = None, **tolerance) -> None:
        """Run golden ``case`` on the student's ``api`` objects; compare with the stored output."""
        expected = self.expected(case.__name__)
        got = case(*api)
        if isinstance(expected, tuple):
            if not isinstance(got, tuple) or len(got) != len(expected):
                testkit.fail(f"{what}: expected a tuple of {len(expected)} tensors, got {type(got).__name__}.")
            for i, (g, e) in enumerate(zip(got, expected)):
                testkit.check_close(g, e, f"{what} [item {i}]", hint, **tolerance)
        else:
            testkit.check_close(got, expected, what, hint, **tolerance)


def cases_in(path: Path) -> dict:
    """Import a public test file and return its golden cases by name."""
    spec = importlib.util.spec_from_file_location(f"_golden_source_.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: fn for name, fn in vars(module).items() if getattr(fn, "__golden_case__", False)}


def compute(step: Step, reference_module) -> dict:
    """Run every golden case of ``step`` on the reference; returns the JSON-ready dict."""
    results = {}
    for path in sorted(step.suite("public").glob("test_*.py")):
        for name, case in cases_in(path).items():
            if name in results:
                raise ValueError(f"golden case {name!r} is defined twice in {step.id}")
            kwargs = {p: getattr(reference_module, p) for p in inspect.signature(case).parameters}
            torch.manual_seed(0)
            with torch.no_grad():
                results[name] = _encode(case(**kwargs))
    return results


def render(cases: dict) -> str:
    return json.dumps(cases, indent=1, sort_keys=True) + "\n"


def drifted(stored: dict, fresh: dict, rtol=1e-5, atol=1e-6) -> list[str]:
    """Names of cases whose stored output differs from a fresh computation."""
    names = []
    for name in sorted(set(stored) | set(fresh)):
        if name not in stored or name not in fresh:
            names.append(name)
            continue
        a, b = _decode(stored[name]), _decode(fresh[name])
        pairs = zip(a, b) if isinstance(a, tuple) and isinstance(b, tuple) else [(a, b)]
        if isinstance(a, tuple) != isinstance(b, tuple) or any(
            x.shape != y.shape or x.dtype != y.dtype or not torch.allclose(x.double(), y.double(), rtol=rtol, atol=atol)
            for x, y in pairs
        ):
            names.append(name)
    return names
