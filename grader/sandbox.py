"""The sandbox: the only process that ever runs a student's code.

The judge (the pytest process that compares outputs and counts points) never imports
student code. It asks a *zygote* — a clean process forked next to it by the fork
server, holding torch but nothing of the reference — for a sandbox; the zygote forks
one and hands it a private socket to the judge. The sandbox then:

1. reads the sources it may import (the student's file, and in isolation mode the
   reference files of *other* steps) into memory;
2. locks itself down (``grader.confine``): new namespaces that hide the course
   repository and every temporary directory, no network, no new processes (seccomp),
   memory/output/CPU limits; then an audit hook refuses sockets, native-library
   loading, file writes and reads outside Python's own installation;
3. serves the judge's requests: import the module, get an attribute, call something.
   Results go back as plain data (``grader.channel``); objects stay here and travel
   as handles. Tensor arguments changed in place, the global RNG state and generator
   states are sent back too, so a call behaves as if it ran in the judge's process.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import json
import linecache
import os
import signal
import socket
import sys
import tempfile
import types
from pathlib import Path

import torch

from grader import channel, confine, forbidden, testkit

MAX_ITEMS = 100_000  # a generator result is read to a list of at most this many items
ERROR_TYPES = (NotImplementedError, ValueError, TypeError, KeyError, IndexError, AttributeError, RuntimeError,
               AssertionError, ZeroDivisionError, OverflowError, ArithmeticError, LookupError)


# ---------------------------------------------------------------- the zygote


def zygote_main(control: socket.socket) -> None:
    """Fork a sandbox for every request of the judge (a SOCK_SEQPACKET socket). Never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the sandboxes
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
        except OSError:
            os._exit(0)
        if not message or not fds:
            os._exit(0)  # the judge is gone
        pid = os.fork()
        if pid == 0:
            try:
                serve(socket.socket(fileno=fds[0]), json.loads(message), keep=fds[0])
            finally:
                os._exit(70)
        os.close(fds[0])
        control.send(json.dumps({"pid": pid}).encode())


# ---------------------------------------------------------------- lock-down


class SourceModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the course's flat module names from sources held in memory."""

    def __init__(self, sources: dict[str, tuple[str, str]]):
        self.sources = sources  # name -> (shown file name, source text)
        for filename, text in sources.values():
            linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.sources:
            return importlib.util.spec_from_loader(fullname, self, origin=self.sources[fullname][0])
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        filename, text = self.sources[module.__name__]
        module.__file__ = filename
        exec(compile(text, filename, "exec", dont_inherit=True), module.__dict__)


class Policy:
    """The audit hook: what a sandbox may not do, whatever its code tries."""

    REFUSED = {
        "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen",
        "pty.spawn", "os.kill", "os.killpg", "os.setuid", "os.setgid", "os.setreuid", "os.setregid",
        "socket.__new__", "socket.bind", "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
        "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function", "ctypes.cdata",
        "ctypes.addressof", "ctypes.string_at", "ctypes.wstring_at",
        "os.remove", "os.rmdir", "os.rename", "os.link", "os.symlink", "os.truncate", "os.mkdir", "os.chmod",
        "os.chown", "os.chflags", "os.utime", "os.putenv", "os.unsetenv", "shutil.rmtree", "shutil.copyfile",
        "shutil.move", "resource.setrlimit", "resource.prlimit", "sys._current_frames", "mmap.__new__",
        "urllib.Request", "http.client.connect", "ftplib.connect", "sys.remote_exec", "marshal.load",
    }

    def __init__(self, readable: list[Path]):
        self.readable = [os.path.realpath(p) for p in readable]
        self.pid = str(os.getpid())

    def may_read(self, path: str) -> bool:
        resolved = os.path.realpath(path)
        if resolved.startswith("/proc/"):
            return resolved.split("/")[2] in ("self", "thread-self", self.pid, "cpuinfo", "meminfo")
        return any(resolved == r or resolved.startswith(r.rstrip("/") + "/") for r in self.readable)

    def __call__(self, event: str, args: tuple) -> None:
        if event in self.REFUSED:
            raise PermissionError(f"not allowed while grading: {event}")
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            if isinstance(path, int) or path is None:
                return
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND))
            name = os.fsdecode(path)
            if writing or not self.may_read(name):
                raise PermissionError(f"not allowed while grading: opening {name!r}" + (" for writing" if writing else ""))
        elif event in ("os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
            if not self.may_read(os.fsdecode(args[0])):
                raise PermissionError(f"not allowed while grading: listing {os.fsdecode(args[0])!r}")


def _python_dirs() -> list[Path]:
    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(torch.__file__).parent.parent}
    dirs |= {Path(p) for p in sys.path if p and ("site-packages" in p or "dist-packages" in p)}
    return sorted(dirs)


