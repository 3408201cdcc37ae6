"""Benchmark (issue #6): grade the same generated class with `python -m grader batch --jobs 2`
and with a naive loop that runs `pytest` once per submission, and print the ratio.

    python -m bench.batch_vs_naive [--count 40]

The naive loop is what an instructor would write without this grader: for each student,
put their files into a copy of the course and run the whole suite with pytest (one
process, one torch import, every step's public and hidden tests, no sandbox).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import flaky, submissions
from grader import batch, course, submission


NAIVE_PYTEST = ["-m", "pytest", "assignments", "-q", "-p", "no:cacheprovider", "--tb=no"]
_OUTCOME = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")


def naive_checkout(work: Path) -> Path:
    """A copy of the course as an instructor would grade in: every step with its public and
    hidden suites, without the repository's own tests and tools (top-level tests/, bench/)."""
    def ignore(folder, names):
        top = Path(folder).resolve() == course.ROOT.resolve()
        return [n for n in names if n in (".git", "__pycache__") or (top and n in ("tests", "bench"))]

    checkout = work / "course"
    shutil.copytree(course.ROOT, checkout, ignore=ignore)
    return checkout


def outcomes(pytest_output: str) -> int:
    """How many tests a `pytest -q` run reports a result for (from its last summary line)."""
    return sum(int(n) for n, _ in _OUTCOME.findall(flaky.summary_line(pytest_output)))


def naive_loop(folder: Path, work: Path) -> tuple[float, list[str]]:
    """Seconds for the whole loop, and the runs that did not report every test."""
    steps = course.load_course()
    checkout = naive_checkout(work)
    listing = subprocess.run([sys.executable, *NAIVE_PYTEST, "--collect-only"], cwd=checkout, capture_output=True,
                             text=True, timeout=600)
    expected = sum(1 for line in listing.stdout.splitlines() if "::" in line)
    problems = [] if expected else ["the naive loop's checkout has no tests to run"]
    start = time.monotonic()
    for sub in batch.discover(folder):
        root = sub.path
        if sub.path.suffix == ".zip":
            root = submission.extract_zip(sub.path, work / sub.name, steps)
        for step in steps:  # the student's files into the course copy (the stub where one is missing)
            target = checkout / "assignments" / step.id / step.files[0]
            found = submission.locate(root, step)
            shutil.copyfile(found if found else step.folder / step.files[0], target)
        run = subprocess.run([sys.executable, *NAIVE_PYTEST], cwd=checkout, capture_output=True, text=True,
                             timeout=600)
        if outcomes(run.stdout) != expected:  # it must do the same work as the batch: every test
            problems.append(f"{sub.name}: the naive pytest run reported {outcomes(run.stdout)} of {expected} tests")
    return time.monotonic() - start, problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        folder, out = tmp / "class", tmp / "out"
        folder.mkdir()
        expected = submissions.generate(folder, args.count, unique=True)  # no two files alike: no shortcut
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out), "--jobs",
                        str(args.jobs)], cwd=course.ROOT, check=True, capture_output=True)
        batched = time.monotonic() - start
        records = batch.load_records(out)
        problems = submissions.mismatches(records, expected)
        naive, naive_problems = naive_loop(folder, tmp)
        seconds = [r["seconds"] for r in records]
        overhead = [r["seconds"] - r["test_seconds"] for r in records]
    print(f"{args.count} submissions")
    print(f"  batch --jobs {args.jobs}: {batched:6.1f} s  ({batched / args.count:.2f} s per submission)")
    print(f"  naive pytest loop : {naive:6.1f} s  ({naive / args.count:.2f} s per submission)")
    print(f"  ratio             : {naive / batched:6.2f}x")
    print(f"  grading one submission (steps in sequence): mean {sum(seconds) / len(seconds):.2f} s, of which "
          f"grader overhead beyond the tests' own time: mean {sum(overhead) / len(overhead):.2f} s, "
          f"max {max(overhead):.2f} s")
    print(f"  gradebook check   : {'all grades as expected' if not problems else problems}")
    print(f"  naive loop check  : {'every run reported every test' if not naive_problems else naive_problems}")
    return 0 if not problems and not naive_problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
