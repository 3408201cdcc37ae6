"""Runs one step's test suites in a child process, under limits.

Each step gets its own process, forked from a server that has already imported torch
and pytest (see ``grader.forkserver``).
The child gets a memory limit (RLIMIT_AS), a cap on the size of files it writes, its
own process group and working directory; the parent kills the whole group when the
wall-clock limit passes. Outcomes come back through a JSON-lines report, so the tests
that finished before a crash or a kill keep their result.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grader import course, forkserver

OUTPUT_CAP = 8 * 1024 * 1024  # bytes any file written by the child may reach (its log included)
LOG_TAIL = 4000  # characters of the child's output kept for diagnostics
MAX_RESTARTS = 10  # fresh children after a test killed its process
POLL = 0.1  # seconds between looks at a running child's report
HARD_TEST_FACTOR, HARD_TEST_GRACE = 2, 1.0  # a test is killed after 2 x its timeout + 1 s


@dataclass
class StepJob:
    """What one child process needs: all paths, nothing else."""

    step: course.Step
    paths: dict[str, Path]  # flat module name -> file
    student_file: Path  # the file under test
    reference_dir: Path | None
    suites: tuple[str, ...] = ("public", "hidden")
    sandbox: bool = True  # run student code in sandboxes (False: in the test process itself)
    student_modules: tuple[str, ...] = ()  # flat names whose files are the student's (default: the step's)
    hide: tuple[str, ...] = ()  # more paths a sandbox must not see (the submissions folder, say)

    def sandbox_request(self, log: Path) -> dict:
        """How the judge's zygote starts a sandbox for this step (see grader.sandbox)."""
        owners = {step.module: step for step in course.load_course()}
        student = self.student_modules or (self.step.module,)
        return {
            "modules": {name: [f"/{'submission' if name in student else 'course'}/{Path(path).name}", str(path)]
                        for name, path in self.paths.items()},
            "student_modules": list(student),
            "forbidden": {name: {"everywhere": list(owners[name].forbidden),
                                 "inside": {k: list(v) for k, v in owners[name].forbidden_inside.items()}}
                          for name in student if name in owners},
            "log": str(log),
            "course_root": str(course.ROOT),
            "hide": [str(p) for p in self.hide],
            "memory_mb": self.step.limits.memory_mb,
            "output_cap": OUTPUT_CAP,
            "cpu_seconds": int(2 * self.step.limits.wall_clock) + 5,
        }


@dataclass
class StepRun:
    step: course.Step
    status: str  # "ok", "timeout", "crashed"
    tests: dict[str, dict] = field(default_factory=dict)  # nodeid -> outcome record
    missing: list[str] = field(default_factory=list)  # collected but never finished
    detail: str = ""  # why the run did not finish normally
    seconds: float = 0.0
    log_tail: str = ""


def pytest_args(job: StepJob, config_path: Path) -> list[str]:
    suites = [str(job.step.suite(kind)) for kind in job.suites if job.step.suite(kind).is_dir()]
    return [
        *suites,
        "-c", str(Path(__file__).with_name("grading.ini")),
        "--rootdir", str(course.ROOT),
        "--import-mode=importlib",
        "--noconftest",
        "--assert=plain",  # the suites report through CheckFailure, not assert rewriting
        "--tb=line",  # the plugin writes the feedback; full tracebacks cost ~0.2 s per failing test
        "-p", "no:cacheprovider",
        "-p", "no:unraisableexception",  # its final gc.collect() costs ~0.4 s per run
        "-p", "pytest_timeout",  # third-party plugins are not auto-loaded (see child_main)
        "-p", "grader.plugin",
        "--grader-config", str(config_path),
        "-q", "-o", "console_output_style=classic",
    ]


