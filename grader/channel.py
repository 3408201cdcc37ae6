"""Messages between the judge and a sandbox: length-prefixed pickles of plain data,
read back by an unpickler that refuses every global (so nothing can run code on load).

Only plain data crosses: None, bools, numbers, strings, bytes, lists, tuples, dicts,
and tagged dicts for what is not plain: tensors travel as their dtype, shape and raw
bytes (never as tensor objects, so no tensor subclass can cross), ``{"__handle__": 3}``
names an object that stays in the sandbox, and dtypes, devices, generator states, sets
and ranges have tags of their own. A hostile sandbox cannot attack the judge through
its answers: at worst they are wrong.
"""
from __future__ import annotations

import io
import pickle
import socket
import struct

import torch

MAX_MESSAGE = 256 * 1024 * 1024  # bytes; a larger message is refused
_HEADER = struct.Struct("!Q")


class ChannelError(Exception):
    """The other side closed the channel, or sent something malformed."""


_PLAIN = (type(None), bool, int, float, str, bytes)
_PLAIN_TYPES = frozenset(_PLAIN)


def encode(value, register=None):
    """Python value -> plain data. Objects that are not data become ``{"__handle__": id}``
    through ``register(obj) -> id`` (the sandbox's object table); without it they are refused.
    (The common types are tested first: this runs for every value of every message.)"""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if isinstance(value, torch.Tensor):
        return _encode_tensor(value)
    if kind is dict and all(type(k) is str for k in value):
        return {k: encode(v, register) for k, v in value.items()}
    if kind is list:
        return [encode(v, register) for v in value]
    if kind is tuple or isinstance(value, (tuple, torch.Size)):
        return tuple(encode(v, register) for v in value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, torch.dtype):
        return {"__dtype__": str(value).removeprefix("torch.")}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    if isinstance(value, torch.Generator):
        return {"__generator__": _encode_tensor(value.get_state()), "device": str(value.device)}
    if isinstance(value, (set, frozenset)):
        return {"__set__": [encode(v, register) for v in value], "frozen": isinstance(value, frozenset)}
    if isinstance(value, range):
        return {"__range__": (value.start, value.stop, value.step)}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: encode(v, register) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v, register) for v in value]
    if register is None:
        raise TypeError(f"cannot send a {type(value).__name__} to the other side")
    return {"__handle__": register(value)}


def decode(data, resolve=None):
    """Plain data -> Python values; ``{"__handle__": id}`` goes through ``resolve(id)``."""
    if isinstance(data, dict):
        if "__tensor__" in data:
            return _decode_tensor(data["__tensor__"])
        if "__handle__" in data and resolve is not None:
            return resolve(data["__handle__"])
        if "__dtype__" in data:
            dtype = getattr(torch, str(data["__dtype__"]), None)
            if not isinstance(dtype, torch.dtype):
                raise ChannelError(f"unknown dtype {data['__dtype__']!r}")
            return dtype
        if "__device__" in data:
            return torch.device(str(data["__device__"]))
        if "__set__" in data:
            items = [decode(v, resolve) for v in data["__set__"]]
            return frozenset(items) if data.get("frozen") else set(items)
        if "__range__" in data:
            return range(*(int(v) for v in data["__range__"]))
        if "__generator__" in data:
            generator = torch.Generator(device=str(data.get("device", "cpu")))
            generator.set_state(decode(data["__generator__"]))
            return generator
        return {k: decode(v, resolve) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(decode(v, resolve) for v in data)
    if isinstance(data, list):
        return [decode(v, resolve) for v in data]
    return data


def _encode_tensor(value: torch.Tensor) -> dict:
    """A plain tensor's dtype, shape, device type and bytes (a subclass loses its class)."""
    tensor = value.detach()
    if type(tensor) is not torch.Tensor:
        tensor = tensor.as_subclass(torch.Tensor)
    dtype = str(tensor.dtype).removeprefix("torch.")
    shape = tuple(int(n) for n in tensor.shape)
    if tensor.device.type == "meta":
        return {"__tensor__": (dtype, shape, "meta", b"")}
    flat = tensor.detach().to("cpu").contiguous().reshape(-1)
    data = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    return {"__tensor__": (dtype, shape, "cpu", data)}


def _decode_tensor(fields) -> torch.Tensor:
    dtype_name, shape, device, data = fields
    dtype = getattr(torch, str(dtype_name), None)
    if not isinstance(dtype, torch.dtype) or not isinstance(data, bytes):
        raise ChannelError("malformed tensor")
    shape = tuple(int(n) for n in shape)
    if device == "meta":
        return torch.empty(shape, dtype=dtype, device="meta")
    count = 1
    for n in shape:
        count *= n
    if len(data) != count * torch.empty((), dtype=dtype).element_size():
        raise ChannelError("tensor data of the wrong size")
    if not data:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).reshape(shape).clone()


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):  # no class, no function: plain data only
        raise ChannelError(f"refused to load {module}.{name}")


def dumps(message) -> bytes:
    """Plain data (see :func:`encode`) -> bytes."""
    return pickle.dumps(message, protocol=5)


def loads(payload: bytes):
    try:
        return _PlainUnpickler(io.BytesIO(payload)).load()
    except ChannelError:
        raise
    except Exception as error:  # noqa: BLE001 - anything malformed is the sender's fault
        raise ChannelError(f"malformed message: {type(error).__name__}") from None


def send(sock: socket.socket, message) -> None:
    payload = dumps(message)
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ChannelError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket):
    (size,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    if size > MAX_MESSAGE:
        raise ChannelError(f"message of {size} bytes is larger than the {MAX_MESSAGE} allowed")
    return loads(_recv_exactly(sock, size))
