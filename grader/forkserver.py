"""Fork servers: processes that import torch and pytest once, then fork a fresh child for
every graded run. Importing torch costs ~1.7 s; a fork costs milliseconds.

There are two, because what a process has loaded is inherited by what it forks:

* the **judge** server has also loaded every step's test modules and reference
  modules and collected the suites (``grader.judge_session``), so a judge starts
  grading at once;
* the **clean** server has loaded nothing of the course but the grader's own code. It
  forks the *zygotes* that fork the sandboxes, so student code never runs in a process
  whose memory holds the reference or the hidden tests.

Both are started with ``python -I`` (no user site-packages, no PYTHONPATH, no current
directory on the path) and never run a torch operation themselves, so forking them is
safe. The parent talks to each over a Unix socket (SOCK_SEQPACKET), one JSON message per
request, and hands over file descriptors with it: a judge and its zygote get the two
ends of a fresh socket pair. Children are reaped by the kernel (SIGCHLD ignored); the
parent watches a child through a pidfd and kills its process group when time runs out.
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
_MESSAGE = 1 << 20  # bytes: the largest request or answer


def serve(fd: int, role: str) -> None:
    """The server loop (runs in the server process)."""
    import grader._preload  # noqa: F401  (torch, pytest, the plugin, the sandbox's code)
    from grader import runner

    if role == "judge":
        from grader import plugin

        plugin.preload()  # test modules and references: a judge's session starts warm
        _collect_every_suite()
    control = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps our children
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, _MESSAGE, 4)
        except OSError:
            message = b""
        if not message:  # the parent is gone: exit at once (tearing torch down costs ~0.5 s)
            os._exit(0)
        request = json.loads(message)
        passed = [socket.socket(fileno=f) for f in fds]
        if request.get("role") == "ping":  # the parent waits until we are ready to fork
            pid = 0
        elif request.get("role") == "zygote":
            pid = _fork(lambda: _become_zygote(passed[0]), close=[control])
        else:
            if passed:
                request["zygote_fd"] = passed[0].fileno()
            pid = _fork(lambda: runner.child_main(request), close=[control])
        for end in passed:
            end.close()
        control.send(json.dumps({"pid": pid}).encode())


def _collect_every_suite() -> None:
    """Collect every step's suites once, for every judge to come (grader.judge_session)."""
    from grader import course, judge_session, runner

    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # as in every judge (runner.child_main)
    suites = [str(step.suite(kind)) for step in course.load_course() for kind in ("public", "hidden")
              if step.suite(kind).is_dir()]
    judge_session.collect(runner.judge_options(), suites)


def _fork(body, close) -> int:
    """Fork a child that closes ``close`` and runs ``body`` (which must not return)."""
    pid = os.fork()
    if pid == 0:
        try:
            for item in close:
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
    """A running child of a server (and its zygote, if it has one), seen from the parent."""

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
    """Starts its server process lazily; ``fork(request, fds)`` returns the child's pid."""

    def __init__(self, role: str):
        self.role = role
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> socket.socket:
        if self._process is None or self._process.poll() is not None:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            code = (f"import sys; sys.path.insert(0, {str(_ROOT)!r}); "
                    f"from grader.forkserver import serve; serve({theirs.fileno()}, {self.role!r})")
            self._process = subprocess.Popen([sys.executable, "-I", "-c", code], pass_fds=[theirs.fileno()],
                                             cwd=str(_ROOT), stdin=subprocess.DEVNULL)
            theirs.close()
            self._control = ours
            atexit.register(self.close)
        return self._control

    def warm(self) -> None:
        """Start the server now (it loads torch in the background of whatever comes next)."""
        with self._lock:
            self._ensure()

    def ready(self) -> None:
        """Return once the server has loaded everything and answers (or has died: the
        next fork says so)."""
        try:
            self.fork({"role": "ping"})
        except (OSError, RuntimeError):
            pass

    def fork(self, request: dict, fds: list[int] = ()) -> int:
        with self._lock:
            control = self._ensure()
            socket.send_fds(control, [json.dumps(request).encode()], list(fds))
            answer = control.recv(_MESSAGE)
        if not answer:
            raise RuntimeError(f"the grader's {self.role} fork server stopped unexpectedly")
        return json.loads(answer)["pid"]

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None and self._process.poll() is None:
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None


JUDGES = ForkServer("judge")
CLEAN = ForkServer("clean")


def warm(sandboxes: bool = True) -> None:
    """Start the servers in the background (both load torch at once, on their own cores);
    without ``sandboxes`` only the judges' server is needed."""
    for server in (JUDGES, CLEAN) if sandboxes else (JUDGES,):
        threading.Thread(target=server.warm, daemon=True).start()


def ready() -> float:
    """Wait until both servers answer (they load in parallel); returns the seconds waited."""
    start = time.monotonic()
    threads = [threading.Thread(target=server.ready, daemon=True) for server in (JUDGES, CLEAN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start


def start(request: dict, with_sandboxes: bool) -> Child:
    """Fork a judge for ``request``; with sandboxes, also a zygote (from the clean server)
    holding the other end of the judge's socket for asking for sandboxes."""
    if not with_sandboxes:
        return Child(JUDGES.fork(request))
    judge_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        zygote = CLEAN.fork({"role": "zygote"}, [zygote_end.fileno()])
        return Child(JUDGES.fork(request, [judge_end.fileno()]), zygote)
    finally:
        judge_end.close()
        zygote_end.close()
