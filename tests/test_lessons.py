"""Every lesson has the seed's two voices, tasks, mistakes, points and test commands;
its demo code is the demo script itself, and the demos run on the reference."""
import re
import subprocess
import sys

import pytest

from grader import course, stubs

STEPS = course.load_course()
SECTIONS = ["## In plain words", "## The technical view", "## Your tasks", "## Hints", "## Common mistakes",
            "## Points", "## Run the tests"]


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_lesson_has_every_section_in_order(step):
    text = (step.folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith(f"# Step {step.number} — ")
    positions = [text.find(section) for section in SECTIONS]
    assert -1 not in positions, f"missing: {[s for s, p in zip(SECTIONS, positions) if p == -1]}"
    assert positions == sorted(positions), "sections out of order"
    assert stubs.points_table(step) in text
    assert f"python -m grader check {step.number}" in text
    assert f"pytest assignments/{step.id}/tests/public" in text


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_plain_language_part_has_no_code(step):
    text = (step.folder / "README.md").read_text(encoding="utf-8")
    plain = text[text.index("## In plain words"):text.index("## The technical view")]
    assert "```" not in plain and "torch" not in plain


DEMOS = [s for s in STEPS if (s.folder / "demo.py").exists()]


@pytest.mark.parametrize("step", DEMOS, ids=[s.id for s in DEMOS])
def test_lesson_shows_the_demo_script_verbatim(step):
    text = (step.folder / "README.md").read_text(encoding="utf-8")
    script = (step.folder / "demo.py").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert script in blocks, "the lesson's demo block must be demo.py, verbatim"
    assert f"python -m grader demo {step.number}" in text


@pytest.mark.parametrize("step", DEMOS, ids=[s.id for s in DEMOS])
def test_demo_runs_on_the_reference(step):
    result = subprocess.run([sys.executable, "-m", "grader", "demo", step.number, "--impl", "reference"],
                            cwd=course.ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_seed_live_demo_gives_the_seed_shape():
    result = subprocess.run([sys.executable, "-m", "grader", "demo", "05", "--impl", "reference"],
                            cwd=course.ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "torch.Size([1, 3, 4])" in result.stdout
    assert "torch.Size([1, 3, 4])" in (STEPS[4].folder / "README.md").read_text(encoding="utf-8")


def test_demo_on_the_stubs_says_what_to_do():
    result = subprocess.run([sys.executable, "-m", "grader", "demo", "05"], cwd=course.ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "not implemented yet" in result.stderr and "Traceback" not in result.stderr
