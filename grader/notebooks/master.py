"""The ``otter assign`` master notebook of a step: the student notebook with its
solutions and tests, in otter-grader 7's format.

* a raw ``# ASSIGNMENT CONFIG`` cell (YAML): the assignment's name (the step id, which
  otter checks at grading time), exception-based tests (``ok_format: false``), the
  packages of the grading environment (torch, CPU build), and the files that go with
  the student notebook (``files``: the grader's check modules, the step's public tests
  and golden outputs, starter_code) or only into the autograder (``autograder_files``:
  the hidden tests and the reference, which the hidden tests compare with);
* the lesson, then a set-up cell (earlier steps: the reference where it exists, that
  is in the autograder; else the student's own notebooks of those steps);
* one question per group of ``assignment.toml`` (``q1``, ``q2``, ... in its order, with
  its points): the code pieces it introduces, each solution between raw
  ``# BEGIN SOLUTION`` / ``# END SOLUTION`` cells, then its tests, one test cell per
  check of the group (``# HIDDEN`` for the hidden suite). A test cell only calls
  ``grader.notebook_checks.run``: the checks are the pytest suites' own functions.

The code cells that make up the step's module carry the ``course_module`` tag, so a
later step's notebook can import this one (``starter_code.notebook``). Lesson examples,
the demo and the pictures carry ``otter_ignore``: the autograder skips them.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

from grader import course
from grader.notebooks import plan as notebook_plan
from grader.notebooks import teaching as teaching_notebook
from starter_code.notebook import MODULE_TAG  # how a later step's notebook finds this step's code
IGNORE_TAG = "otter_ignore"  # otter's own: cells the autograder does not run
GRADER_MODULES = ("__init__", "course", "modules", "testkit", "proxy", "channel", "golden", "contract",
                  "toymodels", "forbidden", "notebook_checks")
PINNED = ("torch", "numpy", "pytest")  # the grading environment's packages, pinned as in requirements.txt
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

HOW_TO = """\
**How this notebook works.** Read the lesson, then fill in the code cells of each
question: replace every `raise NotImplementedError` by your code, following the
`# TODO` comments. Run a cell after editing it, then run the `grader.check("q1")` cell
under it: it runs this part's public tests on your code and says what is wrong, if
anything. The hidden tests, which decide the grade, run when your notebook is graded.
Run the first code cells (set-up) before anything else, and keep the names of the
functions, classes and attributes exactly as they are: the tests use them."""


# ---------------------------------------------------------------- what ships with the notebook


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def student_files(step: course.Step, root: Path = course.ROOT) -> list[str]:
    """Files the student notebook needs (paths relative to the course root)."""
    steps = [s for s in course.load_course(root) if s.number <= step.number]
    files = [f"grader/{name}.py" for name in GRADER_MODULES]
    files += [_relative(p, root) for p in sorted((root / "starter_code").glob("*.py"))]
    files += [_relative(s.folder / "assignment.toml", root) for s in steps]
    public = step.suite("public")
    files += [_relative(p, root) for p in sorted(public.glob("test_*.py")) + sorted(public.glob("*.json"))]
    return files


def autograder_files(step: course.Step, root: Path = course.ROOT) -> list[str]:
    """Files only the autograder gets: the hidden tests, and the reference they compare with."""
    steps = [s for s in course.load_course(root) if s.number <= step.number]
    files = [_relative(p, root) for p in sorted(step.suite("hidden").glob("test_*.py"))]
    files += [f"reference/{s.files[0]}" for s in steps]
    return files


def pinned_requirements(root: Path = course.ROOT) -> list[str]:
    """torch (CPU build), numpy and pytest at the versions requirements.txt pins."""
    pins = {}
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#;]+)", line.strip())
        if match and match.group(1).lower() in PINNED:
            pins[match.group(1).lower()] = match.group(2)
    missing = [name for name in PINNED if name not in pins]
    if missing:
        raise notebook_plan.PlanError(f"requirements.txt pins no version of {', '.join(missing)}")
    torch_version = pins["torch"] if "+" in pins["torch"] else pins["torch"] + "+cpu"
    return [f"--extra-index-url {TORCH_CPU_INDEX}", f"torch=={torch_version}",
            f"numpy=={pins['numpy']}", f"pytest=={pins['pytest']}"]


def assignment_config(step: course.Step, root: Path = course.ROOT) -> dict:
    return {
        "name": step.id,
        "requirements": pinned_requirements(root),
        "python_version": "3.11",
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,
        "solutions_pdf": False,
        "template_pdf": False,
        "tests": {"files": False, "ok_format": False},
        "generate": {"pdf": False, "show_stdout": False, "show_hidden": False},
        "files": student_files(step, root),
        "autograder_files": autograder_files(step, root),
    }


# ---------------------------------------------------------------- cells


def _raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _tagged(cell, tag: str):
    cell.metadata.setdefault("tags", []).append(tag)
    return cell


def _code(source: str, tag: str | None = None):
    cell = nbformat.v4.new_code_cell(source)
    return _tagged(cell, tag) if tag else cell


def _ignored(cells: list) -> list:
    """Lesson examples, demo and pictures: students run them, the autograder does not."""
    return [_tagged(c, IGNORE_TAG) if c.cell_type == "code" else c for c in cells]


def _test_function_name(check_id: str) -> str:
    suite, _, rest = check_id.partition("/")
    test = rest.split("::", 1)[1]
    return re.sub(r"\W+", "_", f"{suite}_{test.removeprefix('test_')}").strip("_")


def test_cell(step: course.Step, check_id: str):
    """One otter test case: a function otter calls with the notebook's globals."""
    name = _test_function_name(check_id)
    hidden = "# HIDDEN\n" if check_id.startswith("hidden/") else ""
    return _code(f"{hidden}def {name}(env):\n"
                 f"    from grader.notebook_checks import run\n"
                 f"    run(env, {step.id!r}, {check_id!r})\n\n"
                 f"{name}(globals())")


