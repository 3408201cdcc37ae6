"""Finding a student's files in a submission, and taking a private copy of them.

Only the files that ``assignment.toml`` lists are ever taken; tests, conftest files,
bytecode caches, workflows and anything else in a submission are ignored.
"""
from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from grader.course import Step

MAX_FILE_BYTES = 1024 * 1024  # a student module larger than this is refused
MAX_DEPTH = 4  # folders between a submission's root and a step's file
SKIPPED_DIRS = {".git", "__pycache__", "node_modules", ".venv", "venv"}


def _rank(relative: PurePosixPath, step: Step) -> tuple[int, int]:
    """How good a place for ``step``'s file ``relative`` is (lower is better)."""
    parts = relative.parts
    if parts[-3:-1] == ("assignments", step.id):
        return 0, len(parts)
    if parts[-2:-1] == (step.id,):
        return 1, len(parts)
    return 2, len(parts)


def _candidates(root: Path, name: str):
    def walk(folder: Path, depth: int):
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_file() and entry.name == name:
                yield entry
            elif entry.is_dir() and depth < MAX_DEPTH and entry.name not in SKIPPED_DIRS:
                yield from walk(entry, depth + 1)

    yield from walk(root, 0)


def locate(root: Path, step: Step) -> Path | None:
    """Where ``step``'s student file is in a submission folder, if anywhere.

    Preferred: a checkout's ``assignments/<step>/<file>``; then ``<step>/<file>``; then
    the file on its own. A layout nested in one more folder (a zip of a repository, a
    clone inside a folder) is found too; the shallowest match of the best kind wins.
    """
    matches = list(_candidates(Path(root), step.files[0]))
    if not matches:
        return None
    return min(matches, key=lambda p: _rank(PurePosixPath(p.relative_to(root).as_posix()), step))


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


def fingerprint(root: Path, steps: list[Step]) -> str:
    """A hash of exactly what would be graded: each step's located file, or its absence."""
    digest = hashlib.sha256()
    for step in steps:
        source = locate(root, step)
        digest.update(step.id.encode() + b"\0")
        if source is None or source.stat().st_size > MAX_FILE_BYTES:
            digest.update(b"missing\0")
        else:
            digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()


def extract_zip(archive: Path, into: Path, steps: list[Step]) -> Path:
    """Extract only the course's student files from a zip, refusing unsafe paths.

    Members with absolute paths, ``..`` parts, links, or more than ``MAX_FILE_BYTES``
    are skipped; so is everything that is not a step's file.
    """
    wanted = {step.files[0] for step in steps}
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.infolist():
            path = PurePosixPath(member.filename)
            if (member.is_dir() or path.name not in wanted or path.is_absolute() or ".." in path.parts
                    or member.file_size > MAX_FILE_BYTES or (member.external_attr >> 16) & 0o170000 == 0o120000):
                continue
            target = into.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(member) as source, open(target, "wb") as sink:
                sink.write(source.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES])
    return into
