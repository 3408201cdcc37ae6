"""Suite strength (SPEC §8): every catalogued bug loses points in the hidden suite and most
are caught by the public suite already; every alternative solution scores 100 %."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader import course, grading
from tests.catalogue import alternatives, bugs, mutated_source, submission_with

STEPS = course.load_course()
BUGS = bugs()
ALTERNATIVES = alternatives()
PUBLIC_CATCH_RATE = 0.8  # share of the bugs that the public suites must already catch


def _selected(request, name):
    """The parameter values of the tests of this session that use argument ``name``."""
    return [item.callspec.params[name] for item in request.session.items
            if hasattr(item, "callspec") and name in item.callspec.params]


def _grade_all(tmp_path_factory, entries) -> dict:
    """Grade (key, step, source) entries two at a time (2 cores); key -> StepScore."""
    def grade(entry):
        key, step, source = entry
        root = submission_with(tmp_path_factory.mktemp("submission"), step, source)
        return key, grading.grade(root, [step], all_steps=STEPS, parallel=1).steps[0]

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return dict(pool.map(grade, entries))


@pytest.fixture(scope="module")
def bug_results(request, tmp_path_factory):
    chosen = _selected(request, "bug") or BUGS
    entries = []
    for bug in chosen:
        step = course.find_step(STEPS, bug.step)
        entries.append((bug.id, step, mutated_source(bug, step)))
    return _grade_all(tmp_path_factory, entries)


@pytest.fixture(scope="module")
def alternative_results(request, tmp_path_factory):
    chosen = _selected(request, "path") or ALTERNATIVES
    return _grade_all(tmp_path_factory, [(p, course.find_step(STEPS, p.parent.name), p.read_text(encoding="utf-8"))
                                         for p in chosen])


@pytest.mark.parametrize("bug", BUGS, ids=[b.id for b in BUGS])
def test_bug_loses_points_in_the_hidden_suite(bug, bug_results):
    result = bug_results[bug.id]
    failures = [o for g in result.groups for o in g.failures]
    # A failing test costs its group at least one point (floor scoring), so a failing hidden
    # test means the hidden suite alone scores the bug below full marks.
    assert any(o.suite == "hidden" for o in failures), f"{bug.id} ({bug.description}): no hidden test fails"
    assert result.score < result.max_score


def test_most_bugs_are_caught_by_the_public_suite(bug_results):
    if len(bug_results) < len(BUGS):
        pytest.skip("measured over the whole catalogue only (this session graded part of it)")
    caught = {key: any(o.suite == "public" for g in r.groups for o in g.failures) for key, r in bug_results.items()}
    rate = sum(caught.values()) / len(caught)
    assert rate >= PUBLIC_CATCH_RATE, (
        f"the public suites catch {rate:.0%} of the bugs; not caught: " + ", ".join(k for k, v in caught.items() if not v))


@pytest.mark.parametrize("path", ALTERNATIVES, ids=[f"{p.parent.name}/{p.stem}" for p in ALTERNATIVES])
def test_alternative_scores_full_marks(path, alternative_results):
    result = alternative_results[path]
    failures = [f"{o.name}: {o.message}" for g in result.groups for o in g.failures]
    assert result.score == result.max_score, f"{path.name} lost points:\n" + "\n".join(failures[:5])


def test_catalogue_is_large_enough():
    per_step = {step.id: sum(course.find_step(STEPS, b.step).id == step.id for b in BUGS) for step in STEPS}
    alternatives_per_step = {step.id: sum(p.parent.name == step.id for p in ALTERNATIVES) for step in STEPS}
    assert len(BUGS) >= 60 and len(ALTERNATIVES) >= 10, "SPEC §8: at least 60 bugs and 10 alternative styles"
    assert sum(per_step[s.id] for s in STEPS[:5]) >= 30, "at least 30 bugs for steps 01-05"
    assert sum(per_step[s.id] for s in STEPS[5:7]) >= 30, "at least 30 bugs for steps 06-07"
    assert all(count >= 5 for count in per_step.values()), f"bugs per step: {per_step}"
    assert all(count >= 2 for count in alternatives_per_step.values()), f"alternatives per step: {alternatives_per_step}"


def test_bug_ids_are_unique():
    ids = [b.id for b in BUGS]
    assert len(ids) == len(set(ids))
