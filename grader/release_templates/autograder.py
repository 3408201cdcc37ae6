#!/usr/bin/env python3
"""Classroom 50 autograder for Transformers from Scratch (written by `python -m grader release
--classroom50 DIR`; regenerate it rather than editing it).

Classroom 50 runs `python autograder.py` with no arguments, in the student's checkout. This
script:

1. installs the course's pinned requirements (PyTorch's CPU-only wheels) unless they are
   already importable;
2. grades the student's files with the course copy next to it (`course/`: the grader, the
   manifests and the public tests; only the students' own files are taken from the
   checkout, so editing tests or the grader there changes nothing);
3. writes ./result.json (classroom50/result/v1), ./release-body.md (the feedback) and
   `status=` / `summary=` lines to $GITHUB_OUTPUT.

It exits 0 whenever grading ran, whatever the score; non-zero only when grading itself
failed (Classroom 50 then records an error). Everything in this bundle is public, so it
grades the public tests only: the authoritative grade, with the hidden tests, is the
instructor's `python -m grader batch` over the repositories `gh teacher download` fetches.
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent
COURSE = BUNDLE / "course"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TITLE = "Transformers from Scratch: public tests"


class GradingError(Exception):
    """Grading could not run (the message says why)."""


def pinned_requirements(path: Path = COURSE / "requirements.txt") -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if "==" in line and not line.lstrip().startswith("#")]


def missing_modules(requirements: list[str]) -> list[str]:
    """Import names of the pinned packages that cannot be imported here."""
    names = [line.split("==")[0].strip().lower().replace("-", "_") for line in requirements]
    return [name for name in names if importlib.util.find_spec(name) is None]


def install_command(requirements: Path = COURSE / "requirements.txt") -> list[str]:
    return [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-r", str(requirements), "--extra-index-url", CPU_INDEX]


def ensure_requirements() -> None:
    missing = missing_modules(pinned_requirements())
    if not missing:
        print(f"autograder: requirements already installed ({sys.executable})", flush=True)
        return
    print(f"autograder: installing the pinned requirements ({', '.join(missing)} missing)", flush=True)
    if subprocess.run(install_command()).returncode != 0:
        raise GradingError(f"installing the requirements failed on Python {sys.version.split()[0]} "
                           "(the course pins its packages for Python 3.11: set the assignment's runtime to it)")


def run_grader(checkout: Path, out: Path) -> tuple[dict, str]:
    """Grade ``checkout`` with the bundled course; returns (Gradescope results, Markdown summary)."""
    results, summary = out / "results.json", out / "summary.md"
    command = [sys.executable, "-m", "grader", "grade", str(checkout), "--public-only",
               "--json", str(results), "--markdown", str(summary)]
    code = subprocess.run(command, cwd=COURSE).returncode
    if code != 0 or not results.is_file() or not summary.is_file():
        raise GradingError(f"the grader stopped with exit code {code} before writing its results")
    return json.loads(results.read_text(encoding="utf-8")), summary.read_text(encoding="utf-8")


def commit_of(checkout: Path) -> str:
    """The graded commit: Classroom 50's link to it, else the checkout's HEAD, else GITHUB_SHA."""
    if os.environ.get("COMMIT_URL"):
        return os.environ["COMMIT_URL"]
    try:
        head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=30)
        if head.returncode == 0 and head.stdout.strip():
            return head.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return os.environ.get("GITHUB_SHA", "") or "unknown"


def submission_tag() -> str:
    tag = os.environ.get("SUBMISSION_TAG", "").strip()
    if not tag:
        print("autograder: SUBMISSION_TAG is not set (a local run?): using submit/local", flush=True)
        return "submit/local"
    if not tag.startswith("submit/"):
        raise GradingError(f"SUBMISSION_TAG {tag!r} does not start with submit/")
    return tag


def result_json(results: dict, checkout: Path, tag: str) -> dict:
    """Classroom 50's result.json (classroom50/result/v1): one test per part of a step."""
    tests = [{"test-name": t["name"], "passed": t["score"] == t["max_score"], "score": int(t["score"]),
              "max-score": int(t["max_score"])} for t in results["tests"]]
    commit = commit_of(checkout)
    return {
        "schema": "classroom50/result/v1",
        "classroom": os.environ.get("CLASSROOM", ""),
        "assignment": os.environ.get("ASSIGNMENT", ""),
        "assignment_type": os.environ.get("ASSIGNMENT_TYPE", "") or "individual",
        "owner": os.environ.get("OWNER", "") or os.environ.get("USERNAME", "") or "unknown",
        "submission": tag,
        "commit": commit,
        "release": os.environ.get("RELEASE_URL", "") or tag,
        "review": os.environ.get("REVIEW_URL", "") or commit,
        "datetime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "score": sum(t["score"] for t in tests),
        "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
    }


def release_body(result: dict, summary: str) -> str:
    return (f"### {TITLE}: {result['score']}/{result['max-score']}\n\n{summary.rstrip()}\n\n"
            "These are the public tests, the ones in your repository (`python -m grader check NN` runs them). "
            "Your final grade also uses hidden tests that check the same functions more thoroughly.\n")


def status_lines(result: dict) -> str:
    status = "success" if result["score"] == result["max-score"] else "failure"
    passed = sum(t["passed"] for t in result["tests"])
    summary = (f"{TITLE}: {result['score']}/{result['max-score']} "
               f"({passed}/{len(result['tests'])} parts at full marks)")
    return f"status={status}\nsummary={summary.replace(chr(10), ' ').replace(chr(13), ' ')}\n"


def main() -> int:
    checkout = Path.cwd()
    try:
        tag = submission_tag()
        ensure_requirements()
        with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
            results, summary = run_grader(checkout, Path(tmp))
    except (GradingError, OSError, ValueError, KeyError) as error:
        print(f"autograder: grading failed: {error}", file=sys.stderr)
        return 1
    result = result_json(results, checkout, tag)
    (checkout / "result.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (checkout / "release-body.md").write_text(release_body(result, summary), encoding="utf-8")
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as output:
            output.write(status_lines(result))
    print(f"autograder: {result['score']}/{result['max-score']} written to result.json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
