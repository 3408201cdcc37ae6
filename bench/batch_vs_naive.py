"""Benchmark (issue #6): grade the same generated class with `python -m grader batch --jobs 2`
and with a naive loop that runs `pytest` once per submission, and print the ratio.

    python -m bench.batch_vs_naive [--count 40]

The naive loop is what an instructor would write without this grader: for each student,
put their files into a copy of the course and run the whole suite with pytest (one
process, one torch import, every step's public and hidden tests, no sandbox).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import submissions
from grader import batch, course, submission


def naive_loop(folder: Path, work: Path) -> float:
    steps = course.load_course()
    checkout = work / "course"
    shutil.copytree(course.ROOT, checkout, ignore=shutil.ignore_patterns(".git", "__pycache__", "tests", "bench"))
    start = time.monotonic()
    for sub in batch.discover(folder):
        root = sub.path
        if sub.path.suffix == ".zip":
            root = submission.extract_zip(sub.path, work / sub.name, steps)
        for step in steps:  # the student's files into the course copy (the stub where one is missing)
            target = checkout / "assignments" / step.id / step.files[0]
            found = submission.locate(root, step)
            shutil.copyfile(found if found else step.folder / step.files[0], target)
        subprocess.run([sys.executable, "-m", "pytest", "assignments", "-q", "-p", "no:cacheprovider",
                        "--tb=no"], cwd=checkout, capture_output=True, timeout=600)
    return time.monotonic() - start


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
        naive = naive_loop(folder, tmp)
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
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
