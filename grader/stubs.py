"""Everything generated from ``reference/``: the students' stubs, the public tests'
golden outputs and the points table of every lesson.

A reference module marks what the student writes::

        # TODO: a hint that stays in the stub
        # BEGIN SOLUTION
        ...the reference's code...
        # END SOLUTION

The stub keeps everything outside the regions (imports, signatures, docstrings, TODO
comments) and replaces each region by ``raise NotImplementedError``.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader import course

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
POINTS_BEGIN, POINTS_END = "<!-- points-table:begin -->", "<!-- points-table:end -->"


class RegionError(ValueError):
    """Unbalanced or nested solution markers."""


@dataclass(frozen=True)
class Region:
    first: int  # 0-based line index of "# BEGIN SOLUTION"
    last: int  # 0-based line index of "# END SOLUTION"
    indent: str


def solution_regions(lines: list[str], name: str = "<reference>") -> list[Region]:
    regions, start = [], None
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if start is not None:
                raise RegionError(f"{name}:{i + 1}: nested {BEGIN}")
            start = i
        elif marker == END:
            if start is None:
                raise RegionError(f"{name}:{i + 1}: {END} without {BEGIN}")
            indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
            if not line.startswith(indent + END):
                raise RegionError(f"{name}:{i + 1}: {END} is not indented like its {BEGIN}")
            regions.append(Region(start, i, indent))
            start = None
    if start is not None:
        raise RegionError(f"{name}:{start + 1}: {BEGIN} is never closed")
    return regions


def solution_lines(source: str) -> list[str]:
    """The code lines inside solution regions (what must never reach a student)."""
    lines = source.splitlines()
    return [line for r in solution_regions(lines) for line in lines[r.first + 1 : r.last]]


def make_stub(source: str, name: str = "<reference>") -> str:
    """The student's version of a reference module."""
    lines = source.splitlines()
    out, position = [], 0
    for region in solution_regions(lines, name):
        out += lines[position : region.first]
        out.append(f"{region.indent}raise NotImplementedError")
        position = region.last + 1
    out += lines[position:]
    stub = "\n".join(out) + "\n"
    ast.parse(stub, filename=name)  # a stub must at least be valid Python
    return stub


def points_table(step: course.Step) -> str:
    rows = ["| Part | Points |", "| --- | ---: |"]
    rows += [f"| `{g.name}` | {g.points} |" for g in step.groups]
    rows.append(f"| **Total** | **{step.max_points}** |")
    return "\n".join(rows)


def with_points_table(readme: str, step: course.Step) -> str:
    pattern = re.compile(re.escape(POINTS_BEGIN) + ".*?" + re.escape(POINTS_END), re.S)
    if not pattern.search(readme):
        raise RegionError(f"{step.folder / 'README.md'} has no {POINTS_BEGIN} ... {POINTS_END} block")
    return pattern.sub(lambda _: f"{POINTS_BEGIN}\n{points_table(step)}\n{POINTS_END}", readme)


def generated_files(root: Path = course.ROOT, goldens: bool = True) -> dict[Path, str]:
    """Path -> the content it must have, for every generated file of the course."""
    steps = course.load_course(root)
    files = {}
    for step in steps:
        reference = root / "reference" / step.files[0]
        files[step.folder / step.files[0]] = make_stub(reference.read_text(encoding="utf-8"), str(reference))
        readme = step.folder / "README.md"
        if readme.exists():
            files[readme] = with_points_table(readme.read_text(encoding="utf-8"), step)
    if goldens:
        files.update(golden_files(steps, root))
    return files


def golden_files(steps, root: Path) -> dict[Path, str]:
    from grader import golden, modules  # torch is only needed for this part

    files = {}
    for step in steps:
        reference = modules.load_reference(steps, step, root / "reference")
        path = step.suite("public") / golden.GOLDEN_FILE
        fresh = golden.compute(step, reference)
        if path.exists():
            stored = golden.json.loads(path.read_text(encoding="utf-8"))
            if not golden.drifted(stored, fresh):
                fresh = stored  # equal within tolerance: keep the file byte for byte
        files[path] = golden.render(fresh)
    return files


def write(files: dict[Path, str]) -> list[Path]:
    """Write what changed; return the paths written."""
    changed = []
    for path, content in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            changed.append(path)
    return changed


def drift(files: dict[Path, str]) -> list[Path]:
    """Paths whose content differs from what generation gives (or that are missing)."""
    return [p for p, c in files.items() if not p.exists() or p.read_text(encoding="utf-8") != c]
