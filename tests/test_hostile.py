"""Hostile submissions (issue #6) earn no undeserved point, each with a clear reason, and
cannot harm the grader, the machine or their neighbours in a batch."""
import dataclasses
import importlib._bootstrap_external as bytecode
import json
import shutil
import site
import socketserver
import tempfile
import threading
import tomllib
from pathlib import Path

import pytest
import torch

from grader import batch, course, grading
from grader.course import Limits

STEPS = course.load_course()
HERE = Path(__file__).resolve().parent / "hostile"
CASES = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
QUICK = Limits(test_timeout=0.5, wall_clock=30, memory_mb=3072)  # loops cost 0.5 s a test, not 10
PWNED = Path(tempfile.gettempdir()) / "pwned-by-student"
PORT_FILE = Path(tempfile.gettempdir()) / "answer-server-port"


class _Answers(socketserver.StreamRequestHandler):
    """A friend's answer server: the correct softmax for whatever is asked."""

    def handle(self):
        request = json.loads(self.rfile.readline())
        answer = torch.softmax(torch.tensor(request["x"]), dim=request["dim"]).tolist()
        self.wfile.write(json.dumps(answer).encode() + b"\n")


@pytest.fixture(scope="module")
def answer_server():
    server = socketserver.TCPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    PORT_FILE.write_text(str(server.server_address[1]))
    yield
    server.shutdown()
    PORT_FILE.unlink(missing_ok=True)


def _prepare(case_id: str, tmp_path: Path) -> tuple[Path, course.Step]:
    """A private copy of the case (so deleting attacks cannot touch the repository)."""
    folder = tmp_path / case_id
    shutil.copytree(HERE / "cases" / case_id, folder)
    for stored in folder.glob("*.txt"):  # conftest.py / pytest.ini are stored as .txt: they would attack *this* run
        stored.rename(stored.with_suffix(""))
    if case_id == "pyc_cache":  # bytecode of the full solution, stamped to look like the stub's cache
        stub = folder / "self_attention.py"
        code = compile((course.ROOT / "reference" / "self_attention.py").read_text(), str(stub), "exec")
        stat = stub.stat()
        data = bytecode._code_to_timestamp_pyc(code, int(stat.st_mtime), stat.st_size)
        cache = folder / "__pycache__"  # git keeps no empty folder: made here
        cache.mkdir(exist_ok=True)
        (cache / f"self_attention.{bytecode.sys.implementation.cache_tag}.pyc").write_bytes(data)
    step = STEPS[1] if (folder / "multi_head_attention.py").exists() else STEPS[0]
    return folder, dataclasses.replace(step, limits=QUICK)


def _site_files() -> set[Path]:
    places = [Path(p) for p in site.getsitepackages() + [site.getusersitepackages()]]
    return {p for place in places if place.is_dir()
            for p in list(place.glob("*customize.py")) + list(place.glob("zz_student.pth"))}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_submission_earns_nothing(case, tmp_path, answer_server):
    folder, step = _prepare(case["id"], tmp_path)
    site_before = _site_files()
    grade = grading.grade(folder, [step], all_steps=STEPS, public_only=case.get("public_only", False))
    result = grade.steps[0]
    messages = [g.note for g in result.groups if g.note] + [o.message for g in result.groups for o in g.failures]
    assert result.score == 0, f"{case['id']} ({case['attack']}) earned {result.score} points"
    reasons = [case["reason"]] if isinstance(case["reason"], str) else case["reason"]
    assert any(r in m for r in reasons for m in messages), f"no clear reason; messages: {messages[:3]}"
    assert not PWNED.exists(), "code ran on the grader's side"
    assert _site_files() == site_before, "files were left in site-packages"
    assert result.seconds < 40


def test_neighbours_in_a_batch_are_unaffected(tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    for name in ("a_honest", "z_honest"):
        (classroom / name).mkdir()
        shutil.copyfile(course.ROOT / "reference" / "self_attention.py", classroom / name / "self_attention.py")
    for case_id in ("delete_neighbours", "fork_bomb", "leave_site_files", "guessed_result_paths",
                    "atexit_and_detached_child", "forged_channel"):
        shutil.copytree(HERE / "cases" / case_id, classroom / f"m_{case_id}")
    out = tmp_path / "out"
    records = {r["student"]: r for r in batch.run(classroom, out, jobs=2, step_keys="01")}
    assert records["a_honest"]["score"] == records["z_honest"]["score"] == STEPS[0].max_points
    assert all(records[name]["score"] == 0 for name in records if name.startswith("m_"))
    assert (classroom / "a_honest" / "self_attention.py").exists() and (classroom / "z_honest").is_dir()
    rows = (out / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(records)
