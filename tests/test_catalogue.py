"""Suite strength: every catalogued bug loses points, every alternative scores 100 %."""
import pytest

from grader import course, grading
from tests.catalogue import alternatives, bugs, mutated_source, submission_with

STEPS = course.load_course()
BUGS = bugs()
ALTERNATIVES = alternatives()


def _grade(tmp_path, step, source):
    grade = grading.grade(submission_with(tmp_path, step, source), [step], all_steps=STEPS, parallel=1)
    return grade.steps[0]


@pytest.mark.parametrize("bug", BUGS, ids=[b.id for b in BUGS])
def test_bug_loses_points(bug, tmp_path):
    step = course.find_step(STEPS, bug.step)
    result = _grade(tmp_path, step, mutated_source(bug, step))
    assert result.score < result.max_score, f"{bug.id} ({bug.description}) scored full marks: the hidden tests miss it"


@pytest.mark.parametrize("path", ALTERNATIVES, ids=[f"{p.parent.name}/{p.stem}" for p in ALTERNATIVES])
def test_alternative_scores_full_marks(path, tmp_path):
    step = course.find_step(STEPS, path.parent.name)
    result = _grade(tmp_path, step, path.read_text(encoding="utf-8"))
    failures = [f"{o.name}: {o.message}" for g in result.groups for o in g.failures]
    assert result.score == result.max_score, f"{path.name} lost points:\n" + "\n".join(failures[:5])


def test_catalogue_is_large_enough():
    per_step = {step.id: sum(course.find_step(STEPS, b.step) is step for b in BUGS) for step in STEPS}
    assert len(BUGS) >= 30, f"only {len(BUGS)} bugs catalogued"
    alternatives_per_step = {step.id: sum(p.parent.name == step.id for p in ALTERNATIVES) for step in STEPS}
    thin = {k: v for k, v in alternatives_per_step.items() if v < 2}
    assert not thin, f"steps with fewer than 2 alternative solutions: {thin}"
    assert all(per_step.values()), f"steps without catalogued bugs: {per_step}"


def test_bug_ids_are_unique():
    ids = [b.id for b in BUGS]
    assert len(ids) == len(set(ids))
