"""End to end: the reference scores 100 %, the stubs 0, and the CLI writes
Gradescope-format results tagged with the step ids."""
import json
import subprocess
import sys
import time

import pytest

from grader import course, grading, reports

STEPS = course.load_course()


@pytest.fixture(scope="module")
def reference_grade():
    return grading.grade(course.ROOT / "reference", all_steps=STEPS)


def test_reference_scores_full_marks(reference_grade):
    for step in reference_grade.steps:
        failures = [f"{o.name}: {o.message}" for g in step.groups for o in g.failures]
        assert step.status == "ok", step.detail
        assert step.score == step.max_score, f"{step.step.id}: " + "\n".join(failures[:5])
        assert not step.ungrouped, f"tests not in any group: {step.ungrouped}"
    assert reference_grade.score == reference_grade.max_score == sum(s.max_points for s in STEPS)


def test_stubs_score_zero():
    grade = grading.grade(course.ROOT, all_steps=STEPS)  # the checkout's assignments/ hold the stubs
    for step in grade.steps:
        assert step.status == "ok", step.detail
        assert step.score == 0, f"{step.step.id} stub earned {step.score} points"
        for group in step.groups:
            assert group.outcomes and not group.passed, f"a test of {step.step.id}/{group.group.name} passes on the stub"
            assert all("not implemented yet" in o.message for o in group.outcomes), group.failures[0].message


def test_public_only_grades_the_public_suites(tmp_path):
    grade = grading.grade(course.ROOT / "reference", STEPS[:2], public_only=True, all_steps=STEPS)
    for step in grade.steps:
        assert step.score == step.max_score
        assert {o.suite for g in step.groups for o in g.outcomes} == {"public"}


def test_cli_grade_writes_gradescope_results(tmp_path):
    out, summary = tmp_path / "results.json", tmp_path / "summary.md"
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "grader", "grade", "--impl", "reference", "--json", str(out), "--markdown", str(summary)],
        cwd=course.ROOT, capture_output=True, text=True, timeout=120,
    )
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert elapsed < 60, f"grading the reference took {elapsed:.1f} s"
    data = json.loads(out.read_text())
    total = sum(s.max_points for s in STEPS)
    assert data["score"] == total
    assert {"score", "execution_time", "output", "tests"} <= set(data)
    step_ids = {s.id for s in STEPS}
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "tags", "visibility"} <= set(test)
        assert isinstance(test["score"], int) and isinstance(test["max_score"], int)
        assert test["status"] == "passed" and test["visibility"] == "visible"
        assert len(test["tags"]) == 1 and test["tags"][0] in step_ids
    assert {t["tags"][0] for t in data["tests"]} == step_ids
    assert sum(t["max_score"] for t in data["tests"]) == total
    assert f"**{total}/{total}**" in summary.read_text()
    for step in STEPS:
        assert step.id in result.stdout


def test_steps_option_selects_steps(tmp_path):
    out = tmp_path / "r.json"
    subprocess.run([sys.executable, "-m", "grader", "grade", "--impl", "reference", "--steps", "02,04", "--json", str(out)],
                   cwd=course.ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert {t["tags"][0] for t in json.loads(out.read_text())["tests"]} == {"02_multi_head_attention", "04_transformer_block"}


def test_cli_refuses_unknown_step(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grader", "grade", "--steps", "42"], cwd=course.ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no step '42'" in result.stderr and "Traceback" not in result.stderr


def test_markdown_lists_what_to_fix(tmp_path):
    grade = grading.grade(course.ROOT, STEPS[:1], public_only=True, all_steps=STEPS)
    text = reports.markdown(grade)
    assert "What to fix" in text and "not implemented yet" in text
