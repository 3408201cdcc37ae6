"""The student version (``python -m grader release``): what ships and what never does, the
workflows (linted, and their ``run:`` steps executed in fresh clones), the Classroom 50
autograder, the hidden-tests variant, and batch grading of a ``gh teacher download`` folder.

GitHub Actions cannot run here: workflows are linted against GitHub's schema and their
``run:`` steps executed locally, skipping the ``uses:`` steps and the dependency install
(the pinned requirements are already installed in this environment).
"""
import ast
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from grader import batch, classroom50, course, release, stubs, workflows
from tests import catalogue

STEPS = course.load_course()
MAX_POINTS = sum(s.max_points for s in STEPS)
INSTALL_STEP = re.compile(r"pip install")
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
CLASSROOM50_ENV = {"CLASSROOM": "ml-fall", "ASSIGNMENT": "transformers-from-scratch", "USERNAME": "ann", "OWNER": "ann",
                   "SUBMISSION_TAG": "submit/20261204T120000Z-abc1234"}


# ---------------------------------------------------------------- helpers


def _run(command, cwd, env=None, timeout=180, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def _as_repository(folder: Path) -> Path:
    """Commit ``folder`` (a built release) as the template repository's first commit."""
    if not (folder / ".git").exists():
        _run([*GIT, "init", "-q"], folder, check=True)
        _run([*GIT, "add", "-A"], folder, check=True)
        _run([*GIT, "commit", "-q", "-m", "Student version"], folder, check=True)
    return folder


def _clone(template: Path, dest: Path) -> Path:
    """What a student has after accepting the assignment and cloning it."""
    _run([*GIT, "clone", "-q", str(_as_repository(template)), str(dest)], dest.parent, check=True)
    return dest


def _solve(checkout: Path, steps=STEPS) -> Path:
    """Copy the reference modules of ``steps`` over the stubs, as a student who finished them."""
    for step in steps:
        shutil.copyfile(course.ROOT / "reference" / step.files[0], checkout / "assignments" / step.id / step.files[0])
    return checkout


def _built(tmp: Path, options=release.Options()) -> Path:
    release.write(tmp, release.release_files(options))
    return tmp


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` as true
    return data


def _steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def _simulate(workflow: dict, workspace: Path, tmp: Path) -> tuple[list[str], dict]:
    """Run the workflow's ``run:`` steps as a runner would (bash -e, GitHub's variables, step
    conditions), skipping ``uses:`` steps and the install step. Returns the names of the
    steps that failed and the variables' files."""
    files = {"GITHUB_STEP_SUMMARY": tmp / "step_summary.md", "GITHUB_OUTPUT": tmp / "output.txt"}
    env = {**os.environ, **{k: str(v) for k, v in files.items()}, "GITHUB_WORKSPACE": str(workspace), "CI": "true",
           "GITHUB_ACTIONS": "true", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    failed = []
    for index, step in enumerate(_steps(workflow)):
        if "run" not in step or INSTALL_STEP.search(step["run"]):
            continue
        if failed and step.get("if") != "always()":
            continue
        script = tmp / f"step{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        result = _run(["bash", "-e", str(script)], workspace / step.get("working-directory", "."), env, timeout=240)
        (tmp / f"step{index}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        if result.returncode != 0:
            failed.append(step["name"])
    return failed, {k: v.read_text(encoding="utf-8") if v.exists() else "" for k, v in files.items()}


def _secret_lines() -> dict[str, str]:
    """Solution text: each line of a solution region of reference/, mapped to its module, unless
    * it is shorter than 16 characters once stripped (`return out`, `x = x + y`, `else:` are in
      any Python file; about 16 characters is where a line starts to say something specific
      to one solution, such as a whole expression with its arguments);
    * it is a comment (the stubs keep the TODO comments on purpose);
    * it also occurs outside every solution region (it is in the stubs by design);
    * it stores a constructor argument under its own name (`self.max_len = max_len`: the API of
      SPEC §3.1 names these attributes);
    * it is the head of a statement continued on the next lines (ends with `(`, `[` or `{`: the
      lines that follow carry the content and are checked themselves);
    * it is one of two common idioms listed below, which given code contains for its own reasons.
    """
    generic = {
        "with torch.no_grad():": "the grader's own modules use it (proxy, testkit, golden)",
        "model.train(was_training)": "07's public test quotes it in its feedback, as the hint for restoring the mode",
    }
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted((course.ROOT / "reference").glob("*.py"))}
    public = set()
    for text in sources.values():
        lines = text.splitlines()
        inside = {i for r in stubs.solution_regions(lines) for i in range(r.first, r.last + 1)}
        public |= {line.strip() for i, line in enumerate(lines) if i not in inside}
    secret = {}
    for name, text in sources.items():
        for line in (raw.strip() for raw in stubs.solution_lines(text)):
            if (len(line) >= 16 and not line.startswith("#") and line not in public and line not in generic
                    and not re.fullmatch(r"self\.(\w+) = \1", line) and not line.endswith(("(", "[", "{"))):
                secret.setdefault(line, name)
    return secret


def _leaks(files: dict[str, bytes], secret: dict[str, str]) -> list[str]:
    """Every (solution line, file) pair where the line occurs in the file (whitespace-insensitive,
    anywhere in it: a line of code, or code quoted in a lesson's prose)."""
    def flat(text: str) -> str:
        return " ".join(text.split())

    texts = {path: flat(content.decode("utf-8", errors="replace")) for path, content in files.items()}
    return [f"{secret[line]}: {line!r} in {path}" for line in secret for path, text in texts.items() if flat(line) in text]


def _unpinned_imports(folder: Path, pinned: set[str]) -> list[str]:
    """Third-party modules imported by a Python file of ``folder`` whose distribution (as
    installed here) is not in ``pinned``."""
    distributions = importlib.metadata.packages_distributions()
    own = {"grader", "starter_code", *(s.module for s in STEPS)}
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            for top in {n.split(".")[0] for n in names} - own - set(sys.stdlib_module_names):
                if not {d.lower() for d in distributions.get(top, [top])} & pinned:
                    found.append(f"{path.relative_to(folder)} imports {top}")
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The default student version, committed as a template repository."""
    return _as_repository(_built(tmp_path_factory.mktemp("template")))


# ---------------------------------------------------------------- what ships


def test_the_release_holds_what_students_need_and_nothing_else(template):
    files = {p.relative_to(template).as_posix() for p in template.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert {p.split("/")[0] for p in files} == {".github", ".gitignore", "README.md", "assignments", "conftest.py",
                                               "grader", "pytest.ini", "requirements.txt", "starter_code"}
    assert not [p for p in files if "/hidden/" in p or p.startswith(("reference/", "tests/", "docs/", "bench/"))]
    for step in STEPS:
        folder = f"assignments/{step.id}"
        assert {f"{folder}/README.md", f"{folder}/assignment.toml", f"{folder}/{step.files[0]}",
                f"{folder}/tests/public/golden.json"} <= files
        assert (template / folder / step.files[0]).read_bytes() == (step.folder / step.files[0]).read_bytes()
        public = {p.name for p in step.suite("public").glob("test_*.py")}
        assert {p.rsplit("/", 1)[1] for p in files if p.startswith(f"{folder}/tests/public/test_")} == public
    shipped = {Path(p).stem for p in files if p.startswith("grader/") and p.endswith(".py")}
    assert {"cli", "plugin", "check", "grading", "sandbox", "testkit", "golden", "contract"} <= shipped
    assert not shipped & {"batch", "stubs", "release", "workflows", "classroom50"}
    assert files & {".github/workflows/grade.yml"} and not [p for p in files if p.endswith("classroom.yml")]
    pins = set((course.ROOT / "requirements.txt").read_text().splitlines())
    required = [line for line in (template / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    assert set(required) <= pins and set(release.STUDENT_PACKAGES) <= {r.split("==")[0] for r in required}
    pinned = {r.split("==")[0].lower() for r in required}
    assert not _unpinned_imports(template, pinned)
    assert _unpinned_imports(template, pinned - {"torch"}), "the check must notice a missing pin"
    readme = (template / "README.md").read_text()
    for command in ("python -m grader check 01", "pytest assignments/01_self_attention/tests/public",
                    "python -m grader grade --public-only", "python -m grader demo 05", "## Submitting"):
        assert command in readme


def test_no_solution_text_in_any_released_file():
    secret = _secret_lines()
    assert len(secret) > 100, "the rule should leave most solution lines to check"
    reference = {p.name: p.read_bytes() for p in (course.ROOT / "reference").glob("*.py")}
    assert len(_leaks(reference, secret)) >= len(secret), "the check must find the solution where it is"
    variants = [release.Options(), release.Options("classic"), release.Options("hidden", "teacher/course", True)]
    for options in variants:
        files = release.release_files(options)
        files.update({f"classroom50/{k}": v for k, v in classroom50.bundle_files(files).items()})
        assert _leaks(files, secret) == [], f"solution text in the {options.layout} release"


def test_the_build_is_deterministic_and_refuses_to_clobber_work(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        result = _run([sys.executable, "-m", "grader", "release", str(out)], course.ROOT)
        assert result.returncode == 0, result.stderr

    def tree(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(first) == tree(second)

    (second / ".git").mkdir()
    (second / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (second / "notes.txt").write_text("a student's file")
    refused = _run([sys.executable, "-m", "grader", "release", str(second)], course.ROOT)
    assert refused.returncode == 2 and "not empty" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr and (second / "notes.txt").exists()
    forced = _run([sys.executable, "-m", "grader", "release", str(second), "--force"], course.ROOT)
    assert forced.returncode == 0, forced.stderr
    assert not (second / "notes.txt").exists() and (second / ".git" / "HEAD").exists()
    assert {k: v for k, v in tree(second).items() if not k.startswith(".git/")} == tree(first)


def test_the_build_never_replaces_the_course_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "ROOT", tmp_path / "work" / "course")  # a stand-in: nothing real is at risk
    course.ROOT.mkdir(parents=True)
    (course.ROOT / "README.md").write_text("the course")
    for out in (course.ROOT, course.ROOT.parent):
        with pytest.raises(release.ReleaseError, match="holds the course itself"):
            release.prepare(out, force=True)
    assert (course.ROOT / "README.md").read_text() == "the course"


# ---------------------------------------------------------------- a student's checkout


def test_public_tests_fail_on_the_stubs_and_pass_on_the_reference_in_a_fresh_clone(template, tmp_path):
    checkout = _clone(template, tmp_path / "student")
    suite = ["assignments/01_self_attention/tests/public", "-q"]
    stub_run = _run([sys.executable, "-m", "pytest", *suite], checkout)
    assert stub_run.returncode == 1 and " passed" not in stub_run.stdout and "failed" in stub_run.stdout
    assert "not implemented yet" in stub_run.stdout

    _solve(checkout, STEPS[:1])  # `python -m grader check`: see the classic Classroom test
    solved_run = _run([sys.executable, "-m", "pytest", *suite], checkout)
    assert solved_run.returncode == 0 and " passed" in solved_run.stdout, solved_run.stdout[-2000:]

    _solve(checkout, STEPS[1:5])
    demo = _run([sys.executable, "-m", "grader", "demo", "05"], checkout)
    assert demo.returncode == 0 and "Traceback" not in demo.stderr, demo.stderr
    for command in (["stubs"], ["batch", ".", "--out", "out"], ["release", "out"], ["demo", "05", "--impl", "reference"]):
        refused = _run([sys.executable, "-m", "grader", *command], checkout)
        assert refused.returncode == 2 and refused.stderr.startswith(("error:", "--impl")), refused.stderr
        assert "Traceback" not in refused.stderr


def test_student_workflow_grades_every_push_and_always_shows_the_table(template, tmp_path):
    workflow = _workflow(template / ".github/workflows/grade.yml")
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "3.11" and setup["with"]["cache"] == "pip"
    install = next(s["run"] for s in job["steps"] if INSTALL_STEP.search(s.get("run", "")))
    assert "-r requirements.txt" in install and workflows.CPU_INDEX in install
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@v4"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "results.json"

    for name, solved in (("stubs", []), ("solved", STEPS)):
        checkout = _solve(_clone(template, tmp_path / name), solved)
        logs = tmp_path / f"{name}-runner"
        logs.mkdir()
        started = time.monotonic()
        failed, variables = _simulate(workflow, checkout, logs)
        print(f"student workflow ({name}): run steps took {time.monotonic() - started:.1f} s")
        assert failed == [], f"{failed} failed: a wrong answer must not fail the job"
        results = json.loads((checkout / "results.json").read_text())
        assert results["score"] == (MAX_POINTS if solved else 0)
        summary = variables["GITHUB_STEP_SUMMARY"]
        assert summary.startswith("## Public tests") and "| Step | Score | Status |" in summary
        assert f"**{results['score']}/{MAX_POINTS}**" in summary
        if not solved:
            assert "### What to fix" in summary and "not implemented yet" in summary
        assert "::notice title=Public tests::Total" in "".join(p.read_text() for p in logs.glob("*.log"))


def test_student_workflow_fails_only_when_grading_cannot_run(template, tmp_path):
    checkout = _clone(template, tmp_path / "broken")
    shutil.rmtree(checkout / "grader")  # nothing left to grade with
    failed, variables = _simulate(_workflow(template / ".github/workflows/grade.yml"), checkout, tmp_path)
    assert failed == ["Grade the public tests", "Write the score table to the job summary"]
    assert "Grading did not run" in variables["GITHUB_STEP_SUMMARY"]


# ---------------------------------------------------------------- classic GitHub Classroom


def test_classic_classroom_layout_gives_each_step_all_or_nothing(tmp_path):
    template = _as_repository(_built(tmp_path / "template", release.Options("classic")))
    assert not (template / ".github/workflows/grade.yml").exists()
    workflow = _workflow(template / ".github/workflows/classroom.yml")
    assert workflow["name"] == "Autograding Tests" and set(workflow["on"]) >= {"push", "repository_dispatch"}
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    job = workflow["jobs"]["run-autograding-tests"]
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    graders = [s for s in job["steps"] if s.get("uses") == "education/autograding-command-grader@v1"]
    assert [(s["with"]["test-name"], s["with"]["max-score"]) for s in graders] == \
        [(f"{s.number} {s.title}", s.max_points) for s in STEPS]
    assert all(isinstance(s["with"]["timeout"], int) and s["with"]["timeout"] >= 2 for s in graders)
    (reporter,) = [s for s in job["steps"] if s.get("uses") == "education/autograding-grading-reporter@v1"]
    ids = reporter["with"]["runners"].split(",")
    assert ids == [s["id"] for s in graders]
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{ steps.{i}.outputs.result }}}}" for i in ids}

    # The command grader runs each command with PATH and HOME only (no step env, no secrets).
    restricted = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
                  "FORCE_COLOR": "true", "DOTNET_CLI_HOME": "/tmp", "DOTNET_NOLOGO": "true"}
    solved = _solve(_clone(template, tmp_path / "solved"))
    stubbed = _clone(template, tmp_path / "stubbed")

    def command(step, checkout):
        return _run(["/bin/sh", "-c", step["with"]["command"]], checkout, restricted)

    assert [s["with"]["command"] for s in graders] == [f"python -m grader check {s.number}" for s in STEPS]
    runs = [(graders[0], solved), (graders[-1], solved), (graders[0], stubbed)]  # first and last steps
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, last, unfinished = pool.map(lambda run: command(*run), runs)
    assert first.returncode == last.returncode == 0, "a finished step must pass its command"
    assert "All public tests pass" in first.stdout, first.stdout
    assert unfinished.returncode == 1 and "not implemented yet" in unfinished.stdout, "an unfinished step must fail"


# ---------------------------------------------------------------- Classroom 50


def _validate_classroom50_result(data: dict, env: dict) -> None:
    """The checks Classroom 50's runner makes on an autograder's result.json (after stamping
    owner, assignment_type and datetime, which this autograder sets too)."""
    assert data["schema"] == "classroom50/result/v1"
    assert data["classroom"] == env["CLASSROOM"] and data["assignment"] == env["ASSIGNMENT"]
    assert data["submission"] == env["SUBMISSION_TAG"] and data["submission"].startswith("submit/")
    for field in ("owner", "assignment_type", "commit", "release", "review", "datetime"):
        assert isinstance(data[field], str) and data[field], field
    for key in ("score", "max-score"):
        assert type(data[key]) is int and data[key] >= 0, key
    assert data["score"] <= data["max-score"]
    assert isinstance(data["tests"], list) and data["tests"]
    for test in data["tests"]:
        assert set(test) == {"test-name", "passed", "score", "max-score"}
        assert isinstance(test["test-name"], str) and test["test-name"] and type(test["passed"]) is bool
        assert type(test["score"]) is int and type(test["max-score"]) is int and 0 <= test["score"] <= test["max-score"]
        assert test["passed"] == (test["score"] == test["max-score"])
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    assert sum(t["max-score"] for t in data["tests"]) == data["max-score"]


def test_classroom50_autograder_grades_a_checkout(template, tmp_path):
    config = tmp_path / "classroom50" / "ml-fall"
    result = _run([sys.executable, "-m", "grader", "release", str(tmp_path / "out"), "--classroom50", str(config)],
                  course.ROOT)
    assert result.returncode == 0, result.stderr
    bundle = config / "autograders" / classroom50.DEFAULT_SLUG
    contents = [p for p in bundle.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in contents) < classroom50.MAX_BYTES
    assert (bundle / "autograder.py").is_file() and not [p for p in contents if "hidden" in p.parts]
    assert "reference" not in {part for p in contents for part in p.relative_to(bundle).parts}

    checkout = _solve(_clone(template, tmp_path / "ann"), STEPS[:1])  # step 01 done, the rest still stubs
    (checkout / "assignments" / STEPS[0].id / "tests" / "public" / "test_softmax.py").write_text("")  # ignored
    outputs = tmp_path / "github_output"
    env = {**os.environ, **CLASSROOM50_ENV, "CLASSROOM50_BUNDLE_DIR": str(bundle), "GITHUB_OUTPUT": str(outputs),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"), "GITHUB_SHA": "0" * 40}
    graded = _run([sys.executable, str(bundle / "autograder.py")], checkout, env)
    assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr
    data = json.loads((checkout / "result.json").read_text())
    _validate_classroom50_result(data, env)
    head = _run(["git", "rev-parse", "HEAD"], checkout).stdout.strip()
    assert data["commit"] == head and data["max-score"] == MAX_POINTS
    assert data["score"] == STEPS[0].max_points
    assert all(t["passed"] == t["test-name"].startswith("01 ") for t in data["tests"])
    body = (checkout / "release-body.md").read_text()
    assert f"{STEPS[0].max_points}/{MAX_POINTS}" in body and "not implemented yet" in body
    lines = outputs.read_text().splitlines()
    assert lines[0] == "status=failure" and lines[1].startswith("summary=") and len(lines) == 2

    wrong_tag = _run([sys.executable, str(bundle / "autograder.py")], checkout, {**env, "SUBMISSION_TAG": "v1"})
    assert wrong_tag.returncode != 0 and "submit/" in wrong_tag.stderr and "Traceback" not in wrong_tag.stderr


def test_classroom50_autograder_installs_only_what_is_missing(tmp_path):
    spec = importlib.util.spec_from_file_location("autograder", classroom50.AUTOGRADER)
    autograder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(autograder)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# pinned\ntorch==2.13.0\npytest-timeout==2.4.0\nno-such-package-here==1.0\n")
    pins = autograder.pinned_requirements(requirements)
    assert pins == ["torch==2.13.0", "pytest-timeout==2.4.0", "no-such-package-here==1.0"]
    assert autograder.missing_modules(pins) == ["no_such_package_here"]
    command = autograder.install_command(requirements)
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[command.index("-r") + 1] == str(requirements) and workflows.CPU_INDEX in command


# ---------------------------------------------------------------- hidden tests on push


def test_hidden_tests_workflow_grades_with_the_private_course(tmp_path):
    template = _as_repository(_built(tmp_path / "template", release.Options("hidden", "teacher/course")))
    workflow = _workflow(template / ".github/workflows/grade.yml")
    checkouts = [s for s in _steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert [c["with"]["path"] for c in checkouts] == ["submission", "course"]
    assert checkouts[1]["with"]["repository"] == "teacher/course"
    assert checkouts[1]["with"]["token"] == "${{ secrets.COURSE_TOKEN }}"

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    submission = _solve(_clone(template, workspace / "submission"))
    bug = catalogue.bugs()[0]  # a realistic mistake in step 01 that the hidden tests catch
    step = course.find_step(STEPS, bug.step)
    (submission / "assignments" / step.id / step.files[0]).write_text(catalogue.mutated_source(bug, step))
    (workspace / "course").symlink_to(course.ROOT, target_is_directory=True)  # stands in for the private checkout
    failed, variables = _simulate(workflow, workspace, tmp_path)
    assert failed == []
    results = json.loads((workspace / "results.json").read_text())
    lost = {t["tags"][0] for t in results["tests"] if t["score"] < t["max_score"]}
    assert lost == {step.id} and results["score"] < MAX_POINTS
    assert any("(hidden)" in t["output"] for t in results["tests"] if t["tags"] == [step.id])
    assert variables["GITHUB_STEP_SUMMARY"].startswith("## Public and hidden tests")


# ---------------------------------------------------------------- collecting and linting


def test_batch_grades_a_gh_teacher_download_folder(template, tmp_path):
    """`gh teacher download ORG CLASSROOM ASSIGNMENT` clones every student repository into one
    folder, writes scores.csv next to them and result.json/results.json inside each clone."""
    download = tmp_path / "ml-fall-tfs_submissions_2026_12_04_T_12_00_00"
    download.mkdir()
    for name, solved in (("ml-fall-tfs-ann", STEPS[:1]), ("ml-fall-tfs-ben", [])):
        checkout = _solve(_clone(template, download / name), solved)
        (checkout / "result.json").write_text(json.dumps({"schema": "classroom50/result/v1", "score": 80}))
        (checkout / "results.json").write_text("[]")
    (download / "scores.csv").write_text("username,score,max_score\nann,10,80\nben,0,80\n")
    assert [s.name for s in batch.discover(download)] == ["ml-fall-tfs-ann", "ml-fall-tfs-ben"]

    out = tmp_path / "grades"
    result = _run([sys.executable, "-m", "grader", "batch", str(download), "--out", str(out), "--steps", "01"],
                  course.ROOT)
    assert result.returncode == 0, result.stderr
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0] == "student,01_self_attention,total,max,status"
    assert rows[1].startswith(f"ml-fall-tfs-ann,{STEPS[0].max_points},{STEPS[0].max_points},")
    assert rows[2].startswith(f"ml-fall-tfs-ben,0,0,{STEPS[0].max_points},") and "not implemented" in rows[2]


def test_every_workflow_passes_the_github_workflow_schema(tmp_path):
    variants = {"template": release.Options(), "classic": release.Options("classic"),
                "hidden": release.Options("hidden", "teacher/course")}
    paths = [course.ROOT / ".github/workflows/ci.yml"]
    for name, options in variants.items():
        found = {k: v for k, v in release.release_files(options).items() if k.startswith(".github/workflows/")}
        release.write(tmp_path / name, found)
        paths += [tmp_path / name / relative for relative in found]
    assert len(paths) == 4
    schema = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    lint = _run([*schema, *map(str, paths)], tmp_path, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(paths[1].read_text().replace("runs-on:", "runs_on:"))
    assert _run([*schema, str(broken)], tmp_path).returncode == 1, "the linter must catch a broken workflow"
    for path in paths:  # expressions only refer to steps that exist
        ids = {s.get("id") for s in _steps(_workflow(path))}
        assert set(re.findall(r"steps\.(\w+)\.", path.read_text())) <= ids, path


def test_ci_runs_the_readme_test_command_on_push_and_pull_request():
    workflow = _workflow(course.ROOT / ".github/workflows/ci.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    runs = [s["run"] for s in _steps(workflow) if "run" in s]
    assert "\n```\npytest\n```\n" in (course.ROOT / "README.md").read_text()
    assert runs[-1] == "pytest" and workflows.CPU_INDEX in runs[0] and "-r requirements.txt" in runs[0]


def test_the_student_grader_follows_imports_and_leaves_instructor_modules_out(tmp_path):
    grader = tmp_path / "grader"
    grader.mkdir()
    modules = {
        "cli": "from grader import course\n\ndef _batch():\n    from grader import batch\n\ndef _grade():\n    from grader import grading\n",
        "course": "", "grading": "import grader.helper\n", "helper": "def f():\n    from grader.lazy import x\n",
        "lazy": "", "batch": "from grader import stubs\n", "stubs": "", "notebook_tools": "",
    }
    for name, source in modules.items():
        (grader / f"{name}.py").write_text(source)
    assert release.student_grader_modules(grader) == ["cli", "course", "grading", "helper", "lazy"]
    used_by_tests = {"assignments/01_x/tests/public/test_a.py": b"from grader.notebook_tools import check\n"}
    assert "notebook_tools" in release.student_grader_modules(grader, used_by_tests)
    with pytest.raises(release.ReleaseError, match="imports grader.stubs"):
        release.student_grader_modules(grader, {"starter_code/x.py": b"from grader import stubs\n"})


# ---------------------------------------------------------------- a student's local check


def test_check_points_at_the_earlier_step_whose_bug_fails_this_one(template, tmp_path):
    """Locally, step 07 runs on the student's own steps 01 and 02: with a bug in 02, `check 07`
    says so and where to look; a step left as its stub gets no such note."""
    checkout = tmp_path / "student"
    shutil.copytree(template, checkout, ignore=shutil.ignore_patterns(".git"))
    for number in ("01", "02", "07"):
        step = course.find_step(STEPS, number)
        source = (course.ROOT / "reference" / step.files[0]).read_text(encoding="utf-8")
        if number == "02":  # merge_heads without moving the heads back behind T
            source = source.replace("x.transpose(1, 2).reshape(B, T, H * D)", "x.reshape(B, T, H * D)")
            assert "x.reshape(B, T, H * D)" in source
        (checkout / step.folder.relative_to(course.ROOT) / step.files[0]).write_text(source, encoding="utf-8")

    def check(number: str) -> str:
        run = subprocess.run([sys.executable, "-m", "grader", "check", number], cwd=checkout, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
        return " ".join(run.stdout.split())

    note = check("07")
    assert "earlier steps (01 10/10, 02 " in note and "Step 02 fails some of its public tests" in note
    assert "fix step 02 first (python -m grader check 02)" in note
    assert "earlier steps" not in check("04")  # a stub: "not implemented yet" says it all
