"""Where the tests' student objects come from.

* :class:`InProcess` imports the student's modules into the test process. That is what
  a student gets from a plain ``pytest`` run, and what a notebook does: fast, simple,
  and enough for feedback — but the code could tamper with the process.
* :class:`Sandboxed` is what the grader uses: the test process (the judge) never imports
  student code; every object is a ``grader.proxy.Remote`` living in a sandbox process.

Both give the same objects to the same tests, and report the same failures.
"""
from __future__ import annotations

import contextlib
import traceback
from pathlib import Path

from grader import course, forbidden, proxy


class StudentCodeError(Exception):
    """The student's module could not be imported (the message says why and where)."""


def _where(file: str | None, line: int | None) -> str:
    return f"{Path(file).name}, line {line}" if file else ""


def describe_import_error(error: BaseException, step: course.Step) -> str:
    """One clear paragraph: which file, which line, what went wrong."""
    if isinstance(error, SyntaxError):
        text = (error.text or "").strip()
        return (f"{_where(error.filename or step.files[0], error.lineno)}: {type(error).__name__}: {error.msg}"
                + (f"\n    {text}" if text else ""))
    location = getattr(error, "grader_location", None)  # raised in a sandbox
    if location is not None:
        _, file, line = location
        kind = getattr(error, "grader_type", type(error).__name__)
        if kind in ("SyntaxError", "IndentationError", "TabError"):
            return f"{_where(file, line)}: {kind}: {error}"
        return f"importing {step.files[0]} failed ({_where(file, line)}): {kind}: {error}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).name == step.files[0]]
    where = f" ({_where(frames[-1].filename, frames[-1].lineno)})" if frames else ""
    return f"importing {step.files[0]} failed{where}: {type(error).__name__}: {error}"


class InProcess:
    def __init__(self, student_files: dict[str, Path], steps: list[course.Step]):
        self.imported: dict[str, object] = {}
        watch = {str(student_files[s.id]): (s.forbidden, s.forbidden_inside) for s in steps if s.id in student_files}
        self.monitor = forbidden.RuntimeMonitor(watch)

    def module(self, step: course.Step):
        if step.id not in self.imported:
            try:
                self.imported[step.id] = __import__(step.module)
            except BaseException as error:  # noqa: BLE001 - any failure of student code
                self.imported[step.id] = StudentCodeError(describe_import_error(error, step))
        module = self.imported[step.id]
        if isinstance(module, StudentCodeError):
            raise StudentCodeError(str(module))  # a new exception: re-raising one grows its traceback
        return module

    def api(self, step: course.Step, name: str):
        """The student's object called ``name``; AttributeError if the module has none."""
        return getattr(self.module(step), name)

    def toy_models(self):
        from grader import toymodels

        return toymodels

    @contextlib.contextmanager
    def test(self):
        self.monitor.violations.clear()
        with self.monitor:
            yield

    def violations(self) -> list[str]:
        return list(self.monitor.violations)


class Sandboxed:
    def __init__(self, zygote_fd: int, request: dict, timeout: float):
        self.sandbox = proxy.Sandbox(zygote_fd, request, timeout)
        self.imported: dict[str, tuple[int, object]] = {}  # step id -> (sandbox generation, module)
        self.failed: dict[str, StudentCodeError] = {}
        self.names: dict[tuple[int, str], object] = {}  # (generation, name) -> the API object, kept across tests

    def api(self, step: course.Step, name: str):
        """The student's object called ``name`` (one request per sandbox, not per test)."""
        module = self.module(step)
        key = (self.sandbox.generation, name)
        if key not in self.names:
            self.names[key] = getattr(module, name)
        return self.names[key]

    def module(self, step: course.Step):
        if step.id in self.failed:
            raise StudentCodeError(str(self.failed[step.id]))  # new each time (see InProcess.module)
        cached = self.imported.get(step.id)
        if cached is not None and cached[0] == self.sandbox.generation and self.sandbox.sock is not None:
            return cached[1]
        try:
            module = self.sandbox.import_module(step.module)
        except proxy.SandboxFailure as error:
            self.failed[step.id] = StudentCodeError(f"importing {step.files[0]} failed: {error}")
            raise self.failed[step.id] from None
        except Exception as error:  # noqa: BLE001 - the student's exception, re-raised by the proxy
            self.failed[step.id] = StudentCodeError(describe_import_error(error, step))
            raise self.failed[step.id] from None
        except BaseException:  # the test's time ran out during the import: later tests need not wait too
            self.failed[step.id] = StudentCodeError(f"importing {step.files[0]} took longer than a test may "
                                                    "(an endless loop, or heavy work at import time?)")
            raise
        self.imported[step.id] = (self.sandbox.generation, module)
        return module

    def toy_models(self):
        key = (self.sandbox.generation, "grader.toymodels")
        if key not in self.names or self.sandbox.sock is None:
            self.names[key] = self.sandbox.import_module("grader.toymodels")
        return self.names[key]

    @contextlib.contextmanager
    def test(self):
        try:
            self.sandbox.reset()
        except (proxy.SandboxFailure, Exception):  # noqa: BLE001 - a dead sandbox is respawned on next use
            self.sandbox.kill()
        yield

    def violations(self) -> list[str]:
        return list(self.sandbox.violations)
