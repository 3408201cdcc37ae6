"""Finding a submission's notebooks, and the step each one is for.

A submission is one ``.ipynb``, a folder, or a zip of notebooks. A notebook's step is
otter's ``assignment_name`` in its metadata (``otter assign`` writes the step id there),
so a renamed file still grades; a notebook without it counts if its file name starts
with a step id or number.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path, PurePosixPath

from grader import course
from grader.submission import MAX_FILE_BYTES

MAX_DEPTH = 3  # folders searched below a submission folder for its notebooks
MAX_NOTEBOOK_BYTES = 20 * MAX_FILE_BYTES  # a notebook with its outputs is larger than a module


def notebook_step(path: Path, steps: list[course.Step]) -> course.Step | None:
    """The step a notebook is for: otter's ``assignment_name``, else a file name like ``01_...``."""
    try:
        metadata = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
        name = (metadata.get("otter") or {}).get("assignment_name")
    except (OSError, ValueError, AttributeError):
        name = None
    for step in steps:
        if name == step.id:
            return step
    for step in steps:
        if Path(path).name.startswith((f"{step.id}", f"{step.number}_", f"{step.number}-")):
            return step
    return None


def find_notebooks(folder: Path, steps: list[course.Step]) -> dict[str, Path]:
    """Step id -> the submission's notebook for it (``NN_topic.ipynb`` wins over other names)."""
    found: dict[str, list[Path]] = {}
    for path in sorted(Path(folder).rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if len(relative.parts) > MAX_DEPTH + 1 or any(p.startswith(".") for p in relative.parts) or path.is_symlink():
            continue
        step = notebook_step(path, steps)
        if step is not None:
            found.setdefault(step.id, []).append(path)
    return {sid: min(paths, key=lambda p: (p.name != f"{sid}.ipynb", len(p.parts), str(p))) for sid, paths in found.items()}


def notebooks_in(path: Path, steps: list[course.Step], into: Path) -> dict[str, Path]:
    """Step id -> notebook, for a submission that is one notebook, a folder or a zip of notebooks."""
    path = Path(path)
    if path.suffix == ".ipynb":
        step = notebook_step(path, steps)
        if step is None:
            raise ValueError(f"{path} is not one of the course's notebooks (no otter assignment name, "
                             "and its file name does not start with a step id)")
        return {step.id: path}
    if path.suffix == ".zip":
        path = extract_notebooks(path, into)
    if not path.is_dir():
        raise ValueError(f"{path} is not a notebook, a folder or a zip")
    return find_notebooks(path, steps)


def extract_notebooks(archive: Path, into: Path) -> Path:
    """Only the ``.ipynb`` members of a zip, refusing unsafe paths, links and huge files."""
    limit = MAX_NOTEBOOK_BYTES
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.infolist():
            name = PurePosixPath(member.filename)
            if (member.is_dir() or name.suffix != ".ipynb" or name.is_absolute() or ".." in name.parts
                    or member.file_size > limit or (member.external_attr >> 16) & 0o170000 == 0o120000):
                continue
            target = Path(into).joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(member) as source:
                target.write_bytes(source.read(limit + 1)[:limit])
    return Path(into)
