"""The judge's side of a sandbox: stand-ins for the student's objects.

A :class:`Remote` behaves like the object it stands for, as far as the tests use
objects: call it, read an attribute, pass it to another call. Every use is a request
to the sandbox process (``grader.sandbox``). A sandbox that crashes, exits or overruns
its time is killed and replaced for the next test; the current test fails with a
message that says what happened.
"""
from __future__ import annotations

import builtins
import contextvars
import json
import os
import signal
import socket
import weakref

import torch

from grader import channel

strict_devices_flag = contextvars.ContextVar("strict_devices", default=False)
_watched: dict[int, weakref.ref] = {}  # tensors whose in-place changes by student code are copied back


def watch(tensor: torch.Tensor) -> torch.Tensor:
    """Let in-place changes that student code makes to ``tensor`` show in the judge.

    Only watched tensors get them: otherwise a student could rewrite an input in place so
    that a yardstick computed from it afterwards agrees with a wrong answer.
    """
    _watched[id(tensor)] = weakref.ref(tensor)
    return tensor


def _is_watched(tensor) -> bool:
    ref = _watched.get(id(tensor))
    return ref is not None and ref() is tensor


class SandboxFailure(Exception):
    """The sandbox died, timed out or answered nonsense during a request."""


def _reraise(error: dict):
    """Raise, in the judge, the exception the student's code raised in the sandbox.

    Built-in exception types come back as themselves (so ``pytest.raises(ValueError)``
    and ``expect_value_error`` work); anything else becomes a RuntimeError naming it.
    """
    base = error.get("base")
    message = str(error.get("message", ""))
    cls = getattr(builtins, base, None) if isinstance(base, str) else None
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError  # a student's own exception class: its name travels in grader_type
    exception = cls(message)
    location = error.get("location")
    if isinstance(location, (tuple, list)) and len(location) == 3:
        exception.grader_location = tuple(location)  # (qualname, file, line), for the student's message
    exception.grader_type = str(error.get("type", cls.__name__))
    raise exception


