"""No flaky test (SPEC §8): every step's public and hidden suites on the reference, N times
in a row, each run in a different seeded order of the tests (so a test that leans on
another's state or on the global RNG left behind by an earlier one shows up too).

    python -m bench.flaky [--runs 20]

Each run is a plain ``pytest assignments --impl reference`` in a process of its own,
with this module loaded as a plugin to shuffle the collected tests.
"""
from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time

from grader import course

RUN = ["-m", "pytest", "assignments", "--impl", "reference", "-q", "-p", "no:cacheprovider", "--tb=line",
       "-p", "bench.flaky"]


def pytest_addoption(parser):
    parser.addoption("--shuffle-seed", type=int, default=None, help="run the tests in this seeded random order")


def pytest_collection_modifyitems(config, items):
    seed = config.getoption("--shuffle-seed")
    if seed is not None:
        random.Random(seed).shuffle(items)


def run_once(seed: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *RUN, "--shuffle-seed", str(seed)], cwd=course.ROOT, capture_output=True,
                          text=True, timeout=600)


def summary_line(output: str) -> str:
    """The last non-empty line of a `pytest -q` run's output: its summary ("" if none)."""
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def summary(run: subprocess.CompletedProcess) -> str:
    return summary_line(run.stdout) or f"no output (exit {run.returncode})"


def clean(run: subprocess.CompletedProcess) -> bool:
    """Every test passed: none failed, errored or was skipped."""
    return run.returncode == 0 and bool(re.fullmatch(r"=* ?\d+ passed in [\d.]+s( \([\d:]+\))? ?=*", summary(run).strip()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    bad = 0
    start = time.monotonic()
    for seed in range(args.runs):
        run = run_once(seed)
        bad += not clean(run)
        print(f"run {seed + 1:2d} (order seed {seed}): {summary(run)}", flush=True)
        if not clean(run):
            print("\n".join(line for line in run.stdout.splitlines() if "Error" in line or "FAILED" in line)[:4000])
    print(f"{args.runs} runs in {time.monotonic() - start:.0f} s: {'no failure' if not bad else f'{bad} run(s) failed'}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
