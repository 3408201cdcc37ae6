"""The pytest plugin behind every step's suites.

It gives tests the student's objects as fixtures named like the API (``softmax``,
``SelfAttention``, ...), the reference module of the step as ``ref`` (hidden tests) and
the stored reference outputs as ``golden`` (public tests). Where the student objects
come from is decided by the run (``grader.studentcode``): under the grader they live in
a sandbox process and the tests see stand-ins; when a student runs ``pytest`` directly,
the checkout's own files are imported.

It also turns failures into student-facing messages, applies the per-test timeout from
``assignment.toml``, enforces the from-scratch rule, and, under the grader, writes a JSON
report of every test's outcome.
"""
from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from grader import course, forbidden, modules, proxy, studentcode
from grader.golden import GOLDEN_FILE, Golden
from grader.testkit import CheckFailure

STEPS = course.load_course(course.ROOT)
_API_NAMES = sorted({name for step in STEPS for name in step.api})


@dataclass
class RunConfig:
    """Everything a grading run decides about where code comes from."""

    paths: dict[str, Path]  # flat module name -> file (when student code is imported here)
    student_files: dict[str, Path]  # step id -> the student's file under test
    reference_dir: Path | None
    report: Path | None = None
    test_timeouts: dict[str, float] | None = None  # step id -> seconds per test (default: the manifest's)
    sandboxes: dict[str, dict] | None = None  # step id -> how to start its sandboxes (grader.sandbox)

    @classmethod
    def from_json(cls, path: Path) -> "RunConfig":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            paths={k: Path(v) for k, v in data["paths"].items()},
            student_files={k: Path(v) for k, v in data["student_files"].items()},
            reference_dir=Path(data["reference_dir"]) if data.get("reference_dir") else None,
            report=Path(data["report"]) if data.get("report") else None,
            test_timeouts=data.get("test_timeouts"),
            sandboxes=data.get("sandboxes") or None,
        )

    @classmethod
    def checkout(cls, impl: str) -> "RunConfig":
        """A direct ``pytest`` run: every step's own file (or the reference's)."""
        reference_dir = course.ROOT / "reference"
        reference_dir = reference_dir if reference_dir.is_dir() else None
        if impl == "reference":
            if reference_dir is None:
                raise pytest.UsageError("--impl reference: this checkout has no reference/ folder")
            folder = lambda step: reference_dir  # noqa: E731
        else:
            folder = lambda step: step.folder  # noqa: E731
        paths = modules.module_paths(STEPS, None, folder, reference_dir, isolation=False)
        return cls(paths=paths, student_files={s.id: paths[s.module] for s in STEPS}, reference_dir=reference_dir)


def pytest_addoption(parser):
    group = parser.getgroup("grader", "course grader")
    group.addoption("--grader-config", help="JSON run config written by `python -m grader`")
    group.addoption("--impl", default="student", choices=["student", "reference"],
                    help="whose code the tests run on when pytest is called directly")
    group.addoption("--full-tracebacks", action="store_true", help="show Python tracebacks, not just the feedback")
    group.addoption("--grader-deferred", action="store_true",
                    help="collect now, learn the run later (grader.judge_session)")


def pytest_configure(config):
    sys.dont_write_bytecode = True
    config._grader_state = None
    if config.getoption("--grader-deferred"):
        return  # a judge server's session: each forked judge calls start_run
    path = config.getoption("--grader-config")
    start_run(config, Path(path) if path else None)


def start_run(config, path: Path | None) -> None:
    """Set up the run described by the config file at ``path`` (None: a direct pytest run)."""
    run = RunConfig.from_json(path) if path else RunConfig.checkout(config.getoption("--impl"))
    config._grader_run = run
    config._grader_state = _State(run)
    if not run.sandboxes:  # student code runs here: let `import self_attention` find it
        modules.install(run.paths)
    if run.report is not None:
        config.pluginmanager.register(Recorder(run), "grader-recorder")


class _State:
    """Per-session state: where student objects come from, references, static findings."""

    def __init__(self, run: RunConfig):
        self.run = run
        self.findings: dict[str, list[forbidden.Finding]] = {}
        self.sandboxed: dict[str, studentcode.Sandboxed] = {}
        self.in_process = None if run.sandboxes else studentcode.InProcess(run.student_files, STEPS)
        if run.sandboxes:
            zygote = int(os.environ["GRADER_ZYGOTE_FD"])
            for step in STEPS:
                if step.id in run.sandboxes:
                    backstop = self.test_timeout(step) + 2  # pytest-timeout normally stops a call first
                    self.sandboxed[step.id] = studentcode.Sandboxed(zygote, run.sandboxes[step.id], backstop)

    def test_timeout(self, step: course.Step) -> float:
        return (self.run.test_timeouts or {}).get(step.id, step.limits.test_timeout)

    def code(self, step: course.Step):
        """Where this step's student objects come from."""
        return self.in_process if self.in_process is not None else self.sandboxed[step.id]

    def static_findings(self, step: course.Step) -> list[forbidden.Finding]:
        if step.id not in self.findings:
            path = self.run.student_files.get(step.id)
            try:
                source = path.read_text(encoding="utf-8")
                self.findings[step.id] = forbidden.scan_source(source, path.name, step.forbidden, step.forbidden_inside)
            except (OSError, SyntaxError, UnicodeDecodeError, AttributeError):
                self.findings[step.id] = []  # import will report it
        return self.findings[step.id]

    def reference(self, step: course.Step):
        if self.run.reference_dir is None:
            raise RuntimeError("this test compares with the reference, which is not part of this checkout")
        return _reference(step.id, self.run.reference_dir)


