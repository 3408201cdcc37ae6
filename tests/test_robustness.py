"""A broken or misbehaving student file costs that step's points, with a clear reason,
and never stops the other steps from being graded."""
import dataclasses
import shutil

import pytest

from grader import course, grading, reports
from grader.course import Limits

STEPS = course.load_course()
STEP01, STEP02, STEP03 = STEPS[0], STEPS[1], STEPS[2]
REFERENCE = course.ROOT / "reference"
FORWARD_LINE = "        q = self.query(x)  # (B, T, E)  what each word is looking for"  # first line of SelfAttention.forward


def _submission(tmp_path, **sources):
    """A submission with the reference for every step, except the given module sources."""
    for step in STEPS:
        target = tmp_path / "assignments" / step.id / step.files[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REFERENCE / step.files[0], target)
        if step.module in sources:
            target.write_text(sources[step.module], encoding="utf-8")
    return tmp_path


def _reference(step):
    return (REFERENCE / step.files[0]).read_text(encoding="utf-8")


def _messages(step_score):
    return [o.message for g in step_score.groups for o in g.failures] + [g.note for g in step_score.groups if g.note]


def test_syntax_error_names_file_and_line_and_other_steps_still_graded(tmp_path):
    broken = _reference(STEP02).replace("def merge_heads(x):", "def merge_heads(x)")
    line = broken.splitlines().index("def merge_heads(x)") + 1
    grade = grading.grade(_submission(tmp_path, multi_head_attention=broken), STEPS[:3], all_steps=STEPS)
    first, second, third = grade.steps
    assert first.score == first.max_score and third.score == third.max_score
    assert second.score == 0
    messages = _messages(second)
    assert messages and all(f"multi_head_attention.py, line {line}: SyntaxError" in m for m in messages), messages[0]
    text = reports.markdown(grade)
    assert "Traceback" not in text
    assert "| 02 Multi-head attention | 0/10 | import/syntax error |" in text, text
    assert text.count("SyntaxError") == 1, "the feedback says the step's one problem once, not once per test"


def test_import_error_is_explained(tmp_path):
    broken = "import torch\n\nraise_here = undefined_name\n"
    grade = grading.grade(_submission(tmp_path, self_attention=broken), STEPS[:1], all_steps=STEPS)
    message = _messages(grade.steps[0])[0]
    assert "importing self_attention.py failed (self_attention.py, line 3): NameError" in message


def test_missing_file_scores_zero_with_reason(tmp_path):
    submission = _submission(tmp_path)
    (submission / "assignments" / STEP03.id / STEP03.files[0]).unlink()
    grade = grading.grade(submission, [STEP03], all_steps=STEPS)
    assert grade.steps[0].status == "missing" and grade.steps[0].score == 0
    assert "positional_encoding.py was not found" in grade.steps[0].groups[0].note


def test_flat_submission_layout_is_accepted(tmp_path):
    shutil.copyfile(REFERENCE / STEP01.files[0], tmp_path / STEP01.files[0])
    grade = grading.grade(tmp_path, [STEP01], all_steps=STEPS)
    assert grade.steps[0].score == grade.steps[0].max_score


def test_only_listed_files_are_taken(tmp_path):
    submission = _submission(tmp_path)
    hostile = "import pytest\n@pytest.fixture(autouse=True)\ndef everything_passes():\n    pytest.skip('nope')\n"
    (submission / "assignments" / STEP01.id / "conftest.py").write_text(hostile)
    (submission / "conftest.py").write_text(hostile)
    grade = grading.grade(submission, [STEP01], all_steps=STEPS)
    assert grade.steps[0].score == grade.steps[0].max_score


