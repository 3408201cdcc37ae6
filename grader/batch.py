"""Grading a whole class: ``python -m grader batch DIR --out OUT``.

One submission per sub-folder of DIR (a clone of a student's repository, as
``gh teacher download`` or a loop of ``git clone`` makes them) or per ``.zip``. Every
submission is graded from a private copy of its allow-listed files, and gets
``OUT/<student>/results.json`` (Gradescope format), ``feedback.md`` and ``grade.json``.
``OUT/grades.csv`` has one row per student.

Resumable: ``grade.json`` is written last (atomically) and records a key made of the
graded files' hashes, the grader's own fingerprint and the options; a submission whose
key is unchanged is skipped. ``--shard K/N`` grades a deterministic slice, and
``python -m grader merge`` combines the shards' folders into one gradebook.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import queue
import statistics
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grader import course, forkserver, grading, reports, submission

GRADE_FILE = "grade.json"


@dataclass(frozen=True)
class Submission:
    name: str  # the student's id in the gradebook
    path: Path  # a folder or a .zip


def discover(folder: Path) -> list[Submission]:
    """Every submission in ``folder``, sorted by name (hidden entries skipped)."""
    found = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            found.append(Submission(entry.name, entry))
        elif entry.suffix in (".zip", ".ipynb"):  # a notebook is graded with otter (grader.notebooks.grade)
            found.append(Submission(entry.stem, entry))
    names = [s.name for s in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"two submissions share a name: {', '.join(duplicates)} (a folder and a zip?)")
    return found


def shard(submissions: list[Submission], spec: str | None) -> list[Submission]:
    """``"2/4"`` -> the second of four interleaved slices (deterministic for a given folder)."""
    if not spec:
        return submissions
    k, n = (int(part) for part in spec.split("/"))
    if not 1 <= k <= n:
        raise ValueError(f"--shard {spec}: expected K/N with 1 <= K <= N")
    return [s for i, s in enumerate(submissions) if i % n == k - 1]


def grader_fingerprint(steps: list[course.Step]) -> str:
    """A hash of everything that decides a grade: the grader, the suites, the reference."""
    digest = hashlib.sha256()
    files = sorted((course.ROOT / "grader").rglob("*.py")) + sorted((course.ROOT / "reference").glob("*.py"))
    files += sorted((course.ROOT / "reference").rglob("*.ipynb"))  # the otter master notebooks
    for step in steps:
        files += [step.folder / "assignment.toml"] + sorted(step.folder.glob("tests/*/*"))
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(course.ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def grade_one(sub: Submission, out: Path, steps, all_steps, key: str, public_only: bool, cores=None,
              notebooks: bool = False, cache: grading.StepCache | None = None) -> dict:
    """Grade one submission and write its files; never raises. ``cores`` is a queue of
    core numbers: the submission's judge and sandboxes run on the one it takes; ``cache``
    holds the steps graded so far in this batch (identical files are graded once)."""
    cpu = cores.get() if cores is not None else None
    try:
        return _grade_one(sub, out, steps, all_steps, key, public_only, cpu, notebooks, cache)
    finally:
        if cores is not None:
            cores.put(cpu)


def _grade_one(sub: Submission, out: Path, steps, all_steps, key: str, public_only: bool, cpu,
               notebooks: bool = False, cache: grading.StepCache | None = None) -> dict:
    folder = out / sub.name
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if notebooks or sub.path.suffix == ".ipynb":
            from grader.notebooks import grade as notebook_grade

            grade = notebook_grade.grade_path(sub.path, all_steps, steps)
        else:
            grade = _grade_modules(sub, steps, all_steps, public_only, out, cpu, cache)
        reports.write_json(grade, folder / "results.json")
        reports.write_text_atomic(folder / "feedback.md", f"# Feedback for {sub.name}\n\n" + reports.markdown(grade))
        record = {
            "student": sub.name, "key": key, "status": "graded", "score": grade.score, "max_score": grade.max_score,
            "seconds": round(grade.seconds, 3), "test_seconds": round(grade.test_seconds, 3),
            "steps": {s.step.id: {"score": s.score, "max_score": s.max_score, "status": s.status,
                                  "causes": reports.causes(s) if s.score < s.max_score else []} for s in grade.steps},
        }
    except Exception:  # noqa: BLE001 - one broken submission never stops the batch
        record = {"student": sub.name, "key": key, "status": "grader error", "score": 0, "max_score": 0,
                  "steps": {}, "error": traceback.format_exc(limit=5)}
    reports.write_text_atomic(folder / GRADE_FILE, json.dumps(record, indent=1) + "\n")
    return record


def _grade_modules(sub: Submission, steps, all_steps, public_only: bool, out: Path, cpu, cache) -> "grading.Grade":
    with tempfile.TemporaryDirectory(prefix="batch-") as tmp:
        root = submission.extract_zip(sub.path, Path(tmp), all_steps) if sub.path.suffix == ".zip" else sub.path
        return grading.grade(root, steps, public_only=public_only, parallel=1, all_steps=all_steps,
                             hide=[sub.path.parent, out], cpu=cpu, cache=cache)


def submission_key(sub: Submission, steps, all_steps, fingerprint: str, public_only: bool,
                   notebooks: bool = False) -> str:
    if sub.path.suffix in (".zip", ".ipynb"):
        content = hashlib.sha256(sub.path.read_bytes()).hexdigest()
    elif notebooks:
        content = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(sub.path.rglob("*.ipynb")))).hexdigest()
    else:
        content = submission.fingerprint(sub.path, all_steps)
    options = json.dumps({"steps": [s.id for s in steps], "public_only": public_only, "notebooks": notebooks})
    return hashlib.sha256(f"{content}\0{fingerprint}\0{options}".encode()).hexdigest()


def load_records(out: Path) -> list[dict]:
    records = []
    for path in sorted(Path(out).glob(f"*/{GRADE_FILE}")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue  # a torn file: that submission is graded again next time
    return records


def gradebook_csv(records: list[dict], steps: list[course.Step]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *[s.id for s in steps], "total", "max", "status"])
    for record in sorted(records, key=lambda r: r["student"]):
        cells = [record["steps"].get(s.id, {}).get("score", "") for s in steps]
        problems = [f"{sid}: {', '.join(info['causes'])}" for sid, info in record["steps"].items() if info.get("causes")]
        status = record["status"] if record["status"] != "graded" else ("; ".join(problems) or "ok")
        writer.writerow([record["student"], *cells, record["score"], record["max_score"], status])
    return buffer.getvalue()


def write_gradebook(out: Path, steps: list[course.Step]) -> list[dict]:
    """Rewrite OUT/grades.csv from every student's grade.json; one column per graded step."""
    records = load_records(out)
    graded = [s for s in steps if any(s.id in r["steps"] for r in records)]
    reports.write_text_atomic(Path(out) / "grades.csv", gradebook_csv(records, graded))
    return records