class Sandbox:
    """One sandbox process at a time, spawned from the zygote on first use and after a crash."""

    def __init__(self, zygote_fd: int, request: dict, timeout: float):
        self.zygote = socket.socket(fileno=zygote_fd)
        self.request_template = request
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.pid: int | None = None
        self.generation = 0  # bumped at every (re)spawn: older handles are stale
        self.violations: list[str] = []
        self.pending_reset = False  # sent along with the next request instead of on its own
        self.rng_sent: bytes | None = None  # the global RNG state the sandbox has (None: unknown)

    # ------------------------------------------------------------ process

    def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        socket.send_fds(self.zygote, [json.dumps(self.request_template).encode()], [theirs.fileno()])
        theirs.close()
        answer = self.zygote.recv(1 << 16)
        if not answer:
            raise SandboxFailure("the sandbox could not be started")
        self.pid = json.loads(answer)["pid"]
        self.sock = ours
        self.sock.settimeout(self.timeout)
        self.generation += 1

    def kill(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.sock is not None:
            self.sock.close()
        self.sock, self.pid = None, None

    # ------------------------------------------------------------ requests

    def request(self, message: dict):
        """Send one request and return the decoded reply value (or raise the student's error)."""
        if self.sock is None:
            self._spawn()
            self.pending_reset, self.rng_sent = False, None
        generation = self.generation
        if self.pending_reset:
            message["reset"], self.pending_reset = True, False
        if message.get("op") == "call":  # share the global RNG: send its state when it changed
            state = torch.get_rng_state()
            if self.rng_sent != (raw := state.numpy().tobytes()):
                message["rng"], self.rng_sent = channel.encode(state), raw
        try:
            channel.send(self.sock, message)  # every field is plain data already
            reply = channel.recv(self.sock)
        except socket.timeout:
            self.kill()
            raise SandboxFailure(f"your code took longer than {self.timeout:g} s and was stopped "
                                 "(an endless loop, or far too much work?)") from None
        except (channel.ChannelError, OSError):
            self.kill()
            raise SandboxFailure("the process running your code ended during this call (sys.exit/os._exit, "
                                 "a crash in native code, or out of memory)") from None
        except BaseException:  # e.g. pytest-timeout's exception: the reply would arrive out of step
            self.kill()
            raise
        if not isinstance(reply, dict):
            self.kill()
            raise SandboxFailure("the sandbox sent a malformed answer")
        self.violations += [str(v) for v in reply.get("violations", ())]
        try:
            rng = channel.decode(reply.get("rng"))
            if isinstance(rng, torch.Tensor):
                torch.set_rng_state(rng)  # the student's code drew random numbers: so did we
                self.rng_sent = rng.numpy().tobytes()
        except (channel.ChannelError, RuntimeError, TypeError, ValueError):
            self.rng_sent = None
        value = channel.decode(reply.get("value"), lambda handle: Remote(self, handle, generation))
        if "error" in reply:
            _reraise(reply["error"] if isinstance(reply["error"], dict) else {})
        return value, reply.get("changed", {})

    def import_module(self, name: str) -> "Remote":
        value, _ = self.request({"op": "import", "name": name})
        return value

    def reset(self) -> None:
        """Forget the objects of the previous test (the API itself stays); done at the next request."""
        self.pending_reset = self.sock is not None
        self.violations.clear()


class Remote:
    """Stands in, in the judge, for an object that lives in the sandbox."""

    __slots__ = ("_sandbox", "_handle", "_generation")

    def __init__(self, sandbox: Sandbox, handle: int, generation: int):
        object.__setattr__(self, "_sandbox", sandbox)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_generation", generation)

    def _check_alive(self) -> None:
        if self._sandbox.generation != self._generation or self._sandbox.sock is None:
            raise SandboxFailure("this object belonged to a run of your code that has ended (it crashed or "
                                 "timed out earlier in this test)")

    def _encode(self, value):
        def register(obj):
            if isinstance(obj, Remote):
                obj._check_alive()
                return obj._handle
            raise TypeError(f"cannot pass a {type(obj).__name__} to the student's code")

        return channel.encode(value, register)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        self._check_alive()
        if name in MODULE_METHODS:  # called right away in practice: one request for both steps
            return _Method(self, name)
        value, _ = self._sandbox.request({"op": "getattr", "target": self._handle, "name": name})
        return value

    def __setattr__(self, name, value):
        raise AttributeError("the grader does not set attributes on student objects")

    def __call__(self, *args, **kwargs):
        return self._call(None, args, kwargs)

    def _call(self, method: str | None, args, kwargs):
        """Call the object (or its ``method``) in the sandbox."""
        self._check_alive()
        watched = [str(i) for i, a in enumerate(args) if _is_watched(a)] + [k for k, a in kwargs.items() if _is_watched(a)]
        message = {"op": "call", "target": self._handle, "method": method, "args": self._encode(list(args)),
                   "kwargs": self._encode(kwargs), "watched": watched, "strict_devices": strict_devices_flag.get()}
        value, changed = self._sandbox.request(message)
        _write_back(args, kwargs, channel.decode(changed))
        return value

    def parameter_shapes(self) -> dict:
        """{name: shape} of the module's parameters, without sending the values over."""
        self._check_alive()
        value, _ = self._sandbox.request({"op": "parameter_shapes", "target": self._handle})
        return {str(name): tuple(int(n) for n in shape) for name, shape in dict(value).items()}

    def gradients(self, args: tuple, kwargs: dict, weights: torch.Tensor) -> dict:
        """The module's parameter gradients and any backward error (``testkit.local_gradients``)."""
        self._check_alive()
        value, _ = self._sandbox.request({"op": "gradients", "target": self._handle, "args": self._encode(list(args)),
                                          "kwargs": self._encode(kwargs), "weights": self._encode(weights),
                                          "strict_devices": strict_devices_flag.get()})
        value = dict(value)
        grads = {str(name): grad if isinstance(grad, torch.Tensor) else None
                 for name, grad in dict(value.get("gradients", {})).items()}
        error = value.get("error")
        return {"gradients": grads, "error": str(error) if error else None}

    def assign_parameters(self, values: dict) -> None:
        """Overwrite the module's parameters in place with ``values`` (by name)."""
        self._check_alive()
        self._sandbox.request({"op": "assign_parameters", "target": self._handle, "values": self._encode(values)})

    def __repr__(self) -> str:
        return f"<student object #{self._handle}>"


# nn.Module methods the tests call: `model.eval()` is then one request, not two.
MODULE_METHODS = frozenset({"eval", "train", "double", "float", "half", "bfloat16", "to", "named_parameters",
                            "named_buffers", "parameters", "buffers", "zero_grad", "requires_grad_"})


class _Method:
    """``remote.eval`` before it is called: the call goes to the sandbox as one request."""

    __slots__ = ("_owner", "_name")

    def __init__(self, owner: "Remote", name: str):
        self._owner, self._name = owner, name

    def __call__(self, *args, **kwargs):
        return self._owner._call(self._name, args, kwargs)


def _write_back(args, kwargs, changed: dict) -> None:
    """Apply, to the judge's own arguments, what the student's code did to its copies:
    generator states always, in-place tensor changes only to watched tensors."""
    for key, value in changed.items():
        original = args[int(key)] if key.isdigit() and int(key) < len(args) else kwargs.get(key)
        if isinstance(original, torch.Generator) and isinstance(value, torch.Generator):
            original.set_state(value.get_state())
        elif isinstance(original, torch.Tensor) and _is_watched(original) and isinstance(value, torch.Tensor) \
                and value.shape == original.shape:
            with torch.no_grad():
                original.copy_(value.to(original.dtype))