def test_forbidden_api_found_in_the_code_costs_the_affected_part(tmp_path):
    source = _reference(STEP01).replace(
        "        out, weights = scaled_dot_product_attention(q, k, v, mask)\n        if return_attention:",
        "        out = torch.nn.functional.scaled_dot_product_attention(q, k, v)\n"
        "        weights = None\n        if return_attention:",
    )
    source = source.replace('"""Step 01', '"""Step 01 (F.scaled_dot_product_attention is only mentioned here)', 1)
    grade = grading.grade(_submission(tmp_path, self_attention=source), [STEP01], all_steps=STEPS)
    scores = {g.group.name: g for g in grade.steps[0].groups}
    assert scores["softmax"].score == scores["softmax"].max_score
    assert scores["scaled_dot_product_attention"].score == scores["scaled_dot_product_attention"].max_score
    assert scores["SelfAttention"].score == 0
    message = scores["SelfAttention"].failures[0].message
    assert "torch.nn.functional.scaled_dot_product_attention" in message and "self_attention.py, line" in message


def test_forbidden_api_hidden_from_the_syntax_tree_is_caught_at_run_time(tmp_path):
    source = _reference(STEP01).replace(
        "    shifted = x - x.amax(dim=dim, keepdim=True)  # the largest entry becomes 0\n"
        "    exp = torch.exp(shifted)  # every entry in (0, 1]\n"
        "    return exp / exp.sum(dim=dim, keepdim=True)\n",
        "    return getattr(torch, 'soft' + 'max')(x, dim)\n",
    )
    grade = grading.grade(_submission(tmp_path, self_attention=source), [STEP01], all_steps=STEPS, public_only=True)
    softmax_group = grade.steps[0].groups[0]
    assert softmax_group.score == 0
    assert all("Not graded" in o.message and "softmax" in o.message for o in softmax_group.failures)


def test_torch_softmax_is_allowed_outside_softmax(tmp_path):
    source = _reference(STEP01).replace("    weights = softmax(scores, dim=-1)  # (..., T_q, T_k)",
                                        "    weights = torch.softmax(scores, dim=-1)  # (..., T_q, T_k)")
    grade = grading.grade(_submission(tmp_path, self_attention=source), [STEP01], all_steps=STEPS)
    assert grade.steps[0].score == grade.steps[0].max_score


def test_endless_loop_in_forward_hits_the_per_test_timeout(tmp_path):
    source = _reference(STEP01).replace(FORWARD_LINE, "        while True:\n            pass")
    quick = dataclasses.replace(STEP01, limits=Limits(test_timeout=0.5, wall_clock=60))
    grade = grading.grade(_submission(tmp_path, self_attention=source), [quick], all_steps=STEPS, public_only=True)
    step = grade.steps[0]
    assert step.status == "ok"
    groups = {g.group.name: g for g in step.groups}
    assert groups["softmax"].score == groups["softmax"].max_score
    assert any("took longer than the 0.5 s limit" in o.message for o in groups["SelfAttention"].failures)