@functools.lru_cache(maxsize=None)
def _reference(step_id: str, reference_dir: Path):
    return modules.load_reference(STEPS, course.find_step(STEPS, step_id), reference_dir)


def preload() -> None:
    """Import every step's test modules (as pytest will name them) and reference modules, so
    that a judge forked from a process that ran this starts without collecting from disk.
    Only the judges' fork server runs it: never a process that forks sandboxes."""
    from _pytest.pathlib import import_path

    for step in STEPS:
        for kind in ("public", "hidden"):
            for path in sorted(step.suite(kind).glob("test_*.py")):
                import_path(path, mode="importlib", root=course.ROOT, consider_namespace_packages=False)
        reference_dir = course.ROOT / "reference"
        if (reference_dir / step.files[0]).exists():
            _reference(step.id, reference_dir)


def _maybe_step_of(node) -> course.Step | None:
    return _step_of_path(str(node.path))


@functools.lru_cache(maxsize=None)
def _step_of_path(path: str) -> course.Step | None:
    resolved = Path(path).resolve()
    for step in STEPS:
        if resolved.is_relative_to(step.folder.resolve()):
            return step
    return None


def _step_of(node) -> course.Step:
    step = _maybe_step_of(node)
    if step is None:
        raise RuntimeError(f"{node.path} is not inside any step's folder")
    return step


# ---------------------------------------------------------------- fixtures


def _api_fixture(name: str):
    @pytest.fixture(name=name)
    def fixture(request):
        step = _step_of(request.node)
        state = request.config._grader_state
        findings = [f for f in state.static_findings(step) if f.scope in ("", name)]
        if findings:
            raise CheckFailure("Not graded: your code " + findings[0].message())
        try:
            return state.code(step).api(step, name)
        except AttributeError:
            raise CheckFailure(f"{step.files[0]} does not define `{name}`; the tests need it by that exact name.") from None

    return fixture


for _name in _API_NAMES:
    globals()[f"_fixture_{_name}"] = _api_fixture(_name)


@pytest.fixture
def ref(request):
    """The reference module of the step under test (hidden tests only)."""
    return request.config._grader_state.reference(_step_of(request.node))


@pytest.fixture
def golden(request):
    """The stored reference outputs of the step's public cases."""
    return _golden(_step_of(request.node).suite("public") / GOLDEN_FILE)


@functools.lru_cache(maxsize=None)
def _golden(path: Path) -> Golden:
    return Golden(path)


@pytest.fixture
def ToyLM(request):  # noqa: N802 - named like the class it gives
    """``grader.toymodels.ToyLM``, created where the student's code runs (for ``generate``)."""
    return request.config._grader_state.code(_step_of(request.node)).toy_models().ToyLM


@pytest.fixture(autouse=True)
def _deterministic_and_monitored(request):
    """Seed torch before every test, and watch student code for forbidden APIs."""
    if _maybe_step_of(request.node) is None:  # not a course test (the repository's own tests)
        yield
        return
    torch.default_generator.manual_seed(0)  # torch.manual_seed also seeds every accelerator: slow here
    with request.config._grader_state.code(_step_of(request.node)).test():
        yield


def pytest_collection_modifyitems(config, items):
    brief = not config.getoption("--full-tracebacks")
    for item in items:
        step = _maybe_step_of(item)
        if step is None:
            continue
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(_test_timeout(config, step)))
            item._grader_timeout = True  # ours: a run with other limits replaces it (apply_timeouts)
        if brief:  # the report shows the feedback only: skip building a traceback nobody reads
            item.repr_failure = functools.partial(_brief_failure, item)
            item._repr_failure_py = lambda excinfo, style=None, item=item: _brief_failure(item, excinfo)


def _test_timeout(config, step: course.Step) -> float:
    state = config._grader_state
    return state.test_timeout(step) if state is not None else step.limits.test_timeout


