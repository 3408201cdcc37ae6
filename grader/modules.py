"""Which file provides each flat course module (``import self_attention``).

Students import earlier steps by flat module name. The grader decides, per run, which
file answers each name: the submission's file for the step under test, and for the
other steps either the reference (isolation mode: a bug in step 02 costs points in step
02 only) or the submission's own files (integrated mode, what a student sees locally).

The reference of the step under test is loaded a second time under a private name so a
test can compare against it in its own process; its imports of earlier steps always
resolve to the reference, whatever the flat names point at.
"""
from __future__ import annotations

import ast
import importlib.abc
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from grader.course import Step


class CourseModuleFinder(importlib.abc.MetaPathFinder):
    """Answers ``import <name>`` for the course's flat module names from a fixed map."""

    def __init__(self, paths: dict[str, Path]):
        self.paths = {name: Path(path) for name, path in paths.items()}

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.paths:
            return importlib.util.spec_from_file_location(fullname, self.paths[fullname])
        return None


def module_paths(
    steps: list[Step], under_test: Step | None, code_dir, reference_dir, isolation: bool
) -> dict[str, Path]:
    """Flat module name -> file.

    ``code_dir(step)`` gives the folder holding a step's student file. In isolation mode
    every step except ``under_test`` comes from ``reference_dir``.
    """
    paths = {}
    for step in steps:
        if isolation and (under_test is None or step.id != under_test.id) and reference_dir is not None:
            paths[step.module] = Path(reference_dir) / step.files[0]
        else:
            paths[step.module] = Path(code_dir(step)) / step.files[0]
    return paths


def imported_names(source: str | bytes, filename: str = "<source>") -> set[str]:
    """Top-level names of the modules ``source`` imports absolutely (``import a.b`` and
    ``from a.b import c`` give ``a``). Raises SyntaxError for code that does not parse."""
    names = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def install(paths: dict[str, Path]) -> CourseModuleFinder:
    """Put a finder for ``paths`` first on ``sys.meta_path`` (replacing an older one)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, CourseModuleFinder)]
    finder = CourseModuleFinder(paths)
    sys.meta_path.insert(0, finder)
    for name in paths:
        sys.modules.pop(name, None)
    return finder


def _exec_file(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_reference(steps: list[Step], target: Step, reference_dir: Path) -> ModuleType:
    """Load the reference module of ``target`` under a private name.

    While the reference modules execute, the flat names of the earlier steps point at
    reference copies, so ``from self_attention import ...`` inside the reference binds
    the reference's objects; afterwards the flat names are restored.
    """
    saved = {step.module: sys.modules.get(step.module) for step in steps}
    try:
        for step in steps:
            module = _exec_file(f"_reference_.{step.module}", Path(reference_dir) / step.files[0])
            sys.modules[step.module] = module
            if step.id == target.id:
                return module
        raise KeyError(target.id)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
