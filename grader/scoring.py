"""From test outcomes to points: every group of ``assignment.toml`` scores
``floor(points * passed / total)`` over its tests that ran, so a single failure always
costs at least one point and the score is a whole number."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from grader.course import Group, Step
from grader.runner import StepRun


@dataclass
class Outcome:
    nodeid: str
    suite: str  # "public" or "hidden"
    name: str  # the test function, with its parameters
    passed: bool
    message: str = ""


@dataclass
class GroupScore:
    group: Group
    outcomes: list[Outcome] = field(default_factory=list)
    note: str = ""  # why the group could not be (fully) run

    @property
    def max_score(self) -> int:
        return self.group.points

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def score(self) -> int:
        if not self.outcomes or self.note:
            return 0
        return self.group.points * self.passed // len(self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]


@dataclass
class StepScore:
    step: Step
    groups: list[GroupScore]
    status: str = "ok"  # "ok", "timeout", "crashed", "missing"
    detail: str = ""
    seconds: float = 0.0
    test_seconds: float = 0.0  # the tests' own time (setup, call, teardown), without process start-up
    ungrouped: list[str] = field(default_factory=list)  # tests no group claims (a manifest mistake)

    @property
    def score(self) -> int:
        return sum(g.score for g in self.groups)

    @property
    def max_score(self) -> int:
        return sum(g.max_score for g in self.groups)


def _split(nodeid: str) -> tuple[str, str, str]:
    """'assignments/01_x/tests/hidden/test_a.py::test_b[1]' -> ('hidden', 'test_a.py', 'test_b[1]')."""
    path, _, name = nodeid.partition("::")
    parts = path.replace("\\", "/").split("/")
    suite = parts[-2] if len(parts) >= 2 else ""
    return suite, parts[-1], name


def groups_in(step: Step, suites: tuple[str, ...]) -> list[Group]:
    """The groups that have at least one test file in the given suites."""
    files = [p.name for kind in suites if step.suite(kind).is_dir() for p in step.suite(kind).glob("test_*.py")]
    return [g for g in step.groups if any(fnmatch.fnmatchcase(f, pattern.split("::")[0]) for f in files for pattern in g.tests)]


def score_run(run: StepRun, suites: tuple[str, ...]) -> StepScore:
    step = run.step
    groups = {g.name: GroupScore(g) for g in groups_in(step, suites)}
    result = StepScore(step, list(groups.values()), run.status, run.detail, run.seconds,
                       sum(record.get("duration", 0.0) for record in run.tests.values()))
    records = dict(run.tests)
    for nodeid in run.missing:
        records[nodeid] = {"outcome": "failed", "message": f"did not run: {run.detail}"}
    for nodeid, record in records.items():
        suite, file, name = _split(nodeid)
        group = step.group_of(file, name) if name else None
        target = groups.get(group.name) if group else None
        if record.get("outcome") == "error":  # a test file that could not even be collected
            for g in groups.values():
                if any(fnmatch.fnmatchcase(file, pattern.split("::")[0]) for pattern in g.group.tests):
                    g.note = f"the tests in {file} could not be loaded: {record.get('message', '')[-300:]}"
            continue
        if target is None:
            result.ungrouped.append(nodeid)
            continue
        passed = record.get("outcome") == "passed"
        target.outcomes.append(Outcome(nodeid, suite, name, passed, "" if passed else record.get("message", "")))
    for g in groups.values():
        if not g.outcomes and not g.note:
            g.note = run.detail or "no test of this part ran"
    return result


def missing_file(step: Step, suites: tuple[str, ...], detail: str) -> StepScore:
    """A step whose student file is absent: every group scores 0."""
    groups = [GroupScore(g, note=detail) for g in groups_in(step, suites)]
    return StepScore(step, groups, "missing", detail)
