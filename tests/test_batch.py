"""Grading a whole class: a correct gradebook for 40 mixed submissions, resumable after a
kill, shards that merge into the unsharded gradebook, unchanged work skipped."""
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from bench import submissions
from grader import batch, course

STEPS = course.load_course()


def _quiet():
    return Console(file=open(os.devnull, "w"), width=120)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    return folder, submissions.generate(folder, 40)


def test_forty_submissions_killed_half_way_then_resumed(classroom, tmp_path):
    folder, expected = classroom
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out), "--jobs", "2"],
                             cwd=course.ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(out.glob("*/grade.json"))) < 8 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)  # the whole batch, mid-flight
    first.wait()
    done = {p.parent.name for p in out.glob("*/grade.json")}
    assert 8 <= len(done) < 40, f"{len(done)} graded before the kill"

    console = Console(record=True, width=160, file=open(os.devnull, "w"))
    records = batch.run(folder, out, jobs=2, console=console)
    text = console.export_text()
    assert f"{len(done)} submission(s) unchanged since the last run: skipped" in text
    assert len(records) == 40
    assert submissions.mismatches(records, expected) == []
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0].split(",")[:2] == ["student", "01_self_attention"] and len(rows) == 41
    for row in rows[1:]:
        cells = row.split(",")
        assert int(cells[len(STEPS) + 1]) == sum(int(c) for c in cells[1:len(STEPS) + 1])
    for student in expected:
        assert (out / student / "results.json").exists() and (out / student / "feedback.md").exists()
    assert "Full marks" in text and "Median" in text and "not implemented" in text


def _small_class(folder: Path) -> None:
    for name, module_source in [("ann", None), ("ben", "stub"), ("cat", None), ("dan", "stub"), ("eve", None)]:
        for step in STEPS[:2]:
            target = folder / name / "assignments" / step.id / step.files[0]
            target.parent.mkdir(parents=True, exist_ok=True)
            source = step.folder / step.files[0] if module_source == "stub" else course.ROOT / "reference" / step.files[0]
            shutil.copyfile(source, target)


def test_shards_merge_into_the_unsharded_gradebook(tmp_path):
    folder = tmp_path / "class"
    _small_class(folder)
    whole = tmp_path / "whole"
    batch.run(folder, whole, jobs=2, step_keys="01,02", console=_quiet())
    shards = []
    for k in (1, 2, 3):
        shard_out = tmp_path / f"shard{k}"
        batch.run(folder, shard_out, jobs=1, shard_spec=f"{k}/3", step_keys="01,02", console=_quiet())
        shards.append(shard_out)
    names = [sorted(p.parent.name for p in s.glob("*/grade.json")) for s in shards]
    assert sorted(n for group in names for n in group) == ["ann", "ben", "cat", "dan", "eve"]
    assert all(group for group in names), "every shard gets work"
    merged = tmp_path / "merged"
    batch.merge(shards, merged, console=_quiet())
    assert (merged / "grades.csv").read_text() == (whole / "grades.csv").read_text()


def test_unchanged_submissions_are_skipped_and_changed_ones_regraded(tmp_path):
    folder = tmp_path / "class"
    _small_class(folder)
    out = tmp_path / "out"
    batch.run(folder, out, jobs=2, step_keys="01", console=_quiet())
    before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/grade.json")}
    shutil.copyfile(course.ROOT / "reference" / "self_attention.py",
                    folder / "ben" / "assignments" / "01_self_attention" / "self_attention.py")
    (folder / "ann" / "notes.txt").write_text("not graded: does not change the grade")
    records = {r["student"]: r for r in batch.run(folder, out, jobs=2, step_keys="01", console=_quiet())}
    after = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/grade.json")}
    assert [name for name in before if after[name] != before[name]] == ["ben"]
    assert records["ben"]["score"] == STEPS[0].max_points


def test_zip_submissions_with_unsafe_entries(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "zoe.zip", "w") as zipped:
        zipped.write(course.ROOT / "reference" / "self_attention.py", "zoe-main/assignments/01_self_attention/self_attention.py")
        zipped.writestr("../../escaped/self_attention.py", "raise SystemExit('escaped')")
        zipped.writestr("/abs/self_attention.py", "raise SystemExit('absolute')")
    records = batch.run(folder, tmp_path / "out", jobs=1, step_keys="01", console=_quiet())
    assert records[0]["student"] == "zoe" and records[0]["score"] == STEPS[0].max_points
    assert not (tmp_path / "escaped").exists() and not Path("/abs/self_attention.py").exists()


def test_shard_spec_is_validated(tmp_path):
    with pytest.raises(ValueError, match="K/N"):
        batch.shard([], "4/3")


def test_identical_files_are_graded_once(tmp_path, monkeypatch):
    from grader import grading, runner

    folder = tmp_path / "class"
    _small_class(folder)  # ann, cat and eve hand in the same files; ben and dan the stubs
    graded = []
    real = runner.run_steps
    monkeypatch.setattr(runner, "run_steps", lambda jobs, *a, **k: graded.extend(jobs) or real(jobs, *a, **k))
    records = {r["student"]: r for r in batch.run(folder, tmp_path / "out", jobs=1, step_keys="01,02",
                                                  console=_quiet())}
    assert len(graded) == 4, "two different files per step, each graded once"
    assert records["ann"]["score"] == records["eve"]["score"] == STEPS[0].max_points + STEPS[1].max_points
    assert records["ben"]["score"] == records["dan"]["score"] == 0
    cache = grading.StepCache()
    fresh = grading.grade(folder / "cat", STEPS[:1], all_steps=STEPS, cache=cache)
    again = grading.grade(folder / "eve", STEPS[:1], all_steps=STEPS, cache=cache)
    assert again.steps[0] is fresh.steps[0] and again.score == STEPS[0].max_points