IGNORE_ALARMS_AND_LOOP = ("        import signal, time\n        signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                          "        while True:\n            time.sleep(0.01)")


def test_sandboxed_code_cannot_disarm_the_judges_timeout(tmp_path):
    source = _reference(STEP01).replace(FORWARD_LINE, IGNORE_ALARMS_AND_LOOP)
    quick = dataclasses.replace(STEP01, limits=Limits(test_timeout=0.5, wall_clock=30))
    grade = grading.grade(_submission(tmp_path, self_attention=source), [quick], all_steps=STEPS, public_only=True)
    step = grade.steps[0]
    groups = {g.group.name: g for g in step.groups}
    assert step.status == "ok" and step.seconds < 20
    assert groups["softmax"].score == groups["softmax"].max_score
    assert groups["SelfAttention"].score == 0
    assert all("took longer" in o.message for o in groups["SelfAttention"].failures)


def test_in_process_test_that_cannot_be_interrupted_is_killed_and_the_rest_still_run(tmp_path):
    # Without a sandbox (a student's local check) the code can disarm pytest-timeout's
    # SIGALRM; the runner then kills the test process from outside and carries on.
    source = _reference(STEP01).replace(FORWARD_LINE, IGNORE_ALARMS_AND_LOOP)
    quick = dataclasses.replace(STEP01, limits=Limits(test_timeout=0.5, wall_clock=30))
    grade = grading.grade(_submission(tmp_path, self_attention=source), [quick], all_steps=STEPS, public_only=True,
                          sandbox=False)
    step = grade.steps[0]
    assert step.status == "timeout" and step.seconds < 20
    groups = {g.group.name: g for g in step.groups}
    assert groups["softmax"].score == groups["softmax"].max_score  # runs after the stuck tests
    assert groups["scaled_dot_product_attention"].score == groups["scaled_dot_product_attention"].max_score
    assert groups["SelfAttention"].score == 0
    assert all("stopped after 2 s" in o.message for o in groups["SelfAttention"].failures)


def test_step_wall_clock_is_enforced(tmp_path):
    source = _reference(STEP01).replace(FORWARD_LINE, "        import time\n        time.sleep(2)\n" + FORWARD_LINE)
    quick = dataclasses.replace(STEP01, limits=Limits(test_timeout=5, wall_clock=3))
    grade = grading.grade(_submission(tmp_path, self_attention=source), [quick], all_steps=STEPS, public_only=True)
    step = grade.steps[0]
    assert step.status == "timeout" and "did not finish within 3 s" in step.detail
    assert step.seconds < 6
    assert any("did not run" in o.message or "ran out" in o.message for g in step.groups for o in g.failures)


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed", "in-process"])
def test_exit_in_student_code_fails_only_the_tests_that_exit(tmp_path, sandbox):
    source = _reference(STEP01).replace(FORWARD_LINE, "        import os\n        os._exit(0)")
    grade = grading.grade(_submission(tmp_path, self_attention=source), [STEP01], all_steps=STEPS, public_only=True,
                          sandbox=sandbox)
    step = grade.steps[0]
    groups = {g.group.name: g for g in step.groups}
    assert groups["softmax"].score == groups["softmax"].max_score
    assert groups["SelfAttention"].score == 0
    if sandbox:  # the sandbox died; the judge carries on with a fresh one
        assert step.status == "ok"
        assert all("ended during this call" in o.message for o in groups["SelfAttention"].failures)
    else:  # the test process died; the runner restarts it after the test that killed it
        assert step.status == "crashed"
        assert all("died during this test" in o.message for o in groups["SelfAttention"].failures)


def test_memory_hog_fails_its_test_only(tmp_path):
    source = _reference(STEP01).replace(FORWARD_LINE,
                                        "        hog = torch.empty(6 * 1024**3, dtype=torch.uint8)\n" + FORWARD_LINE)
    grade = grading.grade(_submission(tmp_path, self_attention=source), [STEP01], all_steps=STEPS, public_only=True)
    groups = {g.group.name: g for g in grade.steps[0].groups}
    assert grade.steps[0].status == "ok"
    assert groups["softmax"].score == groups["softmax"].max_score
    assert groups["SelfAttention"].score == 0


def test_huge_output_is_capped(tmp_path):
    source = _reference(STEP01).replace(FORWARD_LINE,
                                        "        print('x' * (20 * 1024 * 1024))\n" + FORWARD_LINE)
    grade = grading.grade(_submission(tmp_path, self_attention=source), [STEP01], all_steps=STEPS, public_only=True)
    step = grade.steps[0]
    groups = {g.group.name: g for g in step.groups}
    assert step.status == "ok"
    assert groups["softmax"].score == groups["softmax"].max_score  # tests that never print are unaffected
    messages = [o.message for o in groups["SelfAttention"].failures]
    assert groups["SelfAttention"].score == 0 and messages  # the 20 MB write itself was refused
    assert all("File too large" in m for m in messages), messages[:2]
