"""What a step's notebooks are made of, read from the step's own sources.

* the lesson (``README.md``) cut into its ``## `` sections;
* the reference module cut into pieces: the imports, then one piece per top-level
  function or class (with the statements that follow it), each knowing whether it holds
  a solution region;
* the questions of the student notebook: one per group of ``assignment.toml`` (same
  name, same points, same tests), in the manifest's order, each holding the code pieces
  its tests need first. A question's tests are the group's checks, public and hidden.

The teaching notebook (``grader.notebooks.teaching``) and the otter master notebook
(``grader.notebooks.master``) are both built from this plan.
"""
from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from grader import course, stubs

TODO = re.compile(r"^\s*# TODO\b")
TODO_CONTINUED = re.compile(r"^\s*#\s{2,}\S")


class PlanError(ValueError):
    """A step whose sources cannot make a notebook (the message says which file and why)."""


@dataclass(frozen=True)
class Piece:
    """A run of top-level code of the reference module."""

    names: tuple[str, ...]  # the top-level names it defines ("" for the imports)
    source: str  # as in the reference: TODO comments and solution markers included

    @property
    def has_solution(self) -> bool:
        return bool(stubs.solution_regions(self.source.splitlines()))

    @property
    def title(self) -> str:
        return ", ".join(f"`{name}`" for name in self.names) or "Imports"


@dataclass(frozen=True)
class Question:
    name: str  # "q1": what students pass to grader.check
    group: course.Group
    pieces: tuple[Piece, ...]  # the code that first appears in this question
    checks: tuple[str, ...]  # check ids (grader.notebook_checks), public ones first


@dataclass(frozen=True)
class ModulePlan:
    docstring: str
    imports: Piece
    pieces: tuple[Piece, ...]


# ---------------------------------------------------------------- the lesson


def lesson_sections(readme: str) -> tuple[str, dict[str, str]]:
    """(the title and introduction, {section heading: section text with its heading})."""
    parts = re.split(r"(?m)^(?=## )", readme)
    sections = {}
    for part in parts[1:]:
        heading = part.splitlines()[0][3:].strip()
        sections[heading] = part.rstrip() + "\n"
    return parts[0].rstrip() + "\n", sections


# ---------------------------------------------------------------- the reference module


def _defined_names(node) -> tuple[str, ...]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, ast.Assign):
        return tuple(t.id for t in node.targets if isinstance(t, ast.Name))
    return ()


def _definition_groups(nodes) -> list[list]:
    """Top-level statements grouped: each function or class with the statements after it."""
    groups: list[list] = []
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) or not groups:
            groups.append([])
        groups[-1].append(node)
    return groups


def _first_line(node, lines: list[str]) -> int:
    """0-based first line of a statement: its decorators and the comments just above included."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def module_plan(source: str, name: str = "<reference>") -> ModulePlan:
    """Cut a reference module into its docstring, its imports and its definitions."""
    tree = ast.parse(source, filename=name)
    lines = source.splitlines()
    docstring = ast.get_docstring(tree) or ""
    body = tree.body[1:] if docstring else list(tree.body)
    first_def = next((i for i, n in enumerate(body) if isinstance(n, (ast.FunctionDef, ast.ClassDef))), len(body))
    if first_def == 0:
        raise PlanError(f"{name}: expected imports before the first definition")
    groups = _definition_groups(body[first_def:])
    starts = [_first_line(body[0], lines)] + [_first_line(g[0], lines) for g in groups] + [len(lines)]
    chunks = ["\n".join(lines[a:b]).strip("\n") + "\n" for a, b in zip(starts, starts[1:])]
    imports = Piece((), chunks[0])
    if imports.has_solution:
        raise PlanError(f"{name}: a solution region outside any function or class cannot become a notebook cell")
    pieces = [Piece(tuple(n for node in group for n in _defined_names(node)), chunk)
              for group, chunk in zip(groups, chunks[1:])]
    return ModulePlan(docstring, imports, tuple(pieces))


def teaching_code(source: str) -> str:
    """The reference code as taught: no TODO comments, no solution markers."""
    out, in_todo = [], False
    for line in source.splitlines():
        if TODO.match(line):
            in_todo = True
            continue
        if in_todo and TODO_CONTINUED.match(line):
            continue
        in_todo = False
        if line.strip() in (stubs.BEGIN, stubs.END):
            continue
        out.append(line)
    return "\n".join(out).rstrip("\n")


def otter_code(source: str) -> str:
    """The reference code in ``otter assign``'s solution format.

    Each solution region becomes a prompt that students see (``raise NotImplementedError``,
    exactly what the stub module has) followed by the solution, which otter removes from
    the student's notebook::

        \"\"\" # BEGIN PROMPT
        raise NotImplementedError
        \"\"\" # END PROMPT
        # BEGIN SOLUTION NO PROMPT
        ...the reference's code...
        # END SOLUTION
    """
    lines = source.splitlines()
    out, position = [], 0
    for region in stubs.solution_regions(lines):
        indent = region.indent
        out += lines[position:region.first]
        out += [f'{indent}""" # BEGIN PROMPT', f"{indent}raise NotImplementedError", f'{indent}""" # END PROMPT',
                f"{indent}{stubs.BEGIN} NO PROMPT", *lines[region.first + 1:region.last], f"{indent}{stubs.END}"]
        position = region.last + 1
    out += lines[position:]
    return "\n".join(out).rstrip("\n")


def student_code(source: str) -> str:
    """What a student's notebook shows for a piece: the stub's code."""
    return stubs.make_stub(source).rstrip("\n")


# ---------------------------------------------------------------- questions


def _needed_names(step: course.Step, check_ids, functions: dict) -> set[str]:
    names = set()
    for check_id in check_ids:
        names |= set(inspect.signature(functions[check_id]).parameters) & set(step.api)
    return names


def questions(step: course.Step, plan: ModulePlan) -> list[Question]:
    """One question per group of the manifest, holding the pieces its tests need first."""
    from grader import notebook_checks

    checks = notebook_checks.step_checks(step, "public") + notebook_checks.step_checks(step, "hidden")
    functions = {c.id: c.function for c in checks}
    by_group: dict[str, list[str]] = {g.name: [] for g in step.groups}
    for check in checks:
        file, _, test = check.id.split("/", 1)[1].partition("::")
        group = step.group_of(file, test)
        if group is None:
            raise PlanError(f"{step.id}: no group of assignment.toml claims {check.id}")
        by_group[group.name].append(check.id)
    position = {name: i for i, piece in enumerate(plan.pieces) for name in piece.names}
    placed, result = 0, []
    for number, group in enumerate(step.groups, 1):
        needed = [position[n] for n in _needed_names(step, by_group[group.name], functions) if n in position]
        last = max(needed, default=-1)
        result.append(Question(f"q{number}", group, plan.pieces[placed:last + 1], tuple(by_group[group.name])))
        placed = max(placed, last + 1)
    leftover = [p for p in plan.pieces[placed:] if p.has_solution]
    if leftover:
        raise PlanError(f"{step.id}: {leftover[0].title} has a solution region but no test group of "
                        "assignment.toml uses it, so no notebook question could check it")
    return result


def trailing_pieces(plan: ModulePlan, asked: list[Question]) -> tuple[Piece, ...]:
    """Code after the last piece any question holds (given code, no solution)."""
    used = sum(len(q.pieces) for q in asked)
    return plan.pieces[used:]


def reference_source(step: course.Step, root: Path = course.ROOT) -> str:
    return (root / "reference" / step.files[0]).read_text(encoding="utf-8")