def piece_cells(piece: notebook_plan.Piece) -> list:
    if not piece.has_solution:
        return [_code(notebook_plan.teaching_code(piece.source), MODULE_TAG)]
    return [_raw("# BEGIN SOLUTION"), _code(notebook_plan.otter_code(piece.source), MODULE_TAG), _raw("# END SOLUTION")]


def question_cells(step: course.Step, question: notebook_plan.Question) -> list:
    config = yaml.safe_dump({"name": question.name, "points": question.group.points}, sort_keys=False)
    writes = ", ".join(p.title for p in question.pieces)
    task = (f"Write {writes} in the cell{'s' if len(question.pieces) > 1 else ''} below."
            if question.pieces else "The code is the one you wrote above; these tests check more of it.")
    cells = [_raw(f"# BEGIN QUESTION\n{config.strip()}"),
             nbformat.v4.new_markdown_cell(f"### Question {question.name}: {question.group.name} "
                                           f"({question.group.points} points)\n\n{task}")]
    for piece in question.pieces:
        cells += piece_cells(piece)
    cells.append(_raw("# BEGIN TESTS"))
    cells += [test_cell(step, check_id) for check_id in question.checks]
    cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
    return cells


def build(step: course.Step, root: Path = course.ROOT) -> nbformat.NotebookNode:
    """The master notebook of ``step`` (not yet normalised: see grader.notebooks.files)."""
    intro, sections = notebook_plan.lesson_sections((step.folder / "README.md").read_text(encoding="utf-8"))
    plan = notebook_plan.module_plan(notebook_plan.reference_source(step, root), step.files[0])
    asked = notebook_plan.questions(step, plan)
    config = yaml.safe_dump(assignment_config(step, root), sort_keys=False, width=1000)
    cells = [_raw(f"# ASSIGNMENT CONFIG\n{config.strip()}"),
             nbformat.v4.new_markdown_cell(intro.strip() + "\n\n" + HOW_TO),
             teaching_notebook.setup_cell(step, "auto")]
    for name in teaching_notebook.PLAIN_SECTIONS:
        if name in sections:
            cells += _ignored(teaching_notebook.lesson_cells(sections[name]))
    for name in ("Your tasks", "Hints"):
        if name in sections:
            cells.append(nbformat.v4.new_markdown_cell(sections[name].strip()))
    cells.append(nbformat.v4.new_markdown_cell(
        f"## Your code\n\nThe cells below make up `{step.files[0]}`. First its imports (run this cell):"))
    cells.append(_code(notebook_plan.teaching_code(plan.imports.source), MODULE_TAG))
    for question in asked:
        cells += question_cells(step, question)
    for piece in notebook_plan.trailing_pieces(plan, asked):
        cells += piece_cells(piece)
    if "Common mistakes" in sections:
        cells.append(nbformat.v4.new_markdown_cell(sections["Common mistakes"].strip()))
    cells += _ignored(teaching_notebook.demo_cells(step, sections))
    cells += _ignored(teaching_notebook.picture_cells(step))
    return nbformat.v4.new_notebook(cells=cells)
