"""The course as data: every step's ``assignment.toml``, read into small dataclasses.

A step's manifest says which files a student may change, which names the tests can ask
for (the step's API), how many points each group of tests is worth, the limits its
child process runs under, and which torch APIs are forbidden.
"""
from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the course repository (or release)


class ManifestError(ValueError):
    """An ``assignment.toml`` that is malformed or inconsistent."""


@dataclass(frozen=True)
class Group:
    name: str  # shown in tables and results.json
    points: int
    tests: tuple[str, ...]  # file names or "file::test" patterns, matched in public/ and hidden/

    def matches(self, file_name: str, test_name: str) -> bool:
        """Does the test ``file_name::test_name`` belong to this group?"""
        test_name = test_name.split("[", 1)[0]  # parametrised ids belong with their function
        return any(
            fnmatch.fnmatchcase(f"{file_name}::{test_name}", pattern if "::" in pattern else f"{pattern}::*")
            for pattern in self.tests
        )


@dataclass(frozen=True)
class Limits:
    test_timeout: float = 10.0  # seconds per test (pytest-timeout)
    wall_clock: float = 120.0  # seconds for the whole step, then a hard kill
    memory_mb: int = 3072  # RLIMIT_AS of the child process


@dataclass(frozen=True)
class Step:
    id: str  # "01_self_attention"
    title: str
    folder: Path  # assignments/01_self_attention
    files: tuple[str, ...]  # what a student may change: ("self_attention.py",)
    api: tuple[str, ...]  # names the tests receive as fixtures
    groups: tuple[Group, ...]
    limits: Limits = field(default_factory=Limits)
    forbidden: tuple[str, ...] = ()  # rule names from grader.forbidden, anywhere in the file
    forbidden_inside: dict[str, tuple[str, ...]] = field(default_factory=dict)  # function -> rules

    @property
    def number(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def module(self) -> str:
        """The flat module name students import (``self_attention``)."""
        return Path(self.files[0]).stem

    @property
    def max_points(self) -> int:
        return sum(g.points for g in self.groups)

    def suite(self, kind: str) -> Path:
        """``tests/public`` or ``tests/hidden`` of this step."""
        return self.folder / "tests" / kind

    def group_of(self, file_name: str, test_name: str) -> Group | None:
        for group in self.groups:
            if group.matches(file_name, test_name):
                return group
        return None


def _require(table: dict, key: str, kind: type, where: Path):
    if key not in table:
        raise ManifestError(f"{where}: missing '{key}'")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ManifestError(f"{where}: '{key}' must be a {kind.__name__}, got {value!r}")
    return value


def load_step(folder: Path) -> Step:
    """Read ``folder/assignment.toml`` into a :class:`Step`."""
    path = folder / "assignment.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = []
    for raw in _require(data, "groups", list, path):
        points = _require(raw, "points", int, path)
        if points <= 0:
            raise ManifestError(f"{path}: group {raw.get('name')!r} needs a positive whole number of points")
        groups.append(Group(_require(raw, "name", str, path), points, tuple(_require(raw, "tests", list, path))))
    forbidden = data.get("forbidden", {})
    step = Step(
        id=_require(data, "id", str, path),
        title=_require(data, "title", str, path),
        folder=folder,
        files=tuple(_require(data, "files", list, path)),
        api=tuple(_require(data, "api", list, path)),
        groups=tuple(groups),
        limits=Limits(**data.get("limits", {})),
        forbidden=tuple(forbidden.get("everywhere", ())),
        forbidden_inside={k: tuple(v) for k, v in forbidden.get("inside", {}).items()},
    )
    if step.id != folder.name:
        raise ManifestError(f"{path}: id {step.id!r} must equal the folder name {folder.name!r}")
    if len(step.files) != 1 or not step.files[0].endswith(".py"):
        raise ManifestError(f"{path}: 'files' must list exactly one .py module")
    return step


def load_course(root: Path = ROOT) -> list[Step]:
    """Every step under ``root/assignments``, in teaching order."""
    folders = sorted(p.parent for p in (root / "assignments").glob("*/assignment.toml"))
    return [load_step(folder) for folder in folders]


def find_step(steps: list[Step], key: str) -> Step:
    """Look a step up by id (``01_self_attention``), number (``01``, ``1``) or module name."""
    for step in steps:
        if key in (step.id, step.number, step.module) or key.isdigit() and int(key) == int(step.number):
            return step
    known = ", ".join(s.id for s in steps)
    raise KeyError(f"no step {key!r}; the steps are: {known}")


def select_steps(steps: list[Step], keys: str | None) -> list[Step]:
    """``"01,03"`` -> those steps, ``None`` -> all of them."""
    if not keys:
        return list(steps)
    return [find_step(steps, key.strip()) for key in keys.split(",") if key.strip()]


def module_owners(steps: list[Step]) -> dict[str, Step]:
    """Flat module name -> the step that owns it."""
    return {step.module: step for step in steps}
