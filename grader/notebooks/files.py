"""The generated notebooks of every step, written byte for byte the same on every run.

``python -m grader notebooks`` writes them and ``--check`` fails if one drifted from its
sources (a repository test runs the check). They live under ``reference/notebooks/``
because they contain the reference solution: like ``reference/``, they never reach a
student.

* ``reference/notebooks/teaching/NN_topic.ipynb``: for teaching in class
  (``grader.notebooks.teaching``);
* ``reference/notebooks/otter/NN_topic.ipynb``: the ``otter assign`` master notebook
  (``grader.notebooks.master``), from which ``python -m grader notebooks --build OUT``
  makes the student notebooks and the Gradescope autograder zips (``grader.notebooks.build``).

Generated notebooks carry no outputs, no execution counts and numbered cell ids.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from grader import course
from grader.stubs import drift, write  # noqa: F401  (generated files: one writer, one drift check)

NOTEBOOKS = Path("reference") / "notebooks"
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def teaching_path(step: course.Step, root: Path = course.ROOT) -> Path:
    return root / NOTEBOOKS / "teaching" / f"{step.id}.ipynb"


def master_path(step: course.Step, root: Path = course.ROOT) -> Path:
    return root / NOTEBOOKS / "otter" / f"{step.id}.ipynb"


def normalise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Deterministic content: numbered ids, no outputs, fixed notebook metadata."""
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    notebook.metadata = nbformat.from_dict({"kernelspec": KERNEL, "language_info": {"name": "python"}})
    for number, cell in enumerate(notebook.cells, 1):
        cell.id = f"cell-{number:03d}"
        metadata = {k: v for k, v in cell.get("metadata", {}).items() if k not in ("execution", "collapsed")}
        cell.metadata = nbformat.from_dict(metadata)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.pop("attachments", None)
    nbformat.validate(notebook)
    return notebook


def render(notebook: nbformat.NotebookNode) -> str:
    text = nbformat.writes(normalise(notebook))
    return text if text.endswith("\n") else text + "\n"


def generated_files(root: Path = course.ROOT) -> dict[Path, str]:
    """Path -> content, for every generated notebook of the course."""
    from grader.notebooks import master as master_notebook
    from grader.notebooks import teaching as teaching_notebook

    files = {}
    for step in course.load_course(root):
        files[teaching_path(step, root)] = render(teaching_notebook.build(step))
        files[master_path(step, root)] = render(master_notebook.build(step))
    return files


def strays(files: dict[Path, str], root: Path = course.ROOT) -> list[Path]:
    """Notebooks in the generated folders that no step generates (a renamed or removed step)."""
    folder = root / NOTEBOOKS
    return sorted(p for p in folder.glob("*/*.ipynb") if p not in files) if folder.is_dir() else []
