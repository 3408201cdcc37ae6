"""The from-scratch rule: torch APIs a step must not use, found in code, never in text.

Two detectors share one table of rules:

* statically, from the syntax tree of a student file, resolving import aliases
  (``import torch.nn.functional as F`` ... ``F.scaled_dot_product_attention``), so a
  docstring or comment that mentions an API costs nothing;
* at run time, with a ``TorchFunctionMode`` that sees every torch call while a test
  runs and flags a forbidden one when a student file is on the Python stack (the
  tests' own uses of ``nn.MultiheadAttention`` as a yardstick are not flagged).
"""
from __future__ import annotations

import ast
import fnmatch
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from torch.overrides import TorchFunctionMode


@dataclass(frozen=True)
class Rule:
    name: str
    static: tuple[str, ...]  # dotted names (fnmatch patterns) found in the syntax tree
    methods: tuple[str, ...]  # attribute names forbidden on any object (``x.softmax``)
    runtime: tuple[str, ...]  # torch function names (fnmatch patterns) seen at run time
    why: str


RULES = {
    rule.name: rule
    for rule in (
        Rule(
            name="torch-attention",
            static=(
                "torch.nn.functional.scaled_dot_product_attention",
                "torch.nn.functional.multi_head_attention_forward",
                "torch.nn.MultiheadAttention",
                "torch.nn.Transformer*",
                "torch.nn.modules.activation.MultiheadAttention",
                "torch.nn.modules.transformer.*",
                "torch._native_multi_head_attention",
                "torch._transformer_encoder_layer_fwd",
                "torch.ops.aten._scaled_dot_product*",
            ),
            methods=(),
            runtime=(
                "scaled_dot_product_attention",
                "_scaled_dot_product*",
                "multi_head_attention_forward",
                "_native_multi_head_attention",
                "_transformer_encoder_layer_fwd",
            ),
            why="this course builds attention from scratch: PyTorch's ready-made attention "
            "(F.scaled_dot_product_attention, nn.MultiheadAttention, nn.Transformer*) is not allowed",
        ),
        Rule(
            name="torch-softmax",
            static=(
                "torch.softmax",
                "torch._softmax",
                "torch.log_softmax",
                "torch.nn.functional.softmax",
                "torch.nn.functional.log_softmax",
                "torch.special.softmax",
                "torch.special.log_softmax",
                "torch.nn.Softmax",
                "torch.nn.LogSoftmax",
                "torch.ops.aten.*softmax*",
            ),
            methods=("softmax", "log_softmax"),
            runtime=("softmax", "_softmax", "log_softmax", "_log_softmax", "special_softmax", "special_log_softmax", "_safe_softmax"),
            why="write softmax yourself here (subtract the max, exp, normalise); torch's softmax is not allowed in this function",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    file: str  # the student file's name
    line: int
    api: str  # what was used, as written
    scope: str  # top-level function/class it sits in, or "" for module level
    rule: str

    def message(self) -> str:
        where = f"{self.file}, line {self.line}" + (f" (in {self.scope})" if self.scope else "")
        return f"uses `{self.api}` at {where}: {RULES[self.rule].why}."


# ---------------------------------------------------------------- static detection


class _Aliases(ast.NodeVisitor):
    """Collects ``name -> dotted module path`` from import statements."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self.names[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.names[top] = top

    def visit_ImportFrom(self, node):
        if node.module and not node.level:
            for alias in node.names:
                self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _dotted(node, aliases) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id], *reversed(parts)])
    return None


def _top_level_scopes(tree):
    """(first line, last line, name) for every top-level def/class."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node


def scan_source(source: str, file: str, everywhere, inside: dict[str, tuple[str, ...]]) -> list[Finding]:
    """Forbidden uses in one file. ``inside`` maps a top-level function name to its own rules."""
    tree = ast.parse(source, filename=file)
    aliases = _Aliases()
    aliases.visit(tree)

    def scan(node, rules, scope):
        found = []
        for sub in ast.walk(node):
            if not isinstance(sub, (ast.Attribute, ast.Name)):
                continue
            name = _dotted(sub, aliases.names)
            for rule in map(RULES.__getitem__, rules):
                hit = name and any(fnmatch.fnmatchcase(name, p) for p in rule.static)
                if not hit and isinstance(sub, ast.Attribute) and sub.attr in rule.methods:
                    hit, name = True, f".{sub.attr}(...)"
                if hit:
                    found.append(Finding(file, sub.lineno, name, scope, rule.name))
        return found

    findings = []
    scoped = set()
    for node in _top_level_scopes(tree):
        scoped.add(id(node))
        findings += scan(node, everywhere, node.name)
        if node.name in inside:
            findings += scan(node, inside[node.name], node.name)
    for node in tree.body:
        if id(node) not in scoped:
            findings += scan(node, everywhere, "")
    # One finding per (line, api): nested attributes repeat the same use.
    unique = {(f.line, f.api, f.rule): f for f in findings}
    return sorted(unique.values(), key=lambda f: f.line)


# ---------------------------------------------------------------- run-time detection


class ForbiddenAPIError(RuntimeError):
    """Raised where student code calls a forbidden torch API."""


class RuntimeMonitor(TorchFunctionMode):
    """Flags forbidden torch calls made from student files.

    ``watch`` maps a student file path to (rules anywhere in it, {function name: rules
    inside that function}). Every torch call passes through here, so the common case
    (a name no rule mentions) costs one regular-expression match and nothing else.
    """

    def __init__(self, watch: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]]):
        super().__init__()
        self.watch = watch
        self.violations: list[str] = []
        rules = {r for everywhere, inside in watch.values() for r in (*everywhere, *(x for v in inside.values() for x in v))}
        patterns = [fnmatch.translate(p) for r in rules for p in RULES[r].runtime]
        self.suspect = re.compile("|".join(patterns)) if patterns else None

    def _student_frame_rules(self):
        frame = sys._getframe(2)
        while frame is not None:
            entry = self.watch.get(frame.f_code.co_filename)
            if entry is not None:
                everywhere, inside = entry
                yield frame, everywhere
                yield frame, inside.get(frame.f_code.co_name, ())
            frame = frame.f_back

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if self.suspect is not None and self.suspect.match(name):
            for frame, rules in self._student_frame_rules():
                for rule in map(RULES.__getitem__, rules):
                    if any(fnmatch.fnmatchcase(name, p) for p in rule.runtime):
                        where = f"{Path(frame.f_code.co_filename).name}, line {frame.f_lineno} (in {frame.f_code.co_name})"
                        message = f"calls torch's `{name}` at {where}: {rule.why}."
                        self.violations.append(message)
                        raise ForbiddenAPIError(message)
        return func(*args, **(kwargs or {}))