def child_main(request: dict) -> None:
    """Body of a child process: limits, then pytest, then a hard exit. Never returns."""
    os.setsid()  # own process group: the parent can kill everything it spawns
    try:
        import resource

        limit = request["memory_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_CAP, OUTPUT_CAP))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails instead of killing us
    except (ImportError, ValueError, OSError):
        pass
    fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # not the fork server's request pipe
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.chdir(request["workdir"])
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugins named in the arguments
    if "zygote_fd" in request:
        os.environ["GRADER_ZYGOTE_FD"] = str(request["zygote_fd"])  # where this judge gets sandboxes
    sys.dont_write_bytecode = True
    import pytest
    import torch

    torch.set_num_threads(1)
    code = pytest.main(request["args"])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


@dataclass
class Report:
    """What a JSON-lines report says so far; ``update()`` reads the lines added since."""

    path: Path
    collected: list[str] = field(default_factory=list)  # every test of the step, in run order
    tests: dict[str, dict] = field(default_factory=dict)  # finished tests
    running: str | None = None  # started, not finished: where a killed child was
    running_since: float = 0.0  # when this process first saw ``running`` start
    _offset: int = 0

    def update(self) -> "Report":
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self._offset)
                chunk = stream.read()
        except FileNotFoundError:
            return self
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a torn last line is read next time
        self._offset += len(complete)
        for line in complete.decode("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "collected" in record:
                self.collected = self.collected or list(record["collected"])  # the first run saw them all
            elif "started" in record:
                self.running, self.running_since = record["started"], time.monotonic()
            elif "nodeid" in record:
                self.tests[record["nodeid"]] = record
                if self.running == record["nodeid"]:
                    self.running = None
        return self

    def fail(self, nodeid: str, message: str) -> None:
        """Record ``nodeid`` as failed, in memory and in the file (for the next attempt)."""
        record = {"nodeid": nodeid, "outcome": "failed", "message": message, "duration": 0.0}
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")
        self.update()

    @property
    def complete(self) -> bool:
        return bool(self.collected) and all(nodeid in self.tests for nodeid in self.collected)


def read_report(path: Path) -> Report:
    return Report(Path(path)).update()


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            stream.seek(max(0, stream.tell() - LOG_TAIL))
            return stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _supervise(child: forkserver.Child, report: Report, deadline: float, test_limit: float) -> str:
    """Wait for the child: "finished", "deadline" (the step's time ran out) or "test"
    (one test overran its hard limit, e.g. a long C++ op that pytest-timeout cannot stop)."""
    while True:
        if child.wait(min(POLL, max(0.0, deadline - time.monotonic()))):
            return "finished"
        report.update()
        now = time.monotonic()
        if now >= deadline:
            return "deadline"
        if report.running is not None and now - report.running_since > test_limit:
            return "test"


def run_step(job: StepJob) -> StepRun:
    """Run the step's suites under limits. If the child dies or is killed during a test,
    that test fails and a fresh child carries on with the tests not yet run."""
    limits = job.step.limits
    test_limit = HARD_TEST_FACTOR * limits.test_timeout + HARD_TEST_GRACE
    with tempfile.TemporaryDirectory(prefix=f"grade-{job.step.number}-") as tmp:
        tmp = Path(tmp)
        workdir = tmp / "work"
        workdir.mkdir()
        report, log, config = Report(tmp / "report.jsonl"), tmp / "output.log", tmp / "run.json"
        config.write_text(json.dumps({
            "step": job.step.id,
            "paths": {name: str(path) for name, path in job.paths.items()},
            "student_files": {job.step.id: str(job.student_file)},
            "reference_dir": str(job.reference_dir) if job.reference_dir else None,
            "report": str(report.path),
            "test_timeout": limits.test_timeout,
            "sandbox": job.sandbox_request(tmp / "sandbox.log") if job.sandbox else None,
        }), encoding="utf-8")
        start = time.monotonic()
        deadline = start + limits.wall_clock
        status, detail = "ok", ""
        for _ in range(1 + MAX_RESTARTS):
            args = pytest_args(job, config) + [f"--deselect={nodeid}" for nodeid in report.tests]
            child = forkserver.SERVER.start({"args": args, "workdir": str(workdir), "log": str(log),
                                             "memory_mb": limits.memory_mb, "with_zygote": job.sandbox})
            ended = _supervise(child, report, deadline, test_limit)
            child.kill_group()  # also whatever the child left running
            child.close()
            report.update()
            if report.complete or report.running is None:
                break  # done, or died outside any test: nothing to skip
            if ended == "deadline":
                status, detail = "timeout", f"the step's tests did not finish within {limits.wall_clock:g} s"
                report.fail(report.running, f"stopped: still running when the step's {limits.wall_clock:g} s ran out")
                break
            if ended == "test":
                status, detail = "timeout", "a test ran far past its time limit and was stopped"
                report.fail(report.running, f"stopped after {test_limit:g} s: an endless loop, or far too much work "
                                            f"(the limit is {limits.test_timeout:g} s per test)")
            else:
                status, detail = "crashed", "the test process died during a test"
                report.fail(report.running, "the test process died during this test "
                                            "(os._exit or sys.exit in your code, a crash in native code, or out of memory)")
        missing = [nodeid for nodeid in report.collected if nodeid not in report.tests]
        if not report.collected and not report.tests:
            status, detail = "crashed", "the test process stopped before running any test (out of memory, or a crash?)"
        output = _tail(log) + ("\n--- student code (sandbox) output ---\n" + _tail(tmp / "sandbox.log")
                               if (tmp / "sandbox.log").exists() else "")
        return StepRun(job.step, status, report.tests, missing, detail or "", time.monotonic() - start, output)


def run_steps(jobs: list[StepJob], parallel: int = 1) -> list[StepRun]:
    """Run jobs with up to ``parallel`` children at a time; results in job order."""
    if parallel <= 1 or len(jobs) <= 1:
        return [run_step(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(run_step, jobs))