def _redirect_output(keep: int, log: str) -> None:
    """stdin from /dev/null, stdout and stderr to the capped log; every other descriptor closed."""
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


def lock_down(request: dict, keep: int) -> tuple[SourceModules, list[str]]:
    """Everything between fork and the first request. Returns the module loader and the
    confinement layers that the kernel allowed."""
    sources = {name: (shown, Path(path).read_text(encoding="utf-8", errors="replace"))
               for name, (shown, path) in request["modules"].items()}
    lib = confine.libc()
    confine.die_with_parent(lib)
    if request.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {request["cpu"]})  # next to its judge
    _redirect_output(keep, request["log"])
    scratch = tempfile.gettempdir()
    layers = confine.namespaces(lib, [request["course_root"], *request["hide"]], scratch)
    os.chdir(scratch)
    os.environ.update({"HOME": scratch, "TMPDIR": scratch})
    layers += confine.no_new_processes(lib)
    confine.limits(request["memory_mb"] * 1024 * 1024, request["output_cap"], int(request["cpu_seconds"]))
    sys.dont_write_bytecode = True
    torch.set_num_threads(1)
    loader = SourceModules(sources)
    sys.meta_path.insert(0, loader)
    hidden = [request["course_root"], *request["hide"]]
    readable = [p for p in _python_dirs() if not any(str(p).startswith(h) for h in hidden)]
    if "private /tmp" in layers:  # otherwise /tmp is the machine's, with other submissions in it
        readable.append(Path(scratch))
    sys.addaudithook(Policy([*readable, Path(os.devnull), Path("/dev/urandom"), Path("/dev/zero"),
                             Path("/sys/devices/system/cpu")]))
    return loader, layers + ["audit hook"]


# ---------------------------------------------------------------- serving the judge


class Objects:
    """Objects that stay in the sandbox, by handle id; the same object keeps its id."""

    def __init__(self):
        self.by_id: dict[int, object] = {}
        self.ids: dict[int, int] = {}
        self.next = 1

    def register(self, obj) -> int:
        key = id(obj)
        if key not in self.ids:
            handle, self.next = self.next, self.next + 1
            self.by_id[handle] = obj
            self.ids[key] = handle
        return self.ids[key]

    def forget_all_but_modules(self) -> None:
        """Between tests: drop every object but modules, classes and functions (the API itself,
        whose handles the judge keeps); instances a test created go."""
        kept = {h: o for h, o in self.by_id.items()
                if isinstance(o, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType))}
        self.by_id, self.ids = kept, {id(o): h for h, o in kept.items()}
        self.next = max(kept, default=0) + 1

    def resolve(self, handle) -> object:
        if handle not in self.by_id:
            raise KeyError(f"unknown object handle {handle!r}")
        return self.by_id[handle]


def _describe(error: BaseException, student_files: set[str]) -> dict:
    """A description of the student's exception that the judge can re-raise."""
    try:
        return _description(error, student_files)
    except BaseException:  # noqa: BLE001 - e.g. an exception whose __str__ raises
        return {"type": "Exception", "base": None, "message": "(an exception that could not be described)",
                "location": None}


