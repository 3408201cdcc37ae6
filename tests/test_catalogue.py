"""Suite strength (SPEC §8): every catalogued bug loses points in the hidden suite and most
are caught by the public suite already; every alternative solution scores 100 %."""
import pytest

from grader import course, grading
from tests.catalogue import alternatives, bugs, mutated_source, submission_with

STEPS = course.load_course()
BUGS = bugs()
ALTERNATIVES = alternatives()
PUBLIC_CATCH_RATE = 0.8  # share of the bugs that the public suites must already catch
caught_by_public: dict[str, bool] = {}


def _grade(tmp_path, step, source):
    grade = grading.grade(submission_with(tmp_path, step, source), [step], all_steps=STEPS, parallel=1)
    return grade.steps[0]


@pytest.mark.parametrize("bug", BUGS, ids=[b.id for b in BUGS])
def test_bug_loses_points_in_the_hidden_suite(bug, tmp_path):
    step = course.find_step(STEPS, bug.step)
    result = _grade(tmp_path, step, mutated_source(bug, step))
    failures = [o for g in result.groups for o in g.failures]
    caught_by_public[bug.id] = any(o.suite == "public" for o in failures)
    # A failing test costs its group at least one point (floor scoring), so a failing hidden
    # test means the hidden suite alone scores the bug below full marks.
    assert any(o.suite == "hidden" for o in failures), f"{bug.id} ({bug.description}): no hidden test fails"
    assert result.score < result.max_score


def test_most_bugs_are_caught_by_the_public_suite():
    missing = [b.id for b in BUGS if b.id not in caught_by_public]
    if missing:
        pytest.skip(f"run together with the bug tests ({len(missing)} bugs not graded in this session)")
    rate = sum(caught_by_public.values()) / len(BUGS)
    assert rate >= PUBLIC_CATCH_RATE, (
        f"the public suites catch {rate:.0%} of the bugs; not caught: "
        + ", ".join(k for k, v in caught_by_public.items() if not v)
    )


@pytest.mark.parametrize("path", ALTERNATIVES, ids=[f"{p.parent.name}/{p.stem}" for p in ALTERNATIVES])
def test_alternative_scores_full_marks(path, tmp_path):
    step = course.find_step(STEPS, path.parent.name)
    result = _grade(tmp_path, step, path.read_text(encoding="utf-8"))
    failures = [f"{o.name}: {o.message}" for g in result.groups for o in g.failures]
    assert result.score == result.max_score, f"{path.name} lost points:\n" + "\n".join(failures[:5])


def test_catalogue_is_large_enough():
    per_step = {step.id: sum(course.find_step(STEPS, b.step).id == step.id for b in BUGS) for step in STEPS}
    alternatives_per_step = {step.id: sum(p.parent.name == step.id for p in ALTERNATIVES) for step in STEPS}
    assert len(BUGS) >= 60 and len(ALTERNATIVES) >= 10, "SPEC §8: at least 60 bugs and 10 alternative styles"
    assert sum(per_step[s.id] for s in STEPS[:5]) >= 30, "at least 30 bugs for steps 01-05"
    assert all(count >= 5 for count in per_step.values()), f"bugs per step: {per_step}"
    assert all(count >= 2 for count in alternatives_per_step.values()), f"alternatives per step: {alternatives_per_step}"


def test_bug_ids_are_unique():
    ids = [b.id for b in BUGS]
    assert len(ids) == len(set(ids))
