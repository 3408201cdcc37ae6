"""``python -m grader notebooks --build OUT``: student notebooks and Gradescope
autograder zips, made by ``otter assign`` from the generated master notebooks.

For each step, a private build folder gets the master notebook and the files its
``# ASSIGNMENT CONFIG`` lists (copied from this checkout, same relative paths), and
``otter assign`` runs there. Then:

* ``OUT/student/``: every step's student notebook (solutions stripped, public tests
  only, ``grader.check`` cells) with the files they need: the folder to hand out;
* ``OUT/autograder/NN_topic.zip``: the step's Gradescope autograder (hidden tests and
  the reference inside), also what ``python -m grader grade NOTEBOOK`` grades with.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from grader import course
from grader.notebooks import files as notebook_files
from grader.notebooks import master as master_notebook


class BuildError(ValueError):
    """``otter assign`` refused a master notebook (the message says why)."""


_ASSIGN = threading.Lock()  # otter assign changes the working directory: one at a time
_CACHE = threading.Lock()  # one build per missing zip, however many threads grade


def _copy(relative: str, root: Path, into: Path) -> None:
    target = into / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / relative, target)


def assign(step: course.Step, work: Path, root: Path = course.ROOT) -> Path:
    """Run ``otter assign`` on the step's master notebook in ``work``; returns its output folder."""
    from otter.assign import main as otter_assign

    source = work / "source"
    source.mkdir(parents=True)
    master = source / f"{step.id}.ipynb"
    shutil.copyfile(notebook_files.master_path(step, root), master)
    for relative in master_notebook.student_files(step, root) + master_notebook.autograder_files(step, root):
        _copy(relative, root, source)
    dist = work / "dist"
    quiet = io.StringIO()
    level = logging.getLogger("otter").level
    try:
        with _ASSIGN, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            otter_assign(str(master), str(dist), no_pdfs=True, no_run_tests=True)
    except Exception as error:  # noqa: BLE001 - otter's own errors, reported in one line
        raise BuildError(f"otter assign failed on {step.id}: {error}\n{quiet.getvalue()[-2000:]}") from None
    finally:
        logging.getLogger("otter").setLevel(level)
    return dist


def build(out: Path, steps: list[course.Step] | None = None, root: Path = course.ROOT) -> dict[str, Path]:
    """Build the student folder and the autograder zips of ``steps`` (default: all) into ``out``.

    Returns step id -> its autograder zip.
    """
    steps = steps or course.load_course(root)
    out = Path(out)
    student, autograders = out / "student", out / "autograder"
    student.mkdir(parents=True, exist_ok=True)
    autograders.mkdir(parents=True, exist_ok=True)
    zips = {}
    for step in steps:
        with tempfile.TemporaryDirectory(prefix=f"otter-{step.number}-") as tmp:
            dist = assign(step, Path(tmp), root)
            shutil.copytree(dist / "student", student, dirs_exist_ok=True)
            zip_file = next((dist / "autograder").glob("*.zip"))
            zips[step.id] = Path(shutil.copyfile(zip_file, autograders / f"{step.id}.zip"))
    return zips


def autograder_zip(step: course.Step, cache: Path, root: Path = course.ROOT) -> Path:
    """The step's autograder zip, built once into ``cache`` for the current sources."""
    key = _sources_key(step, root)
    path = Path(cache) / f"{step.id}-{key[:16]}.zip"
    with _CACHE:
        if not path.exists():
            with tempfile.TemporaryDirectory(prefix="otter-build-") as tmp:
                built = build(Path(tmp), [step], root)[step.id]
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                shutil.copyfile(built, partial)
                partial.replace(path)
    return path


def _sources_key(step: course.Step, root: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for relative in [notebook_files.master_path(step, root).relative_to(root).as_posix(),
                     *master_notebook.student_files(step, root), *master_notebook.autograder_files(step, root)]:
        digest.update(relative.encode() + b"\0" + (root / relative).read_bytes())
    return digest.hexdigest()