def _description(error: BaseException, student_files: set[str]) -> dict:
    location = None  # (qualname, file, line) of the innermost frame in a student file
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in student_files:
            location = (code.co_qualname if code.co_name != "<module>" else None, code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    text = str(error)
    if isinstance(error, SyntaxError):
        location = (None, error.filename or "", error.lineno)
        text = f"{error.msg}" + (f"\n    {error.text.strip()}" if error.text else "")
    base = next((t.__name__ for t in ERROR_TYPES if isinstance(error, t)), None)
    return {"type": type(error).__name__, "base": base, "message": text[:2000], "location": location}


def _materialise(value):
    """Generators (``named_parameters()``) become lists so they can travel."""
    if hasattr(value, "__next__") and hasattr(value, "__iter__") and not isinstance(value, torch.Tensor):
        items = []
        for item in value:
            items.append(item)
            if len(items) >= MAX_ITEMS:
                break
        return items
    return value


def _write_backs(args, kwargs, before) -> dict:
    """Tensor arguments changed in place, and the new state of generator arguments."""
    changed = {}
    for key, value in list(enumerate(args)) + list(kwargs.items()):
        if isinstance(value, torch.Generator):
            changed[str(key)] = value
        elif isinstance(value, torch.Tensor) and value.device.type != "meta":
            old = before.get(str(key))
            if old is not None and not torch.equal(old, value):
                changed[str(key)] = value
    return changed


def _monitored(monitor, request: dict, run):
    """``run()`` with the forbidden-API monitor on (and strict devices if the test asked)."""
    monitor.violations.clear()
    with monitor:
        if request.get("strict_devices"):
            with testkit.strict_devices():
                return run()
        return run()


def handle(request: dict, objects: Objects, monitor, student_files: set[str]) -> dict:
    op = request["op"]
    if request.get("reset"):  # a new test began: forget the last one's objects
        objects.forget_all_but_modules()
    if op == "import":
        return {"value": importlib.import_module(request["name"])}
    target = objects.resolve(request["target"])
    if op == "getattr":
        return {"value": getattr(target, request["name"])}
    if op == "parameter_shapes":
        return {"value": {name: tuple(p.shape) for name, p in target.named_parameters()}}
    if op == "assign_parameters":
        values = channel.decode(request["values"], objects.resolve)
        with torch.no_grad():
            for name, param in target.named_parameters():
                param.copy_(values[name])
        return {"value": None}
    if op not in ("call", "gradients"):
        raise ValueError(f"unknown request {op!r}")
    args = channel.decode(request["args"], objects.resolve)
    kwargs = channel.decode(request["kwargs"], objects.resolve)
    if op == "gradients":  # one forward and backward pass: the gradient of every parameter
        weights = channel.decode(request["weights"])
        value = _monitored(monitor, request, lambda: testkit.local_gradients(target, tuple(args), kwargs, weights))
        return {"value": value, "violations": list(monitor.violations)}
    watched = set(request.get("watched", ()))  # the judge wants in-place changes of these back
    before = {str(k): v.clone() for k, v in list(enumerate(args)) + list(kwargs.items())
              if str(k) in watched and isinstance(v, torch.Tensor) and v.device.type != "meta"}
    if "rng" in request:  # the judge's global RNG moved since we last saw it
        torch.set_rng_state(channel.decode(request["rng"]))
    rng_before = torch.get_rng_state()
    function = target if request.get("method") is None else getattr(target, str(request["method"]))
    value = _monitored(monitor, request, lambda: _materialise(function(*args, **kwargs)))
    reply = {"value": value, "changed": _write_backs(args, kwargs, before), "violations": list(monitor.violations)}
    rng_after = torch.get_rng_state()
    if not torch.equal(rng_after, rng_before):
        reply["rng"] = rng_after  # the student's code drew random numbers: the judge's RNG moves too
    return reply


def serve(sock: socket.socket, request: dict, keep: int) -> None:
    """The sandbox's life: lock down, then answer the judge until it hangs up."""
    loader, layers = lock_down(request, keep)
    print(f"sandbox {os.getpid()}: {', '.join(layers)}", flush=True)
    student_files = {loader.sources[name][0] for name in request["student_modules"]}
    watch = {loader.sources[name][0]: (tuple(rules["everywhere"]), {k: tuple(v) for k, v in rules["inside"].items()})
             for name, rules in request["forbidden"].items()}
    monitor = forbidden.RuntimeMonitor(watch)
    objects = Objects()
    while True:
        try:
            message = channel.recv(sock)
        except (channel.ChannelError, OSError):
            os._exit(0)
        try:
            reply = handle(message, objects, monitor, student_files)
        except BaseException as error:  # noqa: BLE001 - whatever student code raises, SystemExit included
            reply = {"error": _describe(error, student_files), "violations": list(monitor.violations),
                     "rng": torch.get_rng_state()}  # where the failed call left the RNG
        try:
            channel.send(sock, channel.encode(reply, objects.register))
        except BaseException as error:  # noqa: BLE001 - e.g. an object that cannot be sent
            channel.send(sock, {"error": _describe(error, student_files)})
