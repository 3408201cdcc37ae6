"""A fork server: one clean process that imports torch and pytest once, then forks a
fresh child for every graded step.

Importing torch costs ~1.7 s; a fork costs milliseconds. The server is started with
``python -I`` (no user site-packages, no PYTHONPATH, no current directory on the path)
and never runs a torch operation itself, so forking it is safe. Protocol: the parent
writes one JSON request per line to the server's stdin; the server forks, the child
runs ``runner.child_main(request)``, and the server answers ``{"pid": N}``. Children
are reaped automatically (SIGCHLD ignored); the parent watches a child through a pidfd
and kills its whole process group when it runs out of time.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def serve() -> None:
    """The server loop (runs in the server process)."""
    import grader._preload  # noqa: F401  (torch, pytest, the plugin, the sandbox)
    from grader import runner, sandbox

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps our children
    for line in sys.stdin:
        request = json.loads(line)
        answer = {}
        zygote_end = judge_end = None
        if request.get("with_zygote"):  # a judge gets a zygote that forks its sandboxes
            judge_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            answer["zygote"] = _fork(lambda: _become_zygote(zygote_end), close=[judge_end])
            request["zygote_fd"] = judge_end.fileno()
        answer["pid"] = _fork(lambda: runner.child_main(request), close=[zygote_end])
        for end in (judge_end, zygote_end):
            if end is not None:
                end.close()
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def _fork(body, close) -> int:
    """Fork a child that closes ``close`` and runs ``body`` (which must not return)."""
    pid = os.fork()
    if pid == 0:
        try:
            for item in close:
                if item is not None:
                    item.close()
            body()
        finally:
            os._exit(70)
    return pid


def _become_zygote(control: socket.socket) -> None:
    from grader import sandbox

    os.setsid()  # its own process group: the parent kills it with every sandbox it forked
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sandbox.zygote_main(control)


class Child:
    """A running child of the server (and its zygote, if it has one), seen from the parent."""

    def __init__(self, pid: int, zygote: int | None = None):
        self.pid = pid
        self.zygote = zygote
        try:
            self._fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # not Linux, or already gone
            self._fd = None

    def wait(self, timeout: float) -> bool:
        """True once the child has exited; False if ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        if self._fd is not None:
            ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
            return bool(ready)
        while time.monotonic() < deadline:
            if not self.alive():
                return True
            time.sleep(0.02)
        return not self.alive()

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def kill_group(self) -> None:
        """Kill the child, its zygote and everything they started (each leads its own group)."""
        for pid in (self.pid, self.zygote):
            if pid is None:
                continue
            for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                try:
                    target()
                except (ProcessLookupError, PermissionError):
                    pass

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class ForkServer:
    """Starts the server lazily; ``start(request)`` returns a :class:`Child`."""

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            code = f"import sys; sys.path.insert(0, {str(_ROOT)!r}); from grader.forkserver import serve; serve()"
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", code],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(_ROOT),
            )
            atexit.register(self.close)
        return self._process

    def start(self, request: dict) -> Child:
        with self._lock:
            process = self._ensure()
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            answer = process.stdout.readline()
        if not answer:
            raise RuntimeError("the grader's fork server stopped unexpectedly")
        answer = json.loads(answer)
        return Child(answer["pid"], answer.get("zygote"))

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None


SERVER = ForkServer()
