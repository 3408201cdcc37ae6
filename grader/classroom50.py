"""The Classroom 50 autograder bundle: ``python -m grader release OUT --classroom50 DIR``.

Classroom 50 keeps each assignment's grader in the course's config repository, as
``<classroom>/autograders/<slug>/``, and publishes that folder as a tarball (at most
10 MB) on the repository's public Pages site. Its runner unpacks it and runs
``python autograder.py`` in the student's checkout. The bundle written here holds:

* ``autograder.py`` (``grader/release_templates/autograder.py``): installs the pinned
  requirements if needed, grades, writes ``result.json``, ``release-body.md`` and the
  ``status=``/``summary=`` outputs;
* ``course/``: the student-side grader, every step's manifest and public tests, starter
  code and requirements — the same files as the student version, without the stubs and
  lessons. Only the student's own files come from the checkout.

Everything in the bundle is readable by students, so it never holds hidden tests.
"""
from __future__ import annotations

import re
from pathlib import Path

from grader import release

AUTOGRADER = release.TEMPLATES / "autograder.py"
MAX_BYTES = 10 * 1024 * 1024  # Classroom 50's limit for a bundle
DEFAULT_SLUG = "transformers-from-scratch"


def _graded_with(path: str) -> bool:
    """Is this file of the student version part of what grading needs?"""
    parts = path.split("/")
    if parts[0] in ("grader", "starter_code") or path == "requirements.txt":
        return True
    return parts[0] == "assignments" and (parts[-1] == "assignment.toml" or parts[2:4] == ["tests", "public"])


def bundle_files(release_files: dict[str, bytes]) -> dict[str, bytes]:
    """Relative path -> content of the bundle, from the files of the student version."""
    files = {"autograder.py": AUTOGRADER.read_bytes()}
    files.update({f"course/{path}": content for path, content in release_files.items() if _graded_with(path)})
    size = sum(len(content) for content in files.values())
    if size > MAX_BYTES:
        raise release.ReleaseError(f"the Classroom 50 bundle would hold {size} bytes; its limit is {MAX_BYTES}")
    return dict(sorted(files.items()))


def check_slug(slug: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise release.ReleaseError(f"--slug {slug!r}: use lower-case letters, digits and dashes (the assignment's slug)")
    return slug


def write(config_repo: Path, slug: str, release_files: dict[str, bytes], force: bool = False) -> Path:
    """Write the bundle into ``config_repo/autograders/<slug>/`` (replacing it with ``force``)."""
    folder = Path(config_repo) / "autograders" / check_slug(slug)
    files = bundle_files(release_files)
    release.prepare(folder, force, keep=())
    release.write(folder, files)
    return folder
