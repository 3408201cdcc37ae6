"""A generated class of submissions with known expected grades (for the batch test and the
benchmark): full solutions, untouched stubs, solutions with one catalogued bug, partial
work (some steps done), and a few broken ones."""
from __future__ import annotations

import random
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from grader import course
from tests.catalogue import bugs, mutated_source


@dataclass
class Expected:
    """What a submission must score: exactly ``scores[step]`` where known, otherwise
    strictly less than the step's maximum (``below``)."""

    scores: dict[str, int] = field(default_factory=dict)
    below: set[str] = field(default_factory=set)


def _write(root: Path, step: course.Step, source: str, unique: bool) -> None:
    target = root / "assignments" / step.id / step.files[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# {root.name}\n" if unique else ""  # real students' files differ at least a little
    target.write_text(header + source, encoding="utf-8")


def generate(folder: Path, count: int = 40, seed: int = 0, unique: bool = False) -> dict[str, Expected]:
    """Write ``count`` submissions into ``folder``; returns student -> expected grade.

    Many files are identical (the reference, the stubs), which batch grading notices and
    grades once; ``unique`` gives every file a comment line of its own, so nothing is."""
    rng = random.Random(seed)
    steps = course.load_course()
    reference = {s.id: (course.ROOT / "reference" / s.files[0]).read_text(encoding="utf-8") for s in steps}
    stub = {s.id: (s.folder / s.files[0]).read_text(encoding="utf-8") for s in steps}
    catalogue = bugs()
    kinds = ["full", "stub", "bug", "partial", "broken"]
    expected: dict[str, Expected] = {}
    for i in range(count):
        kind = kinds[i % len(kinds)]
        name = f"student-{i:02d}-{kind}"
        root = folder / name
        exp = Expected()
        if kind == "full":
            for s in steps:
                _write(root, s, reference[s.id], unique)
                exp.scores[s.id] = s.max_points
        elif kind == "stub":
            for s in steps:
                _write(root, s, stub[s.id], unique)
                exp.scores[s.id] = 0
        elif kind == "bug":
            bug = rng.choice(catalogue)
            for s in steps:
                buggy = course.find_step(steps, bug.step).id == s.id
                _write(root, s, mutated_source(bug, s) if buggy else reference[s.id], unique)
                if buggy:
                    exp.below.add(s.id)
                else:
                    exp.scores[s.id] = s.max_points
        elif kind == "partial":
            done = rng.randint(1, len(steps) - 1)
            for s in steps:
                _write(root, s, reference[s.id] if int(s.number) <= done else stub[s.id], unique)
                exp.scores[s.id] = s.max_points if int(s.number) <= done else 0
        else:  # broken: a syntax error in one step, one step missing, the rest done
            broken, missing = rng.sample(steps, 2)
            for s in steps:
                if s is missing:
                    continue
                _write(root, s, "def oops(:\n" if s is broken else reference[s.id], unique)
            for s in steps:
                exp.scores[s.id] = 0 if s in (broken, missing) else s.max_points
        if i % 7 == 3:  # some arrive as zip files of a repository
            archive = folder / f"{name}.zip"
            with zipfile.ZipFile(archive, "w") as zipped:
                for path in sorted(root.rglob("*.py")):
                    zipped.write(path, f"{name}-main/{path.relative_to(root).as_posix()}")
            shutil.rmtree(root)
        expected[name] = exp
    return expected


def mismatches(records: list[dict], expected: dict[str, Expected]) -> list[str]:
    """Differences between a gradebook's records and the expected grades."""
    problems = []
    by_student = {r["student"]: r for r in records}
    for student, exp in expected.items():
        record = by_student.get(student)
        if record is None:
            problems.append(f"{student}: not in the gradebook")
            continue
        for step_id, score in exp.scores.items():
            got = record["steps"].get(step_id, {}).get("score")
            if got != score:
                problems.append(f"{student}: {step_id} scored {got}, expected {score}")
        for step_id in exp.below:
            info = record["steps"].get(step_id, {})
            if info.get("score", 0) >= info.get("max_score", 0):
                problems.append(f"{student}: {step_id} scored full marks despite its bug")
    return problems
