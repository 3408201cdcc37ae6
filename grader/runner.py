"""Runs steps' test suites in a judge process, under limits.

A judge is forked from a server that has already imported torch, pytest and the suites
(``grader.forkserver``); it runs one or more steps' suites, each step's student code in
sandboxes of its own (``grader.sandbox``), or — without sandboxes — one step imported
into the judge itself. The judge gets a memory limit, a cap on the files it writes, its
own process group and working directory. Outcomes come back as JSON lines, so what
finished before a crash or a kill keeps its result; the parent watches the lines and
kills the judge when a test overruns its hard limit or a step its wall-clock time,
then carries on with the tests not yet run.
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


def suites_of(jobs: list[StepJob]) -> list[str]:
    return [str(job.step.suite(kind)) for job in jobs for kind in job.suites if job.step.suite(kind).is_dir()]


def pytest_args(jobs: list[StepJob], config_path: Path) -> list[str]:
    return [*suites_of(jobs), *judge_options(), "--grader-config", str(config_path)]


def judge_options() -> list[str]:
    """How a judge runs pytest (the suites and the run's config file aside)."""
    return [
        "-c", str(Path(__file__).with_name("grading.ini")),
        "--rootdir", str(course.ROOT),
        "--import-mode=importlib",
        "--noconftest",
        "--assert=plain",  # the suites report through CheckFailure, not assert rewriting
        "--tb=line",  # the plugin writes the feedback; full tracebacks cost ~0.2 s per failing test
        "--capture=no",  # nothing to capture: the report carries the feedback, prints go to the log
        "-p", "no:cacheprovider",
        "-p", "no:unraisableexception",  # its final gc.collect() costs ~0.4 s per run
        "-p", "no:faulthandler",  # it would keep the judge server's stderr (the user's terminal)
        # plugins a judge never uses, each a hook call or two per test (~3 % of a batch):
        "-p", "no:logging", "-p", "no:warnings", "-p", "no:threadexception", "-p", "no:legacypath",
        "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise",
        "-p", "pytest_timeout",  # third-party plugins are not auto-loaded (see child_main)
        "-p", "grader.plugin",
        "-q", "-o", "console_output_style=classic",
    ]


def _core(cpu: int | None) -> int | None:
    """A valid core number for ``cpu`` on this machine (None: no pinning)."""
    if cpu is None or not hasattr(os, "sched_getaffinity"):
        return None
    cores = sorted(os.sched_getaffinity(0))
    return cores[cpu % len(cores)] if len(cores) > 1 else None


def pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            pass


def child_main(request: dict) -> None:
    """Body of a child process: limits, then pytest, then a hard exit. Never returns."""
    os.setsid()  # own process group: the parent can kill everything it spawns
    pin(request.get("cpu"))
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
    from grader import judge_session

    code = judge_session.run(request)  # the tests the judge server collected, if it has them
    if code is None:
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


def _step_id(nodeid: str) -> str:
    """'assignments/01_self_attention/tests/...::test_x' -> '01_self_attention'."""
    parts = nodeid.replace("\\", "/").split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "assignments" else ""


class _Clock:
    """Time used so far by each step of a judge: finished tests plus the running one."""

    def __init__(self, report: Report):
        self.report = report

    def used(self, step_id: str) -> float:
        finished = sum(r.get("duration", 0.0) for n, r in self.report.tests.items() if _step_id(n) == step_id)
        if self.report.running is not None and _step_id(self.report.running) == step_id:
            finished += time.monotonic() - self.report.running_since
        return finished


def _supervise(child: forkserver.Child, report: Report, jobs: dict[str, StepJob], deadline: float) -> tuple[str, str]:
    """Wait for the child. Returns (what ended it, the step concerned): "finished";
    "test" (the running test overran its hard limit: a long C++ op that pytest-timeout
    cannot stop, say); "step" (a step used up its wall-clock time); "deadline"."""
    clock = _Clock(report)
    while True:
        if child.wait(min(POLL, max(0.0, deadline - time.monotonic()))):
            return "finished", ""
        report.update()
        if time.monotonic() >= deadline:
            return "deadline", _step_id(report.running or "")
        if report.running is None:
            continue
        step_id = _step_id(report.running)
        job = jobs.get(step_id)
        if job is None:
            continue
        limits = job.step.limits
        if time.monotonic() - report.running_since > HARD_TEST_FACTOR * limits.test_timeout + HARD_TEST_GRACE:
            return "test", step_id
        if clock.used(step_id) > limits.wall_clock:
            return "step", step_id


def _config(jobs: list[StepJob], report: Path, sandbox_logs: Path) -> dict:
    first = jobs[0]
    return {
        "steps": [job.step.id for job in jobs],
        "paths": {name: str(path) for name, path in first.paths.items()},  # in-process runs: one step per judge
        "student_files": {job.step.id: str(job.student_file) for job in jobs},
        "reference_dir": str(first.reference_dir) if first.reference_dir else None,
        "report": str(report),
        "test_timeouts": {job.step.id: job.step.limits.test_timeout for job in jobs},
        "sandboxes": {job.step.id: job.sandbox_request(sandbox_logs / f"{job.step.id}.log")
                      for job in jobs if job.sandbox},
    }


def run_together(jobs: list[StepJob], cpu: int | None = None) -> list[StepRun]:
    """Run several steps' suites in one judge process (each step's student code in its own
    sandboxes), under each step's limits. If the judge dies or is killed during a test,
    that test fails and a fresh judge carries on with the tests not yet run."""
    if len(jobs) > 1 and not all(job.sandbox for job in jobs) and any(j.paths != jobs[0].paths for j in jobs):
        raise ValueError("steps share a judge only when their student code runs in sandboxes, or imports the same files")
    by_id = {job.step.id: job for job in jobs}
    memory = max(job.step.limits.memory_mb for job in jobs)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        tmp = Path(tmp)
        (tmp / "work").mkdir()
        (tmp / "sandbox").mkdir()
        report, log, config = Report(tmp / "report.jsonl"), tmp / "output.log", tmp / "run.json"
        settings = _config(jobs, report.path, tmp / "sandbox")
        for request in settings["sandboxes"].values():
            request["cpu"] = cpu  # a judge and its sandboxes share a core: their ping-pong stays on it
        config.write_text(json.dumps(settings), encoding="utf-8")
        start = time.monotonic()
        deadline = start + sum(job.step.limits.wall_clock for job in jobs)
        status = {job.step.id: ("ok", "") for job in jobs}
        stopped: set[str] = set()  # steps whose remaining tests are not run
        for _ in range(1 + MAX_RESTARTS):
            skip = set(report.tests) | {n for n in report.collected if _step_id(n) in stopped}
            args = pytest_args(jobs, config) + [f"--deselect={nodeid}" for nodeid in sorted(skip)]
            child = forkserver.start({"args": args, "workdir": str(tmp / "work"), "log": str(log),
                                      "memory_mb": memory, "cpu": cpu, "config": str(config),
                                      "suites": suites_of(jobs) if jobs[0].sandbox else [],
                                      "deselect": sorted(skip)}, with_sandboxes=jobs[0].sandbox)
            ended, step_id = _supervise(child, report, by_id, deadline)
            child.kill_group()  # also whatever the child left running
            child.close()
            report.update()
            running = report.running
            if report.complete or running is None and ended == "finished":
                break  # done, or the process died outside any test: nothing to skip
            if ended in ("step", "deadline"):
                for name in [step_id] if ended == "step" else list(by_id):
                    if name in by_id and name not in stopped:
                        wall = by_id[name].step.limits.wall_clock
                        status[name] = ("timeout", f"the step's tests did not finish within {wall:g} s")
                        stopped.add(name)
                if running is not None:
                    report.fail(running, "stopped: still running when the step's time ran out")
                if ended == "deadline":
                    break
                continue
            if running is None:
                break
            limits = by_id[_step_id(running)].step.limits if _step_id(running) in by_id else jobs[0].step.limits
            if ended == "test":
                hard = HARD_TEST_FACTOR * limits.test_timeout + HARD_TEST_GRACE
                status[_step_id(running)] = ("timeout", "a test ran far past its time limit and was stopped")
                report.fail(running, f"stopped after {hard:g} s: an endless loop, or far too much work "
                                     f"(the limit is {limits.test_timeout:g} s per test)")
            else:
                status[_step_id(running)] = ("crashed", "the test process died during a test")
                report.fail(running, "the test process died during this test "
                                     "(os._exit or sys.exit in your code, a crash in native code, or out of memory)")
        seconds = time.monotonic() - start
        runs = []
        for job in jobs:
            collected = [n for n in report.collected if _step_id(n) == job.step.id]
            tests = {n: r for n, r in report.tests.items() if _step_id(n) == job.step.id}
            missing = [n for n in collected if n not in tests]
            step_status, detail = status[job.step.id]
            if not collected and not tests:
                step_status, detail = "crashed", "the test process stopped before running any test (out of memory?)"
            sandbox_log = tmp / "sandbox" / f"{job.step.id}.log"
            output = _tail(log) + (f"\n--- student code (sandbox) output ---\n{_tail(sandbox_log)}"
                                   if sandbox_log.exists() else "")
            used = sum(r.get("duration", 0.0) for r in tests.values())
            runs.append(StepRun(job.step, step_status, tests, missing, detail, used if len(jobs) > 1 else seconds, output))
        return runs


def run_step(job: StepJob, cpu: int | None = None) -> StepRun:
    """One step's suites in a judge of its own."""
    return run_together([job], cpu)[0]


def run_steps(jobs: list[StepJob], parallel: int = 1, cpu: int | None = None) -> list[StepRun]:
    """Run jobs, results in job order. Sandboxed steps share judges (``parallel`` of them,
    one torch import-free fork each); in-process steps get a judge each. With one judge at
    a time, ``cpu`` pins it (and its sandboxes) to that core."""
    if not jobs:
        return []
    forkserver.warm(sandboxes=any(job.sandbox for job in jobs))  # not one after the other, on first use
    cpus = [cpu] if parallel <= 1 else list(range(parallel))
    if all(job.sandbox for job in jobs):
        groups = [jobs[i::max(1, parallel)] for i in range(min(max(1, parallel), len(jobs)))]
        tasks = [lambda i=i, group=group: run_together(group, _core(cpus[i % len(cpus)])) for i, group in enumerate(groups)]
    else:
        tasks = [lambda job=job: [run_step(job, _core(cpu))] for job in jobs]
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        results = [run for runs in pool.map(lambda task: task(), tasks) for run in runs]
    order = {job.step.id: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda run: order[run.step.id])
