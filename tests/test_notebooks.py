"""The notebooks: generated without drift, runnable top to bottom, and graded by otter-grader
with the same checks, the same points and the same results format as the module files."""
import copy
import json
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader import batch, course, notebook_checks, stubs
from grader.notebooks import build, files, grade, plan
from grader.testkit import CheckFailure

STEPS = course.load_course()
IDS = [s.id for s in STEPS]
ANSWER_TAG = "otter_answer_cell"  # otter assign's tag on the cells students fill in


def _execute(notebook, folder: Path, timeout: int = 60, allow_errors: bool = False):
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def _solutions(step) -> list[str]:
    """The reference's code for each answer cell of the step's student notebook, in order."""
    pieces = plan.module_plan(plan.reference_source(step)).pieces
    return [plan.teaching_code(p.source) for p in pieces if p.has_solution]


def _with_reference(notebook, step):
    """The student notebook with the reference solution pasted into its answer cells."""
    filled = copy.deepcopy(notebook)
    solutions = _solutions(step)
    for cell in filled.cells:
        if ANSWER_TAG in cell.metadata.get("tags", []):
            cell.source = solutions.pop(0)
    assert not solutions, "more solution pieces than answer cells"
    return filled


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``otter assign`` on every step's master notebook: the student folder and the zips."""
    out = tmp_path_factory.mktemp("otter")
    zips = build.build(out)
    return out, zips


def _timed(function, *args):
    start = time.monotonic()
    try:
        return function(*args), time.monotonic() - start
    except Exception as error:  # noqa: BLE001 - reported by the step's own test
        return error, time.monotonic() - start


@pytest.fixture(scope="module")
def teaching_runs():
    """Every teaching notebook executed, two kernels at a time: step id -> (notebook or error, seconds)."""
    def run(step):
        path = files.teaching_path(step)
        return _timed(_execute, nbformat.read(path, as_version=4), path.parent)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(IDS, pool.map(run, STEPS)))


@pytest.fixture(scope="module")
def otter_runs(built, tmp_path_factory):
    """Each step's student notebook with the reference pasted in, graded by ``otter run``
    (two steps at a time): step id -> (report, seconds)."""
    out, zips = built
    folder = tmp_path_factory.mktemp("pasted")

    def run(step):
        pasted = folder / f"{step.id}.ipynb"
        nbformat.write(_with_reference(nbformat.read(out / "student" / f"{step.id}.ipynb", as_version=4), step), pasted)
        return _timed(lambda: grade.run_otter([pasted], zips[step.id], step)[0])

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(IDS, pool.map(run, STEPS)))


# ---------------------------------------------------------------- generation


def test_notebooks_check_command_passes():
    result = subprocess.run([sys.executable, "-m", "grader", "notebooks", "--check"], cwd=course.ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_notebooks_are_clean_and_deterministic():
    generated = files.generated_files()
    assert generated == files.generated_files(), "two generations differ"
    for path, text in generated.items():
        notebook = nbformat.reads(text, as_version=4)
        ids = [cell.id for cell in notebook.cells]
        assert len(set(ids)) == len(ids)
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in notebook.cells if c.cell_type == "code")


