"""Makes the course's modules importable from a notebook, the way the demos import them.

Every notebook of the course starts with::

    from starter_code.notebook import use_course_modules
    use_course_modules("02_multi_head_attention")

after which ``from self_attention import scaled_dot_product_attention`` works as in the
lessons. Which code answers each module name:

* the notebook's own step (``multi_head_attention`` here): this notebook's cells, as
  they are now (so a demo runs on the code written above it);
* every other step, with ``impl="reference"``: the reference solution (the teaching
  notebooks, and the autograder, where a bug in step 01 must not cost points in 02);
* with ``impl="student"``: the student's own work on that step, taken from their
  notebook of that step beside this one (``01_self_attention.ipynb``: its code cells
  tagged ``course_module``), or else from the step's module file in a course checkout;
* ``impl="auto"`` (the default): the reference where this folder has one, else the
  student's own work.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import sys
import types
from pathlib import Path

from grader import course, modules

MODULE_TAG = "course_module"  # marks the code cells that make up a step's module in a student notebook


class NotebookLoader(importlib.abc.Loader):
    """Runs the ``course_module`` cells of a notebook as the body of a module."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__file__ = str(self.path)
        for number, source in enumerate(module_cells(self.path), 1):
            code = compile(source, f"{self.path.name} (module cell {number})", "exec")
            exec(code, module.__dict__)


def module_cells(path: Path) -> list[str]:
    """The sources of the notebook's ``course_module`` code cells, in order."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    sources = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and MODULE_TAG in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else source)
    return sources


class CourseFinder(modules.CourseModuleFinder):
    """Flat module names -> files (``.py``, or a student's ``.ipynb``) or a live namespace."""

    def __init__(self, paths: dict[str, Path], live: dict[str, dict]):
        super().__init__(paths)
        self.live = live

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.live:
            return importlib.util.spec_from_loader(fullname, _LiveLoader(self.live[fullname]))
        if fullname in self.paths and self.paths[fullname].suffix == ".ipynb":
            return importlib.util.spec_from_loader(fullname, NotebookLoader(self.paths[fullname]))
        return super().find_spec(fullname, path, target)


class _LiveLoader(importlib.abc.Loader):
    """A module whose names are looked up, at import time, in a notebook's globals."""

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        namespace = self.namespace

        def __getattr__(name):
            try:
                return namespace[name]
            except KeyError:
                raise AttributeError(f"this notebook does not define {name!r} yet: run the cell that defines it") from None

        module.__getattr__ = __getattr__
        return module

    def exec_module(self, module):
        pass


def _student_source(step: course.Step, root: Path) -> Path:
    notebook = root / f"{step.id}.ipynb"
    return notebook if notebook.exists() else step.folder / step.files[0]


def use_course_modules(step_id: str, impl: str = "auto", namespace: dict | None = None) -> dict[str, str]:
    """Point the flat module names at the right code for a notebook of ``step_id``.

    ``namespace`` is the notebook's globals (default: the caller's). Returns module name ->
    where it comes from, for a curious reader.
    """
    root = course.ROOT
    steps = course.load_course(root)
    this = course.find_step(steps, step_id)
    reference = root / "reference"
    if impl == "auto":
        impl = "reference" if (reference / this.files[0]).exists() else "student"
    if impl not in ("reference", "student"):
        raise ValueError(f"impl must be 'auto', 'reference' or 'student', not {impl!r}")
    namespace = namespace if namespace is not None else sys._getframe(1).f_globals
    paths = {s.module: (reference / s.files[0] if impl == "reference" else _student_source(s, root))
             for s in steps if s.id != this.id}
    paths = {name: path for name, path in paths.items() if path.exists()}
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, modules.CourseModuleFinder)]
    sys.meta_path.insert(0, CourseFinder(paths, {this.module: namespace}))
    for name in [*paths, this.module]:
        sys.modules.pop(name, None)
    sources = {name: str(path.relative_to(root)) if path.is_relative_to(root) else str(path) for name, path in paths.items()}
    return {this.module: "this notebook", **sources}
