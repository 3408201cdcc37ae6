"""Stubs, golden outputs and points tables are generated from reference/ and never drift."""
import ast
import subprocess
import sys

import pytest

from grader import course, stubs

STEPS = course.load_course()


def test_generated_files_match_the_reference():
    drifted = stubs.drift(stubs.generated_files())
    assert not drifted, "run `python -m grader stubs`: " + ", ".join(str(p.relative_to(course.ROOT)) for p in drifted)


def test_stubs_check_command_passes():
    result = subprocess.run([sys.executable, "-m", "grader", "stubs", "--check"], cwd=course.ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_stub_keeps_the_api_and_hides_the_solution(step):
    reference = (course.ROOT / "reference" / step.files[0]).read_text(encoding="utf-8")
    stub = (step.folder / step.files[0]).read_text(encoding="utf-8")
    tree = ast.parse(stub)
    names = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert set(step.api) - {"EncoderBlock"} <= names
    assert "raise NotImplementedError" in stub and "TODO" in stub
    solution = [line.strip() for line in stubs.solution_lines(reference) if len(line.strip()) > 12]
    leaked = [line for line in solution if line in stub and not line.startswith("#")]
    assert not leaked, f"solution lines in the stub: {leaked}"


def test_make_stub_replaces_regions_and_keeps_todos():
    source = (
        "def f(x):\n"
        '    """Doc."""\n'
        "    # TODO: double x\n"
        "    # BEGIN SOLUTION\n"
        "    y = 2 * x\n"
        "    return y\n"
        "    # END SOLUTION\n"
    )
    assert stubs.make_stub(source) == 'def f(x):\n    """Doc."""\n    # TODO: double x\n    raise NotImplementedError\n'
    assert stubs.solution_lines(source) == ["    y = 2 * x", "    return y"]


@pytest.mark.parametrize("source,problem", [
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "nested"),
    ("x = 1\n# END SOLUTION\n", "without"),
    ("def f():\n    # BEGIN SOLUTION\n    pass\n", "never closed"),
    ("def f():\n    # BEGIN SOLUTION\n    pass\n# END SOLUTION\n", "indented"),
])
def test_bad_regions_are_refused(source, problem):
    with pytest.raises(stubs.RegionError, match=problem):
        stubs.make_stub(source)


def test_points_table_is_generated_from_the_manifest():
    step = STEPS[0]
    table = stubs.points_table(step)
    for group in step.groups:
        assert f"| `{group.name}` | {group.points} |" in table
    assert f"**{step.max_points}**" in table
    readme = f"intro\n{stubs.POINTS_BEGIN}\nold table\n{stubs.POINTS_END}\nrest"
    assert stubs.with_points_table(readme, step) == f"intro\n{stubs.POINTS_BEGIN}\n{table}\n{stubs.POINTS_END}\nrest"