def test_every_check_of_the_suites_is_a_notebook_test_case():
    """Module and notebook grading count the same tests, so they give the same points."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             *[str(s.folder / "tests") for s in STEPS], "--impl", "reference"],
                            cwd=course.ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    for step in STEPS:
        pytest_count = sum(f"assignments/{step.id}/tests/" in line for line in collected)
        checks = notebook_checks.step_checks(step, "public") + notebook_checks.step_checks(step, "hidden")
        asked = sum(len(q.checks) for q in plan.questions(step, plan.module_plan(plan.reference_source(step))))
        assert pytest_count == len(checks) == asked, step.id


# ---------------------------------------------------------------- teaching notebooks


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_teaching_notebook_runs_top_to_bottom(step, teaching_runs):
    notebook, seconds = teaching_runs[step.id]
    if isinstance(notebook, Exception):
        raise notebook
    assert seconds < 60
    pictures = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    if (step.folder / "pictures.py").exists():
        assert pictures, "the step's pictures drew nothing"


def test_teaching_notebook_has_the_reference_without_markers():
    step = STEPS[0]
    text = files.teaching_path(step).read_text(encoding="utf-8")
    assert "# TODO" not in text and stubs.BEGIN not in text and stubs.END not in text
    assert "def softmax(x, dim=-1):" in text


# ---------------------------------------------------------------- student notebooks and otter


def test_student_folder_has_no_solution_and_no_hidden_test(built):
    out, _ = built
    student = out / "student"
    leaked_paths = [p for p in student.rglob("*") if "hidden" in p.parts or "reference" in p.parts]
    assert not leaked_paths
    for step in STEPS:
        notebook = json.loads((student / f"{step.id}.ipynb").read_text(encoding="utf-8"))
        text = "\n".join(_strings(notebook))
        reference = (course.ROOT / "reference" / step.files[0]).read_text(encoding="utf-8")
        public = "\n".join(p.read_text(encoding="utf-8") for p in (step.folder / "README.md", step.folder / "demo.py",
                                                                  step.folder / "pictures.py") if p.exists())
        solution = {line.strip() for line in stubs.solution_lines(reference)
                    if len(line.strip()) > 12 and not line.strip().startswith("#") and line.strip() not in public}
        leaked = sorted(line for line in solution if line in text)
        assert not leaked, f"{step.id}: solution lines in the student notebook: {leaked[:3]}"
        assert "hidden/" not in text, f"{step.id}: a hidden test is named in the student notebook"


def _strings(tree):
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, list):
        for item in tree:
            yield from _strings(item)
    elif isinstance(tree, dict):
        for item in tree.values():
            yield from _strings(item)


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_student_notebook_shows_the_stub(step, built):
    out, _ = built
    notebook = nbformat.read(out / "student" / f"{step.id}.ipynb", as_version=4)
    answers = [c.source.strip() for c in notebook.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    pieces = plan.module_plan(plan.reference_source(step)).pieces
    assert answers == [plan.student_code(p.source).strip() for p in pieces if p.has_solution]
    checks = {f'grader.check("q{number}")' for number in range(1, len(step.groups) + 1)}
    assert checks <= {c.source.strip() for c in notebook.cells}


def test_autograder_zip_has_hidden_tests_reference_and_torch(built):
    _, zips = built
    step = STEPS[1]
    with zipfile.ZipFile(zips[step.id]) as zipped:
        names = set(zipped.namelist())
        environment = zipped.read("environment.yml").decode()
    assert {f"files/assignments/{step.id}/tests/hidden/{p.name}" for p in step.suite("hidden").glob("test_*.py")} <= names
    assert {"files/reference/self_attention.py", "files/reference/multi_head_attention.py"} <= names
    assert "torch==" in environment and "+cpu" in environment


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_otter_run_gives_the_reference_full_marks(step, otter_runs):
    report, seconds = otter_runs[step.id]
    if isinstance(report, Exception):
        raise report
    full = grade.step_score(step, report, seconds)
    assert [g.note for g in full.groups] == [""] * len(full.groups), report
    assert full.score == full.max_score == step.max_points, [(g.group.name, g.failures[:1]) for g in full.groups]


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_otter_tests_give_the_untouched_notebook_zero(step, built):
    """The autograder's own test files (otter's runner, every public and hidden case) on the
    code cells of the untouched student notebook: not one case passes. (A full ``otter run``
    of an untouched notebook is in the batch test below; this is the same test files
    without a kernel per step.)"""
    from otter.test_files import ExceptionTestFile

    out, zips = built
    notebook = nbformat.read(out / "student" / f"{step.id}.ipynb", as_version=4)
    env = {}
    for cell in notebook.cells:
        if "course_module" in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{step.id}.ipynb", "exec"), env)
    cases = []
    with zipfile.ZipFile(zips[step.id]) as zipped:
        for name in sorted(n for n in zipped.namelist() if n.startswith("tests/q")):
            test_file = ExceptionTestFile.from_string(zipped.read(name).decode(), path=name)
            test_file.run(env)
            assert test_file.score == 0, name
            cases += test_file.test_case_results
    assert len(cases) == sum(len(q.checks) for q in plan.questions(step, plan.module_plan(plan.reference_source(step))))
    assert all(not case.passed for case in cases)
    assert "not implemented yet" in cases[0].message


def test_student_notebooks_give_grader_check_feedback_in_jupyter(built, tmp_path):
    """A student fills step 01 and 02 in their notebooks: 02 imports their own 01."""
    out, _ = built
    folder = tmp_path / "student"
    shutil.copytree(out / "student", folder)
    for step in STEPS[:2]:
        path = folder / f"{step.id}.ipynb"
        nbformat.write(_with_reference(nbformat.read(path, as_version=4), step), path)
    notebook = _execute(nbformat.read(folder / f"{STEPS[1].id}.ipynb", as_version=4), folder, allow_errors=True)
    checks = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith("grader.check")]
    results = [o["data"]["text/plain"] for c in checks for o in c.outputs if "data" in o]
    assert len(results) == len(STEPS[1].groups) and all("All test cases passed" in r for r in results), results
    untouched = nbformat.read(folder / f"{STEPS[2].id}.ipynb", as_version=4)
    first_check = next(i for i, c in enumerate(untouched.cells) if c.source.startswith("grader.check"))
    untouched.cells = untouched.cells[:first_check + 1]  # up to the first question's check
    _execute(untouched, folder, allow_errors=True)
    feedback = [o["data"]["text/plain"] for o in untouched.cells[-1].outputs if "data" in o]
    assert feedback and "not implemented yet: PositionalEncoding.__init__" in feedback[0]


def test_batch_grades_notebooks_into_the_gradebook_and_resumes(built, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # where the autograder zip gets built
    out, zips = built
    step = STEPS[0]
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    untouched = nbformat.read(out / "student" / f"{step.id}.ipynb", as_version=4)
    nbformat.write(_with_reference(untouched, step), submissions / "ann.ipynb")
    nbformat.write(untouched, submissions / "bob.ipynb")
    from io import StringIO

    from rich.console import Console

    console = Console(file=StringIO(), width=120)
    batch.run(submissions, tmp_path / "out", jobs=2, step_keys=step.number, console=console)
    rows = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith(f"student,{step.id},total")
    assert rows[1].startswith(f"ann,{step.max_points},{step.max_points}") and rows[2].startswith("bob,0,0")
    results = json.loads((tmp_path / "out" / "ann" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == step.max_points and results["tests"][0]["tags"] == [step.id]
    batch.run(submissions, tmp_path / "out", jobs=2, step_keys=step.number, console=console)
    assert "2 submission(s) unchanged" in console.file.getvalue()


def test_grade_command_refuses_a_notebook_of_no_step(tmp_path):
    stray = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), stray)
    result = subprocess.run([sys.executable, "-m", "grader", "grade", str(stray)], cwd=course.ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "not one of the course's notebooks" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- the checks on notebook objects


def _cell_namespace(source: str) -> dict:
    env = {}
    exec(compile(source, "/tmp/ipykernel_0/cell.py", "exec"), env)
    return env


def test_a_check_reports_torch_softmax_in_a_notebook_as_forbidden():
    env = _cell_namespace("import torch\ndef softmax(x, dim=-1):\n    return torch.softmax(x, dim)\n")
    with pytest.raises(CheckFailure, match="Not graded: your code calls torch's `softmax`"):
        notebook_checks.run(env, STEPS[0].id, "public/test_softmax.py::test_softmax_rows_are_probabilities")


def test_a_check_names_a_missing_definition_and_runs_parametrised_cases():
    with pytest.raises(CheckFailure, match="does not define `softmax` yet"):
        notebook_checks.run({}, STEPS[0].id, "public/test_softmax.py::test_softmax_keeps_the_shape")
    hidden = [c.id for c in notebook_checks.step_checks(STEPS[0], "hidden") if "[" in c.id]
    assert hidden and hidden[0].endswith("[0]")


def test_a_check_stops_an_endless_loop():
    with pytest.raises(CheckFailure, match="took longer than the 0.2 s limit"):
        with notebook_checks._time_limit(0.2):
            while True:
                pass
