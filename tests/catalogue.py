"""Loading the suite-strength catalogue (tests/catalogue/) for the repository's tests."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader import course

HERE = Path(__file__).resolve().parent / "catalogue"


@dataclass(frozen=True)
class Bug:
    id: str
    step: str
    description: str
    find: str
    replace: str


def bugs() -> list[Bug]:
    """Every bug of ``bugs/<step id>.toml``; an entry's ``step`` must name its file's step."""
    found = []
    for path in sorted((HERE / "bugs").glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["bug"]:
            bug = Bug(**entry)
            if not path.stem.startswith(bug.step):
                raise ValueError(f"{path.name}: bug {bug.id} says step {bug.step}")
            found.append(bug)
    return found


def alternatives() -> list[Path]:
    return sorted((HERE / "alternatives").glob("*/*.py"))


def mutated_source(bug: Bug, step: course.Step) -> str:
    """The reference module with the bug's edit applied (the edit must match exactly once)."""
    source = (course.ROOT / "reference" / step.files[0]).read_text(encoding="utf-8")
    count = source.count(bug.find)
    if count != 1:
        raise AssertionError(f"bug {bug.id}: `find` occurs {count} times in reference/{step.files[0]} (must be once)")
    mutated = source.replace(bug.find, bug.replace)
    if mutated == source:
        raise AssertionError(f"bug {bug.id}: the edit changes nothing")
    return mutated


def submission_with(tmp: Path, step: course.Step, source: str) -> Path:
    """A submission folder holding one student file for ``step``."""
    target = tmp / "assignments" / step.id / step.files[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    return tmp
