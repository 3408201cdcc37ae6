"""Hostile submissions (issue #6) earn no undeserved point, each with a clear reason, and
cannot harm the grader, the machine or their neighbours in a batch."""
import dataclasses
import importlib._bootstrap_external as bytecode
import json
import os
import shutil
import site
import socketserver
import tempfile
import threading
import tomllib
from pathlib import Path

import pytest
import torch
from rich.console import Console

from grader import batch, confine, course, grading
from grader.course import Limits

STEPS = course.load_course()
HERE = Path(__file__).resolve().parent / "hostile"
CASES = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
QUICK = Limits(test_timeout=0.5, wall_clock=30, memory_mb=3072)  # loops cost 0.5 s a test, not 10
PWNED = Path(tempfile.gettempdir()) / "pwned-by-student"


class _Answers(socketserver.StreamRequestHandler):
    """A friend's answer server: the correct softmax for whatever is asked."""

    def handle(self):
        request = json.loads(self.rfile.readline())
        answer = torch.softmax(torch.tensor(request["x"]), dim=request["dim"]).tolist()
        self.wfile.write(json.dumps(answer).encode() + b"\n")


@pytest.fixture(scope="module")
def answer_server():
    """The live answer server's port."""
    server = socketserver.TCPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def _prepare(case_id: str, tmp_path: Path, port: int = 0) -> tuple[Path, course.Step]:
    """A private copy of the case (so deleting attacks cannot touch the repository)."""
    folder = tmp_path / case_id
    shutil.copytree(HERE / "cases" / case_id, folder)
    if case_id == "answer_server":  # the port in the source: the attack needs no file it could not read
        source = folder / "self_attention.py"
        text = source.read_text()
        assert "PORT = 0" in text
        source.write_text(text.replace("PORT = 0", f"PORT = {port}"))
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
    folder, step = _prepare(case["id"], tmp_path, answer_server)
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


CONTROLS = [c for c in CASES if c.get("works_unsandboxed")]


@pytest.mark.parametrize("case", CONTROLS, ids=[c["id"] for c in CONTROLS])
def test_the_attack_works_where_no_sandbox_stops_it(case, tmp_path, answer_server):
    """Controls: run in the test process, these attacks do earn points, so the score of 0
    above is the sandbox's doing, not an attack that never worked."""
    folder, step = _prepare(case["id"], tmp_path, answer_server)
    result = grading.grade(folder, [step], all_steps=STEPS, sandbox=False).steps[0]
    assert result.score > 0, [o.message for g in result.groups for o in g.failures][:3]


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
    for name in ("a_honest", "z_honest"):  # graded before and after the attackers: both files intact
        assert (classroom / name / "self_attention.py").read_bytes() == \
            (course.ROOT / "reference" / "self_attention.py").read_bytes()
    rows = (out / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(records)


PROBE = """
import os

def softmax(x, dim=-1):
    try:
        text = open({file!r}).read()
    except OSError as error:
        text = type(error).__name__
    raise ValueError(f"probe: neighbour seen={{os.path.exists({folder!r})}} reference seen="
                     f"{{os.path.exists({reference!r})}} read={{text}}")
"""


def _namespaces_granted() -> bool:
    """Whether this kernel lets a process hide paths in a mount namespace of its own."""
    scratch = tempfile.mkdtemp()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child tries, in namespaces of its own
        os.write(write, b"1" if "hidden paths" in confine.namespaces(confine.libc(), [], scratch) else b"0")
        os._exit(0)
    os.close(write)
    granted = os.read(read, 1) == b"1"
    os.waitpid(pid, 0)
    os.close(read)
    os.rmdir(scratch)
    return granted


def test_a_submission_cannot_see_its_neighbours_outside_tmp():
    """The batch hides the class folder itself, wherever it is: here outside /tmp (which every
    sandbox sees empty anyway) and outside the course, so only ``hide`` keeps it out of sight."""
    home = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="class-"))
    try:
        classroom = home / "class"
        neighbour = classroom / "a_neighbour"
        neighbour.mkdir(parents=True)
        secret = neighbour / "self_attention.py"
        shutil.copyfile(course.ROOT / "reference" / "self_attention.py", secret)
        (classroom / "probe").mkdir()
        (classroom / "probe" / "self_attention.py").write_text(PROBE.format(
            file=str(secret), folder=str(neighbour), reference=str(course.ROOT / "reference" / "self_attention.py")))
        batch.run(classroom, home / "out", jobs=1, step_keys="01", console=Console(file=open(os.devnull, "w")))
        feedback = (home / "out" / "probe" / "feedback.md").read_text()
        assert "probe:" in feedback and "read=PermissionError" in feedback, feedback[:2000]
        if _namespaces_granted():  # otherwise the audit hook, which refuses the read, is the last layer
            assert "neighbour seen=False reference seen=False" in feedback, feedback[:2000]
    finally:
        shutil.rmtree(home, ignore_errors=True)
