"""``python -m grader release OUT``: the student version of the course, a template repository.

What ships, for every step: the lesson (``README.md``), the stub the student edits,
``demo.py``, ``assignment.toml`` and the public tests with their golden outputs. Also
``starter_code/``, the part of ``grader/`` that the student-side commands need (``check``,
``grade --public-only``, ``demo``, and a plain ``pytest`` run of a public suite), pinned
``requirements.txt``, ``pytest.ini`` + ``conftest.py``, ``.gitignore``, a README for
students and the grading workflow (see ``grader.workflows``).

What never ships: ``reference/``, ``tests/hidden/``, this repository's ``tests/``,
``docs/`` and ``bench/``, and the instructor-only grader modules (``batch``, ``stubs``,
``release``, ...). Without ``reference/``, grading in the release runs in integrated mode
(each step on the student's own earlier steps).

The build is deterministic: the same course gives the same bytes. OUT must be empty
(a ``.git`` folder is fine); ``--force`` replaces everything in it but ``.git``.
"""
from __future__ import annotations

import ast
import shutil
import string
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import course, modules, workflows

TEMPLATES = Path(__file__).with_name("release_templates")
# Grader modules the student side never needs: they build things from reference/ or grade a class.
INSTRUCTOR_MODULES = frozenset({"batch", "release", "stubs", "workflows", "classroom50", "bench"})
INSTRUCTOR_PREFIXES = ("notebooks", "otter")  # notebook and otter builds (instructor-side, from reference/)
# The modules behind the student-side commands (`grade`, `check`, `demo`) and a plain `pytest`
# run; every grader module they, or a released test, demo or starter module, import ships
# too. The CLI's own lazy imports pick a command's module and are not followed: the
# instructor's commands answer "not included" in the release.
STUDENT_ENTRY_POINTS = ("__init__", "__main__", "cli", "grading", "reports", "check", "modules", "plugin", "_preload")
STEP_FILES = ("README.md", "demo.py", "assignment.toml")  # besides the stub and tests/public/, if present
# Always in the student's requirements.txt (numpy: torch's .numpy() needs it, though no file imports it);
# so is every package a released file imports, each with the repository's own pin.
STUDENT_PACKAGES = ("torch", "numpy", "pytest", "pytest-timeout", "rich")
IMPORT_NAMES = {"_pytest": "pytest", "yaml": "PyYAML", "PIL": "pillow", "IPython": "ipython"}  # module -> distribution
SKIPPED_NAMES = {"__pycache__", ".pytest_cache", ".DS_Store"}
LAYOUTS = ("template", "classic", "hidden")

PYTEST_INI = """\
[pytest]
# The public tests of every step: `pytest` runs them all, or one step with
# `pytest assignments/01_self_attention/tests/public` (`python -m grader check 01` is friendlier).
testpaths = assignments
norecursedirs = .* __pycache__ grader starter_code
pythonpath = .
addopts = --import-mode=importlib -p no:cacheprovider
timeout = 300
"""

CONFTEST = """\
# Lets `pytest assignments/NN_topic/tests/public` run a step's public tests on your own code.
pytest_plugins = ("grader.plugin",)
"""

GITIGNORE = """\
__pycache__/
*.pyc
.pytest_cache/
.venv/
venv/
results.json
summary.md
result.json
release-body.md
"""


class ReleaseError(ValueError):
    """A release that cannot be built as asked (the message says why)."""


@dataclass(frozen=True)
class Options:
    layout: str = "template"  # "template" (grade.yml), "classic" (classroom.yml) or "hidden"
    hidden_repo: str | None = None  # OWNER/REPO of the instructor's private course (layout "hidden")
    classroom50: bool = False  # the README explains submitting with Classroom 50

    def __post_init__(self):
        if self.layout not in LAYOUTS:
            raise ReleaseError(f"unknown layout {self.layout!r}; expected one of {', '.join(LAYOUTS)}")
        if (self.layout == "hidden") != bool(self.hidden_repo):
            raise ReleaseError("the hidden-tests workflow needs the private repository (OWNER/REPO), and only it")


# ---------------------------------------------------------------- the student-side grader


def _is_instructor_module(name: str) -> bool:
    return name in INSTRUCTOR_MODULES or name.startswith(INSTRUCTOR_PREFIXES)


