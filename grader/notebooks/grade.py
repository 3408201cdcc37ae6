"""Grading notebook submissions: ``otter run`` (no Docker), folded into the course's scores.

A student notebook made by ``python -m grader notebooks --build`` carries its step in
its metadata (otter's ``assignment_name``). It is graded with that step's autograder
zip, in a child process (``otter.api.grade_submission``, what ``otter run`` calls) under
the step's memory limit and a wall-clock limit. The result maps back onto the step's
groups exactly: question ``qK`` is the K-th group of ``assignment.toml`` and its K-th
question's test cases are the group's checks, public and hidden, in the order the
master notebook lists them. Each group then scores ``floor(points × passed / total)``
like a module submission, so notebooks and modules share one results.json format and
one gradebook.

Student code in a notebook runs in the Jupyter kernel that otter starts, without the
sandbox that module submissions get (otter-grader's design; on Gradescope the
container is the sandbox). Grade untrusted notebooks in a throwaway container or account.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import course, grading, scoring
from grader.notebooks import build as otter_build
from grader.notebooks import plan as notebook_plan
from grader.notebooks import submissions

STARTUP_SECONDS = 60  # a kernel, torch and otter start before the first test runs


# ---------------------------------------------------------------- running otter


def _limit_memory(pid: int, memory_mb: int) -> None:
    """RLIMIT_AS for the child (and so for the kernel it starts), where the system has prlimit."""
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except (ImportError, AttributeError, ValueError, OSError):
        pass


def run_otter(notebooks: list[Path], autograder: Path, step: course.Step) -> list[dict]:
    """Grade notebooks of ``step`` with otter, one after the other in one child process
    (otter is imported once); returns one JSON report per notebook."""
    limit = len(notebooks) * (step.limits.wall_clock + STARTUP_SECONDS)
    with tempfile.TemporaryDirectory(prefix="otter-run-") as tmp:
        reports = [Path(tmp) / f"report-{i}.json" for i in range(len(notebooks))]
        command = [sys.executable, "-m", "grader.notebooks.grade", str(autograder),
                   *(f"{notebook}={report}" for notebook, report in zip(notebooks, reports))]
        path = os.pathsep.join(filter(None, [str(course.ROOT), os.environ.get("PYTHONPATH")]))
        child = subprocess.Popen(command, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 start_new_session=True, env={**os.environ, "PYTHONPATH": path})
        _limit_memory(child.pid, step.limits.memory_mb)
        try:
            _, errors = child.communicate(timeout=limit)
            failure = {"error": "otter could not grade the notebook: " + (
                errors.decode("utf-8", errors="replace")[-600:].strip() or "its process died"), "status": "crashed"}
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            failure = {"error": f"the notebook did not finish within {limit:g} s (an endless loop in a cell?)",
                       "status": "timeout"}
        return [json.loads(r.read_text(encoding="utf-8")) if r.exists() else failure for r in reports]


def child_main(autograder: str, *jobs: str) -> None:
    """Inside the child: ``otter run`` on each ``NOTEBOOK=REPORT``, then a plain-data report
    of every test case, written as soon as that notebook is graded."""
    from otter.api import grade_submission

    for job in jobs:
        notebook, report = job.rsplit("=", 1)
        try:
            results = grade_submission(notebook, autograder, quiet=True)
            data = {"questions": {name: [{"passed": bool(r.passed), "message": str(r.message)}
                                         for r in test_file.test_case_results]
                                  for name, test_file in results.results.items()}}
            if results.catastrophic_error is not None:
                data = {"error": f"the notebook could not be graded: {results.catastrophic_error}", "status": "crashed"}
        except Exception as error:  # noqa: BLE001 - otter's refusal (wrong assignment, no notebook, ...)
            data = {"error": f"otter could not grade the notebook: {type(error).__name__}: {error}", "status": "crashed"}
        Path(report).write_text(json.dumps(data), encoding="utf-8")


# ---------------------------------------------------------------- from otter's results to points


def _message(text: str) -> str:
    """Otter's failure text without its own header: the check's feedback."""
    marker = "CheckFailure: "
    return text.split(marker, 1)[1].strip() if marker in text else text.replace("❌ Test case failed", "").strip()


def step_score(step: course.Step, report: dict, seconds: float) -> scoring.StepScore:
    plan = notebook_plan.module_plan(notebook_plan.reference_source(step), step.files[0])
    questions = notebook_plan.questions(step, plan)
    groups = []
    for question in questions:
        group = scoring.GroupScore(question.group)
        cases = (report.get("questions") or {}).get(question.name)
        if "error" in report:
            group.note = report["error"]
        elif cases is None or len(cases) != len(question.checks):
            group.note = (f"the autograder's question {question.name} does not match this course's tests "
                          "(rebuild it: python -m grader notebooks --build OUT)")
        else:
            for check_id, case in zip(question.checks, cases):
                suite, name = check_id.split("/", 1)[0], check_id.split("::", 1)[1]
                group.outcomes.append(scoring.Outcome(f"assignments/{step.id}/tests/{check_id}", suite, name,
                                                      case["passed"], "" if case["passed"] else _message(case["message"])))
        groups.append(group)
    status = report.get("status", "ok") if "error" in report else "ok"
    return scoring.StepScore(step, groups, status, report.get("error", ""), seconds)


def grade_notebook(notebook: Path, step: course.Step, cache: Path) -> scoring.StepScore:
    start = time.monotonic()
    autograder = otter_build.autograder_zip(step, cache)
    report = run_otter([Path(notebook).resolve()], autograder, step)[0]
    return step_score(step, report, time.monotonic() - start)


def grade(notebooks: dict[str, Path], steps: list[course.Step], cache: Path) -> grading.Grade:
    """Grade a submission made of notebooks (step id -> notebook); a step without one scores 0."""
    start = time.monotonic()
    scores = []
    for step in steps:
        if step.id in notebooks:
            scores.append(grade_notebook(notebooks[step.id], step, cache))
        else:
            detail = f"no notebook for {step.id} in the submission (expected {step.id}.ipynb)"
            scores.append(scoring.missing_file(step, ("public", "hidden"), detail))
    return grading.Grade(scores, time.monotonic() - start)


def default_cache() -> Path:
    """Where autograder zips built for grading are kept (one per step and version of its sources)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "transformers-course" / "autograders"


def grade_path(path: Path, steps: list[course.Step], selected: list[course.Step] | None = None,
               cache: Path | None = None) -> grading.Grade:
    """Grade a notebook (its own step), or a folder or zip of notebooks (every selected step)."""
    with tempfile.TemporaryDirectory(prefix="notebooks-") as tmp:
        notebooks = submissions.notebooks_in(Path(path), steps, Path(tmp))
        if Path(path).suffix == ".ipynb":
            selected = [s for s in steps if s.id in notebooks]
        return grade(notebooks, selected or steps, cache or default_cache())


if __name__ == "__main__":
    child_main(*sys.argv[1:])
