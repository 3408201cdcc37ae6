"""Finding a student's files in a submission, and taking a private copy of them.

Only the files that ``assignment.toml`` lists are ever taken; tests, conftest files,
workflows and anything else in a submission are ignored.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.course import Step

MAX_FILE_BYTES = 1024 * 1024  # a student module larger than this is refused


def locate(root: Path, step: Step) -> Path | None:
    """Where ``step``'s student file is in a submission folder, if anywhere.

    Accepted layouts: a checkout (``assignments/<step>/<file>``), one folder per step
    (``<step>/<file>``), or the files side by side (``<file>``).
    """
    name = step.files[0]
    for candidate in (root / "assignments" / step.id / name, root / step.id / name, root / name):
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def private_copy(root: Path, steps: list[Step], into: Path) -> dict[str, Path]:
    """Copy every step's student file found in ``root`` to ``into/<step id>/``.

    Returns step id -> copied file; steps whose file is missing or too large are absent.
    """
    copies = {}
    for step in steps:
        source = locate(root, step)
        if source is None or source.stat().st_size > MAX_FILE_BYTES:
            continue
        target = into / step.id / step.files[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copies[step.id] = target
    return copies


def missing_reason(root: Path, step: Step) -> str:
    source = locate(root, step)
    if source is not None and source.stat().st_size > MAX_FILE_BYTES:
        return f"{step.files[0]} is larger than {MAX_FILE_BYTES // 1024} KB and was not graded"
    return f"{step.files[0]} was not found in the submission (expected assignments/{step.id}/{step.files[0]})"