def summary_table(records: list[dict], steps: list[course.Step]) -> Table:
    table = Table(title=f"{len(records)} submissions")
    for column in ("Step", "Mean", "Median", "Full marks", "Lost points because"):
        table.add_column(column, justify="left" if column in ("Step", "Lost points because") else "right")
    for step in steps:
        scores = [r["steps"][step.id]["score"] for r in records if step.id in r["steps"]]
        if not scores:
            continue  # a step this batch did not grade
        causes: dict[str, int] = {}
        for r in records:
            for cause in r["steps"].get(step.id, {}).get("causes", []):
                causes[cause] = causes.get(cause, 0) + 1
        full = sum(r["steps"][step.id]["score"] == r["steps"][step.id]["max_score"] for r in records if step.id in r["steps"])
        table.add_row(step.id, f"{statistics.mean(scores):.1f}" if scores else "-",
                      f"{statistics.median(scores):g}" if scores else "-", f"{full}/{len(scores)}",
                      ", ".join(f"{k} {v}" for k, v in sorted(causes.items(), key=lambda kv: -kv[1])))
    errors = sum(r["status"] != "graded" for r in records)
    if errors:
        table.caption = f"{errors} submission(s) could not be graded (see their grade.json)"
    return table


def run(folder: Path, out: Path, jobs: int = 2, shard_spec: str | None = None, step_keys: str | None = None,
        public_only: bool = False, console: Console | None = None, notebooks: bool = False) -> list[dict]:
    console = console or Console()
    all_steps = course.load_course()
    steps = course.select_steps(all_steps, step_keys)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    forkserver.warm()  # torch loads in the servers while we hash the submissions
    subs = shard(discover(Path(folder)), shard_spec)
    fingerprint = grader_fingerprint(all_steps)
    done = {r["student"]: r.get("key") for r in load_records(out)}
    todo, skipped = [], 0
    for sub in subs:
        key = submission_key(sub, steps, all_steps, fingerprint, public_only, notebooks)
        if done.get(sub.name) == key:
            skipped += 1
        else:
            todo.append((sub, key))
    if skipped:
        console.print(f"{skipped} submission(s) unchanged since the last run: skipped")
    if todo and not notebooks:  # load once, before any submission's clock starts
        with console.status("starting the grader: torch and the suites load once for the whole batch"):
            waited = forkserver.ready()
        console.print(f"grader ready in {waited:.1f} s")
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("grading", total=len(todo))
        cores = queue.Queue()
        for core in range(max(1, jobs)):
            cores.put(core)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            cache = grading.StepCache()
            futures = {pool.submit(grade_one, sub, out, steps, all_steps, key, public_only, cores, notebooks, cache): sub
                       for sub, key in todo}
            for future in as_completed(futures):
                record = future.result()
                progress.update(task, advance=1, description=f"{record['student']}: {record['score']}/{record['max_score']}")
    records = [r for r in write_gradebook(out, steps) if r["student"] in {s.name for s in subs} or not shard_spec]
    console.print(summary_table(records, steps))
    console.print(f"gradebook: {out / 'grades.csv'}")
    return records


def merge(outs: list[Path], into: Path, console: Console | None = None) -> list[dict]:
    """Combine the per-student folders of several (shard) outputs into one gradebook."""
    console = console or Console()
    steps = course.load_course()
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    for out in outs:
        for grade_file in sorted(Path(out).glob(f"*/{GRADE_FILE}")):
            target = into / grade_file.parent.name
            if Path(out).resolve() == into.resolve():
                continue
            target.mkdir(exist_ok=True)
            for item in grade_file.parent.iterdir():
                if item.is_file() and item.name != GRADE_FILE:
                    (target / item.name).write_bytes(item.read_bytes())
            reports.write_text_atomic(target / GRADE_FILE, grade_file.read_text(encoding="utf-8"))  # last: marks it complete
    records = write_gradebook(into, steps)
    console.print(summary_table(records, steps))
    console.print(f"gradebook: {into / 'grades.csv'}")
    return records
