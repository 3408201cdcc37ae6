"""The steps' pytest checks, run on a notebook's objects (otter-grader test cells).

The suites are written once. Their test functions take the student's objects by name
(``def test_rows_sum_to_one(softmax): ...``); pytest fills those names with fixtures,
and a notebook fills them from its own globals: an otter test cell calls

    run(env, "01_self_attention", "public/test_softmax.py::test_softmax_rows_sum_to_one")

with ``env`` the notebook's globals. The other names a test may ask for are built here
as the grader's plugin builds them: ``golden`` (the step's golden.json), ``ref`` (the
reference, present only where hidden tests run: in the autograder), ``ToyLM``; a
parametrised test is one check per parameter set (``...::test_x[2]``: the third set).

A failure is raised as a :class:`grader.testkit.CheckFailure` whose message is the
same student-facing feedback the pytest suites give.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import inspect
import itertools
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import torch

from grader import course, forbidden
from grader.testkit import CheckFailure, manual_seed

SPECIAL = ("golden", "ref", "ToyLM")  # names a test may ask for besides the step's API


@dataclass(frozen=True)
class Check:
    """One runnable check: a test function and, if parametrised, one set of parameters."""

    id: str  # "public/test_softmax.py::test_softmax_matches_reference[2]"
    function: object
    params: dict

    @property
    def suite(self) -> str:
        return self.id.split("/", 1)[0]


def steps() -> list[course.Step]:
    return course.load_course(course.ROOT)


def step_checks(step: course.Step, suite: str) -> list[Check]:
    """Every check of a step's ``public`` or ``hidden`` suite, in file and definition order."""
    found = []
    for path in sorted(step.suite(suite).glob("test_*.py")):
        module = _test_module(str(path))
        for name, function in vars(module).items():
            if name.startswith("test_") and callable(function) and getattr(function, "__module__", "") == module.__name__:
                found += _expand(f"{suite}/{path.name}::{name}", function)
    return found


@functools.lru_cache(maxsize=None)
def _test_module(path: str):
    """Import a suite file under a private name (its imports are ordinary: grader.testkit, ...)."""
    file = Path(path)
    name = f"_notebook_suite_.{file.parent.parent.parent.name}.{file.parent.name}.{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expand(base: str, function) -> list[Check]:
    """One check per parameter set of ``@pytest.mark.parametrize`` (several marks: every combination)."""
    sets = [_parameter_sets(mark) for mark in getattr(function, "pytestmark", []) if mark.name == "parametrize"]
    if not sets:
        return [Check(base, function, {})]
    combos = [functools.reduce(lambda a, b: {**a, **b}, combo, {}) for combo in itertools.product(*sets)]
    return [Check(f"{base}[{i}]", function, params) for i, params in enumerate(combos)]


def _parameter_sets(mark) -> list[dict]:
    from _pytest.mark.structures import ParameterSet  # how pytest itself reads argvalues

    names, values = mark.args[0], mark.args[1]
    names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    return [dict(zip(names, ParameterSet.extract_from(value, force_tuple=len(names) == 1).values))
            for value in values]


def find(step: course.Step, check_id: str) -> Check:
    for check in step_checks(step, check_id.split("/", 1)[0]):
        if check.id == check_id:
            return check
    raise CheckFailure(f"this notebook asks for a check that {step.id}'s tests do not have: {check_id}. "
                       "Is the notebook from another version of the course?")


# ---------------------------------------------------------------- running one check


def run(env: dict, step_id: str, check_id: str) -> None:
    """Run one check on the objects defined in ``env`` (a notebook's globals)."""
    all_steps = steps()
    step = course.find_step(all_steps, step_id)
    check = find(step, check_id)
    kwargs = {name: _argument(name, env, step, all_steps, check) for name in inspect.signature(check.function).parameters}
    monitor = forbidden.RuntimeMonitor(_watched_files(step, env))
    manual_seed(0)  # as the plugin does before every test
    try:
        with _time_limit(step.limits.test_timeout), monitor:
            check.function(**kwargs)
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 - every failure becomes feedback
        raise CheckFailure(feedback(error)) from None


def _argument(name: str, env: dict, step: course.Step, all_steps, check: Check):
    if name in check.params:
        return check.params[name]
    if name == "golden":
        from grader.golden import GOLDEN_FILE, Golden

        return Golden(step.suite("public") / GOLDEN_FILE)
    if name == "ref":
        return _reference(step.id)
    if name == "ToyLM":
        from grader.toymodels import ToyLM

        return ToyLM
    if name not in env:
        raise CheckFailure(f"this notebook does not define `{name}` yet: run the cell that defines it "
                           "(the tests need it by that exact name).")
    return env[name]


@functools.lru_cache(maxsize=None)
def _reference(step_id: str):
    from grader import modules

    reference_dir = course.ROOT / "reference"
    all_steps = steps()
    step = course.find_step(all_steps, step_id)
    if not (reference_dir / step.files[0]).exists():
        raise CheckFailure("this check compares with the reference solution, which only the autograder has.")
    return modules.load_reference(all_steps, step, reference_dir)


def _watched_files(step: course.Step, env: dict) -> dict:
    """The files (notebook cells) that define the step's API: the from-scratch rule applies there."""
    watch = {}
    for name in step.api:
        for code in _code_objects(env.get(name)):
            if not code.co_filename.startswith(str(course.ROOT / "reference")):
                watch[code.co_filename] = (step.forbidden, step.forbidden_inside)
    return watch


def _code_objects(obj):
    if inspect.isfunction(obj):
        yield obj.__code__
    elif inspect.isclass(obj) and obj.__module__ not in ("torch", "builtins") and not obj.__module__.startswith("torch."):
        for member in vars(obj).values():
            if inspect.isfunction(member):
                yield member.__code__


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Stop a check that runs longer than the step's per-test limit (where signals allow it)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise CheckFailure(f"took longer than the {seconds:g} s limit for one test (an endless loop, or far too much work?).")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- feedback


def feedback(error: BaseException) -> str:
    """The student's message for an exception raised while a check ran their code."""
    where = _student_location(error.__traceback__)
    if isinstance(error, NotImplementedError):
        return f"not implemented yet: {where or 'your code'} still raises NotImplementedError. Fill in its TODOs."
    if isinstance(error, forbidden.ForbiddenAPIError):
        return f"Not graded: your code {error}"
    detail = f"{type(error).__name__}: {error}".strip().rstrip(":")
    return detail + (f"\n  raised at {where}" if where else "")


def _student_location(tb) -> str | None:
    """'SelfAttention.forward (cell line 12)' for the innermost frame of the notebook's own code."""
    grader_dir = str(Path(__file__).resolve().parent)
    library_dirs = [str(Path(torch.__file__).resolve().parent.parent), sys.prefix, sys.base_prefix]
    last = None
    while tb is not None:
        code = tb.tb_frame.f_code
        file = code.co_filename
        if not file.startswith(grader_dir) and "/tests/" not in file.replace("\\", "/") \
                and not any(file.startswith(d) for d in library_dirs) and not file.startswith("<frozen"):
            last = f"{code.co_qualname} (line {tb.tb_lineno} of its cell)"
        tb = tb.tb_next
    return last
