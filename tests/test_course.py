"""The manifests and suites are consistent: every test belongs to a group, points are
whole numbers, every step forbids torch's attention, every test has a timeout."""
import ast
from pathlib import Path

import pytest

from grader import course, forbidden

STEPS = course.load_course()


def _test_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_every_test_belongs_to_exactly_one_group(step):
    for kind in ("public", "hidden"):
        for path in step.suite(kind).glob("test_*.py"):
            for name in _test_functions(path):
                owners = [g.name for g in step.groups if g.matches(path.name, name)]
                assert len(owners) == 1, f"{path.name}::{name} belongs to {owners or 'no group'}"


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_every_group_has_public_and_hidden_tests(step):
    for group in step.groups:
        for kind in ("public", "hidden"):
            tests = [n for p in step.suite(kind).glob("test_*.py") for n in _test_functions(p) if group.matches(p.name, n)]
            assert tests, f"group {group.name!r} of {step.id} has no {kind} test"


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_manifest_is_sound(step):
    assert all(isinstance(g.points, int) and g.points > 0 for g in step.groups)
    assert "torch-attention" in step.forbidden, "the from-scratch rule applies to every step (SPEC §4)"
    assert set(step.forbidden) | {r for rules in step.forbidden_inside.values() for r in rules} <= set(forbidden.RULES)
    assert (course.ROOT / "reference" / step.files[0]).is_file()
    reference = ast.parse((course.ROOT / "reference" / step.files[0]).read_text(encoding="utf-8"))
    defined = {n.name for n in reference.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in reference.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    assert set(step.api) <= defined, f"api names missing from the reference: {set(step.api) - defined}"
    assert 0 < step.limits.test_timeout < step.limits.wall_clock
    assert step.limits.memory_mb >= 1024


def test_steps_are_in_teaching_order():
    assert [s.number for s in STEPS] == sorted(s.number for s in STEPS)
    assert [s.id for s in STEPS][:5] == ["01_self_attention", "02_multi_head_attention", "03_positional_encoding",
                                         "04_transformer_block", "05_mini_transformer"]


def test_group_matching():
    group = course.Group("g", 1, ("test_a.py", "test_b.py::test_x*"))
    assert group.matches("test_a.py", "test_anything[3]")
    assert group.matches("test_b.py", "test_x_y")
    assert not group.matches("test_b.py", "test_y")
    assert not group.matches("test_c.py", "test_x")


def test_find_and_select_steps():
    assert course.find_step(STEPS, "1").id == "01_self_attention"
    assert course.find_step(STEPS, "02").id == "02_multi_head_attention"
    assert course.find_step(STEPS, "positional_encoding").id == "03_positional_encoding"
    assert [s.number for s in course.select_steps(STEPS, "03, 01")] == ["03", "01"]
    with pytest.raises(KeyError, match="the steps are"):
        course.find_step(STEPS, "99")


def test_bad_manifest_is_reported(tmp_path):
    folder = tmp_path / "07_x"
    folder.mkdir()
    (folder / "assignment.toml").write_text('id = "07_x"\ntitle = "X"\nfiles = ["x.py"]\napi = []\n'
                                            '[[groups]]\nname = "a"\npoints = 1.5\ntests = ["t.py"]\n')
    with pytest.raises(course.ManifestError, match="points"):
        course.load_step(folder)
