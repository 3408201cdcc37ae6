"""Grading one submission: a private copy of its files, judges and sandboxes, scores."""
from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import course, modules, runner, scoring, submission


@dataclass
class Grade:
    steps: list[scoring.StepScore]
    seconds: float

    @property
    def score(self) -> int:
        return sum(s.score for s in self.steps)

    @property
    def max_score(self) -> int:
        return sum(s.max_score for s in self.steps)

    @property
    def test_seconds(self) -> float:
        """The tests' own time; ``seconds`` minus this is the grader's overhead."""
        return sum(s.test_seconds for s in self.steps)


@dataclass
class StepCache:
    """Results of steps already graded in this run, by what decided them: in a class, many
    files are byte-identical (untouched stubs above all), and their grade is too — every
    test is deterministic. Only runs that finished normally are kept."""

    results: dict[str, scoring.StepScore] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def key(step: course.Step, files: list[Path], suites, isolated: bool, sandbox: bool) -> str:
        digest = hashlib.sha256(repr((step.id, tuple(suites), isolated, sandbox)).encode())
        for path in files:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def get(self, key: str) -> scoring.StepScore | None:
        with self.lock:
            return self.results.get(key)

    def put(self, key: str, result: scoring.StepScore) -> None:
        if result.status == "ok":
            with self.lock:
                self.results[key] = result


def grade(
    root: Path,
    steps: list[course.Step] | None = None,
    public_only: bool = False,
    isolation: bool = True,
    parallel: int = 2,
    all_steps: list[course.Step] | None = None,
    reference_dir: Path | None = course.ROOT / "reference",
    hide: list[Path] = (),
    sandbox: bool = True,
    cpu: int | None = None,
    cache: StepCache | None = None,
) -> Grade:
    """Grade the submission in ``root`` on ``steps`` (default: all).

    Student code runs in sandboxes that cannot see ``root``, the course repository, the
    temporary directory or any path in ``hide``; ``sandbox=False`` runs it in the test
    process instead (faster to debug, no protection). With a ``cache``, a step whose files
    were graded before in the same way is not graded again.
    """
    all_steps = all_steps or course.load_course()
    steps = steps or all_steps
    suites = ("public",) if public_only else ("public", "hidden")
    reference_dir = reference_dir if reference_dir and Path(reference_dir).is_dir() else None
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="submission-") as tmp:
        copies = submission.private_copy(Path(root), all_steps, Path(tmp))
        jobs, scores, keys = [], {}, {}
        isolated = isolation and reference_dir is not None
        for step in steps:
            if step.id not in copies:
                scores[step.id] = scoring.missing_file(step, suites, submission.missing_reason(Path(root), step))
                continue
            files = [copies[step.id]] if isolated else [copies[s.id] for s in all_steps if s.id in copies]
            keys[step.id] = StepCache.key(step, files, suites, isolated, sandbox) if cache else None
            cached = cache.get(keys[step.id]) if cache else None
            if cached is not None:
                scores[step.id] = cached
                continue
            folder = lambda s: copies[s.id].parent if s.id in copies else s.folder  # noqa: E731
            paths = modules.module_paths(all_steps, step, folder, reference_dir, isolated)
            student = (step.module,) if isolated else tuple(s.module for s in all_steps if s.id in copies)
            jobs.append(runner.StepJob(step, paths, copies[step.id], reference_dir, suites, sandbox=sandbox,
                                       student_modules=student, hide=(str(Path(root).resolve()),
                                                                      *(str(Path(h).resolve()) for h in hide))))
        for run in runner.run_steps(jobs, parallel, cpu):
            scores[run.step.id] = scoring.score_run(run, suites)
            if cache:
                cache.put(keys[run.step.id], scores[run.step.id])
    return Grade([scores[s.id] for s in steps], time.monotonic() - start)