def _nodes(tree: ast.AST, lazy: bool):
    """Every node of ``tree``; without ``lazy``, not those inside function bodies."""
    for node in ast.iter_child_nodes(tree):
        yield node
        if lazy or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _nodes(node, lazy)


def imported_grader_modules(name: str, source: bytes, lazy: bool = True) -> set[str]:
    """The ``grader.X`` modules that the Python file ``name`` imports: anywhere, or with
    ``lazy=False`` only outside function bodies."""
    names = set()
    for node in _nodes(ast.parse(source, filename=name), lazy):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("grader.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:  # from . import x / from .x import y
                names |= {module.split(".")[0]} if module else {a.name for a in node.names}
            elif module == "grader":  # from grader import x (non-modules are filtered out later)
                names |= {a.name for a in node.names}
            elif module.startswith("grader."):
                names.add(module.split(".")[1])
    return names


def student_grader_modules(grader_dir: Path, users: dict[str, bytes] | None = None) -> list[str]:
    """Every grader module reachable from the student-side entry points and from ``users``
    (the released Python files: tests, demos, starter code), instructor-only ones excluded."""
    imports = {path: imported_grader_modules(path, source)
               for path, source in (users or {}).items() if path.endswith(".py")}
    for path, names in imports.items():
        refused = sorted(n for n in names if _is_instructor_module(n))
        if refused:
            raise ReleaseError(f"{path} imports grader.{refused[0]}, which does not ship to students")
    found, todo = set(), [m for m in STUDENT_ENTRY_POINTS if (grader_dir / f"{m}.py").exists()]
    todo += sorted(set().union(*imports.values()))
    while todo:
        name = todo.pop()
        if name in found or _is_instructor_module(name) or not (grader_dir / f"{name}.py").exists():
            continue
        found.add(name)
        source = (grader_dir / f"{name}.py").read_bytes()
        todo += sorted(imported_grader_modules(f"grader/{name}.py", source, lazy=name != "cli"))
    return sorted(found)


def _grader_files(root: Path, users: dict[str, bytes]) -> dict[str, bytes]:
    grader_dir = root / "grader"
    files = {f"grader/{m}.py": (grader_dir / f"{m}.py").read_bytes() for m in student_grader_modules(grader_dir, users)}
    for data in sorted(grader_dir.iterdir()):  # data files next to the modules (grading.ini)
        if data.is_file() and data.suffix != ".py" and not data.name.startswith("."):
            files[f"grader/{data.name}"] = data.read_bytes()
    return files


# ---------------------------------------------------------------- the course's own files


def _tree(folder: Path, root: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` (caches, hidden entries and links skipped)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIPPED_NAMES or part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and not path.is_symlink():
            files[relative.as_posix()] = path.read_bytes()
    return files


def step_files(step: course.Step, root: Path) -> dict[str, bytes]:
    """What a student gets of one step: lesson, stub, demo, manifest, public tests."""
    files = {}
    for name in (*STEP_FILES, step.files[0]):
        if (step.folder / name).is_file():
            files[(step.folder / name).relative_to(root).as_posix()] = (step.folder / name).read_bytes()
    if not (step.folder / step.files[0]).is_file():
        raise ReleaseError(f"{step.id} has no stub {step.files[0]}: run `python -m grader stubs` first")
    files.update(_tree(step.suite("public"), root))
    return files


def third_party_imports(files: dict[str, bytes], own: set[str]) -> set[str]:
    """Top-level names of the modules the released Python files import that are neither the
    standard library's nor the course's own (``own``: grader, starter_code, the steps' modules)."""
    names = set()
    for path, source in files.items():
        if path.endswith(".py"):
            names |= modules.imported_names(source, path)
    return {n for n in names if n not in sys.stdlib_module_names and n not in own}


def requirement_name(module: str) -> str:
    """The distribution that provides an imported top-level module (``pytest_timeout`` -> ``pytest-timeout``)."""
    return IMPORT_NAMES.get(module, module).lower().replace("_", "-")


def student_requirements(root: Path, files: dict[str, bytes]) -> str:
    """The repository's own pins of what the released files import (and of STUDENT_PACKAGES)."""
    pins = {}
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            pins[line.split("==")[0].strip().lower().replace("_", "-")] = line.strip()
    own = {"grader", "starter_code", *(step.module for step in course.load_course(root))}
    needed = set(STUDENT_PACKAGES) | {requirement_name(m) for m in third_party_imports(files, own)}
    missing = sorted(needed - set(pins))
    if missing:
        raise ReleaseError(f"requirements.txt pins no version of {', '.join(missing)}, which the student version needs")
    header = ("# Pinned, so everybody grades with the same versions. No GPU needed: install with\n"
              f"#   pip install -r requirements.txt --extra-index-url {workflows.CPU_INDEX}\n"
              "# to get PyTorch's CPU-only wheels instead of the multi-GB CUDA build.\n")
    return header + "".join(line + "\n" for name, line in pins.items() if name in needed)


# ---------------------------------------------------------------- generated files


def steps_table(steps: list[course.Step]) -> str:
    rows = ["| Step | Lesson | You edit | Points |", "| --- | --- | --- | ---: |"]
    for step in steps:
        folder = f"assignments/{step.id}"
        rows.append(f"| {step.number} | [{step.title}]({folder}/README.md) | `{folder}/{step.files[0]}` "
                    f"| {step.max_points} |")
    return "\n".join(rows)


def student_readme(steps: list[course.Step], options: Options) -> str:
    submitting = (TEMPLATES / f"submitting-{options.layout}.md").read_text(encoding="utf-8")
    if options.classroom50:
        submitting += (TEMPLATES / "submitting-classroom50.md").read_text(encoding="utf-8")
    template = string.Template((TEMPLATES / "README.md").read_text(encoding="utf-8"))
    titles = [s.title[0].lower() + s.title[1:] for s in steps]
    step_list = ", ".join(titles[:-1]) + f" and {titles[-1]}" if len(titles) > 1 else titles[0]
    return template.substitute(steps_table=steps_table(steps), first_lesson=steps[0].id, step_list=step_list,
                               submitting=submitting.rstrip("\n"))


def workflow_files(steps: list[course.Step], options: Options) -> dict[str, str]:
    if options.layout == "classic":
        return {".github/workflows/classroom.yml": workflows.classic(steps)}
    if options.layout == "hidden":
        return {".github/workflows/grade.yml": workflows.hidden(options.hidden_repo)}
    return {".github/workflows/grade.yml": workflows.student()}


def release_files(options: Options = Options(), root: Path = course.ROOT) -> dict[str, bytes]:
    """Relative path -> content of every file of the student version, in sorted order."""
    steps = course.load_course(root)
    if not steps:
        raise ReleaseError(f"{root / 'assignments'} has no steps")
    files: dict[str, bytes] = {}
    for step in steps:
        files.update(step_files(step, root))
    files.update(_tree(root / "starter_code", root))
    files.update(_grader_files(root, users=dict(files)))
    generated = {
        "README.md": student_readme(steps, options),
        "requirements.txt": student_requirements(root, files),
        "pytest.ini": PYTEST_INI,
        "conftest.py": CONFTEST,
        ".gitignore": GITIGNORE,
        **workflow_files(steps, options),
    }
    files.update({path: text.encode("utf-8") for path, text in generated.items()})
    return dict(sorted(files.items()))


# ---------------------------------------------------------------- writing


def prepare(out: Path, force: bool, keep: tuple[str, ...] = (".git",)) -> None:
    """Make ``out`` an empty folder (but for ``keep``), refusing to clobber work unasked."""
    out = Path(out)
    resolved, root = out.resolve(), course.ROOT.resolve()
    if resolved == root or resolved in root.parents:
        raise ReleaseError(f"{out} holds the course itself: choose another folder")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    present = sorted(p for p in out.iterdir() if p.name not in keep)
    if present and not force:
        raise ReleaseError(f"{out} is not empty ({', '.join(p.name for p in present[:3])}"
                           f"{', ...' if len(present) > 3 else ''}); use --force to replace its contents"
                           + (f" ({' and '.join(keep)} kept)" if keep else ""))
    for path in present:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def write(out: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        target = Path(out) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def build(out: Path, options: Options = Options(), force: bool = False) -> dict[str, bytes]:
    """Write the student version into ``out``; returns what was written."""
    files = release_files(options)
    prepare(Path(out), force)
    write(Path(out), files)
    return files
