"""The teaching notebook of a step: the lesson, the reference code cell by cell, the live
demo and pictures, for an instructor to run in class.

Made from the step's own sources with jupytext (markdown and scripts -> notebook cells):

1. the lesson's title and introduction, then a set-up cell (the course's modules, the
   reference for earlier steps);
2. "In plain words" and "The technical view": the lesson's ``python`` examples become
   cells to run, its doctest examples one cell per statement;
3. the reference module piece by piece (imports, then each function or class), without
   its TODO comments and solution markers;
4. the live demo (``demo.py``, split at its blank lines as jupytext's "light" format
   does), or the lesson's "Try it" examples when a step has no demo;
5. the step's pictures (``pictures.py``, in jupytext's percent format), if it has any;
6. "Common mistakes" and "Changed from the seed sketch", to discuss.
"""
from __future__ import annotations

import re

import jupytext
import nbformat

from grader import course
from grader.notebooks import plan as notebook_plan

SETUP = '''\
# Run this cell first. It finds the course's folder and makes its modules importable
# the way the lessons import them ({where}).
import sys
from pathlib import Path

here = Path.cwd()
root = next(folder for folder in [here, *here.parents] if (folder / "starter_code").is_dir())
sys.path.insert(0, str(root))
from starter_code.notebook import use_course_modules

use_course_modules("{step_id}", impl="{impl}")

import torch
import torch.nn as nn'''

PLAIN_SECTIONS = ("In plain words", "The technical view")
CLOSING_SECTIONS = ("Common mistakes", "Changed from the seed sketch")
DOCTEST_BLOCK = re.compile(r"```python\n(>>> .*?)```\n", re.S)


def doctest_as_cells(block: str) -> str:
    """A doctest example as one ```python fence per statement (expected output dropped);
    a statement expected to raise gets jupytext's ``raises-exception`` tag."""
    statements: list[tuple[list[str], list[str]]] = []
    for line in block.splitlines():
        if line.startswith(">>> "):
            statements.append(([line[4:]], []))
        elif line.startswith("... ") and statements and not statements[-1][1]:
            statements[-1][0].append(line[4:])
        elif statements:
            statements[-1][1].append(line)
    fences = []
    for code, expected in statements:
        raises = bool(expected) and expected[0].startswith("Traceback")
        header = '```python tags=["raises-exception"]' if raises else "```python"
        fences.append(header + "\n" + "\n".join(code) + "\n```\n")
    return "\n".join(fences)


def lesson_cells(markdown: str) -> list:
    """Markdown (with ```python fences) -> notebook cells, via jupytext."""
    markdown = DOCTEST_BLOCK.sub(lambda m: doctest_as_cells(m.group(1)), markdown)
    return list(jupytext.reads(markdown, fmt="md").cells)


def script_cells(script: str, fmt: str) -> list:
    """A Python script -> cells: ``py:light`` splits at blank lines, ``py:percent`` at ``# %%``."""
    return list(jupytext.reads(script, fmt=fmt).cells)


SOURCES = {
    "reference": "earlier steps come from the reference solution",
    "auto": "earlier steps: your own notebooks of those steps, or the reference when graded",
}


def setup_cell(step: course.Step, impl: str):
    return nbformat.v4.new_code_cell(SETUP.format(step_id=step.id, impl=impl, where=SOURCES[impl]))


def code_cells(step: course.Step) -> list:
    """The reference module, one cell per piece, each under a small heading."""
    plan = notebook_plan.module_plan(notebook_plan.reference_source(step), step.files[0])
    cells = [nbformat.v4.new_markdown_cell(
        f"## The code, piece by piece\n\nThis is `{step.files[0]}`, the module students write, "
        f"as the reference solution has it.\n\n```\n{plan.docstring}\n```")]
    for piece in (plan.imports, *plan.pieces):
        cells.append(nbformat.v4.new_markdown_cell(f"### {piece.title}"))
        cells.append(nbformat.v4.new_code_cell(notebook_plan.teaching_code(piece.source)))
    return cells


def demo_cells(step: course.Step, sections: dict[str, str]) -> list:
    """The live demo: demo.py cut into cells, or the lesson's "Try it" examples."""
    demo = step.folder / "demo.py"
    if demo.exists():
        intro = nbformat.v4.new_markdown_cell(
            f"## Live demo\n\nThe script `python -m grader demo {step.number}` runs "
            f"(`{demo.relative_to(step.folder.parent.parent).as_posix()}`), one cell at a time.")
        return [intro, *script_cells(demo.read_text(encoding="utf-8"), "py:light")]
    if "Try it" in sections:
        return lesson_cells(sections["Try it"])
    return []


def picture_cells(step: course.Step) -> list:
    pictures = step.folder / "pictures.py"
    return script_cells(pictures.read_text(encoding="utf-8"), "py:percent") if pictures.exists() else []


def build(step: course.Step) -> nbformat.NotebookNode:
    """The teaching notebook of ``step`` (not yet normalised: see grader.notebooks.files)."""
    intro, sections = notebook_plan.lesson_sections((step.folder / "README.md").read_text(encoding="utf-8"))
    cells = [nbformat.v4.new_markdown_cell(intro.strip()), setup_cell(step, "reference")]
    for name in PLAIN_SECTIONS:
        if name in sections:
            cells += lesson_cells(sections[name])
    cells += code_cells(step)
    cells += demo_cells(step, sections)
    cells += picture_cells(step)
    for name in CLOSING_SECTIONS:
        if name in sections:
            cells += lesson_cells(sections[name])
    return nbformat.v4.new_notebook(cells=cells)