def apply_timeouts(config, items) -> None:
    """Give collected tests this run's per-test timeouts (a run may set other limits)."""
    for item in items:
        step = _maybe_step_of(item)
        if step is None or not getattr(item, "_grader_timeout", False):
            continue
        timeout = _test_timeout(config, step)
        if item.get_closest_marker("timeout").args[0] != timeout:
            item.own_markers = [m for m in item.own_markers if m.name != "timeout"]
            item.add_marker(pytest.mark.timeout(timeout))


def _brief_failure(item, excinfo) -> str:
    marker = item.get_closest_marker("timeout")
    return feedback(excinfo, _maybe_step_of(item), marker.args[0] if marker else None)


# ---------------------------------------------------------------- feedback


def feedback(excinfo, step: course.Step | None, timeout: float | None) -> str:
    """The message a student sees for a failed test."""
    error = excinfo.value
    if isinstance(error, (CheckFailure, studentcode.StudentCodeError, proxy.SandboxFailure)):
        return str(error)
    where = _remote_location(error) or _student_location(excinfo.tb)
    kind = getattr(error, "grader_type", None) or type(error).__name__
    if isinstance(error, NotImplementedError):
        return f"not implemented yet: {where or 'your code'} still raises NotImplementedError. Fill in its TODOs."
    text = str(error)
    if isinstance(error, forbidden.ForbiddenAPIError) or kind == "ForbiddenAPIError":
        return f"Not graded: your code {text.removeprefix(f'{kind}: ')}"
    if isinstance(error, pytest.fail.Exception) and text.startswith("Timeout"):
        return f"took longer than the {timeout:g} s limit for one test (an endless loop, or far too much work?)."
    detail = f"{kind}: {text.removeprefix(f'{kind}: ')}".strip().rstrip(":")
    return detail + (f"\n  raised at {where}" if where else "")


def _remote_location(error) -> str | None:
    """Where a sandbox said the student's exception was raised."""
    location = getattr(error, "grader_location", None)
    if not location:
        return None
    qualname, file, line = location
    return f"{qualname} ({Path(file).name}, line {line})" if qualname else f"{Path(file).name}, line {line}"


def _is_grader_file(filename: str) -> bool:
    return "importlib" in filename or Path(filename).resolve().is_relative_to(Path(__file__).resolve().parent)


def _student_location(tb) -> str | None:
    """'SelfAttention.forward (self_attention.py, line 42)' for the innermost student frame."""
    last = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if not _is_grader_file(code.co_filename) and "/tests/" not in code.co_filename.replace("\\", "/") \
                and not code.co_filename.startswith(str(Path(torch.__file__).parent)):
            last = f"{code.co_qualname} ({Path(code.co_filename).name}, line {tb.tb_lineno})"
        tb = tb.tb_next
    return last


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    step = _maybe_step_of(item)
    if step is None:  # not a course test: leave pytest's report alone
        return report
    violations = item.config._grader_state.code(step).violations() if call.when == "call" else []
    message = None
    if violations:
        report.outcome = "failed"
        message = "Not graded: your code " + violations[0]
    elif call.excinfo is not None and report.failed:
        marker = item.get_closest_marker("timeout")
        message = feedback(call.excinfo, step, marker.args[0] if marker else None)
    if message is not None:
        report.grader_message = message
        if not item.config.getoption("--full-tracebacks"):
            report.longrepr = message
    return report


class Recorder:
    """Appends every test's outcome to a JSON-lines report as soon as it is known.

    The first line lists the collected tests; then a line when a test starts and one when
    it ends. If the child process is killed half way, what it finished still counts and
    the parent knows which test was running.
    """

    def __init__(self, run: RunConfig):
        self.run = run
        self.current: dict[str, dict] = {}
        self.stream = open(run.report, "a", encoding="utf-8", buffering=1)  # line-buffered: each line lands at once

    def _write(self, record: dict) -> None:
        self.stream.write(json.dumps(record) + "\n")

    def pytest_collection_finish(self, session):
        self._write({"collected": [item.nodeid for item in session.items]})

    def pytest_runtest_logstart(self, nodeid, location):
        self._write({"started": nodeid})

    def pytest_runtest_logreport(self, report):
        entry = self.current.setdefault(report.nodeid, {"nodeid": report.nodeid, "outcome": "passed",
                                                          "message": "", "duration": 0.0})
        entry["duration"] += report.duration
        if report.failed and entry["outcome"] == "passed":
            entry["outcome"] = "failed"
            entry["message"] = getattr(report, "grader_message", None) or str(report.longrepr)[-2000:]
        elif report.skipped and report.when in ("setup", "call"):
            entry["outcome"] = "skipped"
            entry["message"] = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if report.when == "teardown":
            self._write(self.current.pop(report.nodeid))

    def pytest_collectreport(self, report):
        if report.failed:
            self._write({"nodeid": report.nodeid or "<collection>", "outcome": "error",
                         "message": str(report.longrepr)[-2000:], "duration": 0.0})
