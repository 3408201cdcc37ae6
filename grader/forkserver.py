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
import subprocess
import sys
import threading
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def serve() -> None:
    """The server loop (runs in the server process)."""
    import grader._preload  # noqa: F401  (torch, pytest, the plugin)
    from grader import runner

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps our children
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                runner.child_main(request)
            finally:
                os._exit(70)
        sys.stdout.write(json.dumps({"pid": pid}) + "\n")
        sys.stdout.flush()


class Child:
    """A running child of the server, seen from the parent."""

    def __init__(self, pid: int):
        self.pid = pid
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
        """Kill the child and everything it started (it leads its own process group)."""
        for target in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
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
        return Child(json.loads(answer)["pid"])

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None


SERVER = ForkServer()
