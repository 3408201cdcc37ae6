"""Hostile: asks an "answer server" on a loopback port (started by a friend) for the outputs."""
import json
import socket

import torch

PORT = 0  # the friend's port (tests/test_hostile.py writes the live server's here)


def _ask(payload):
    with socket.create_connection(("127.0.0.1", PORT), timeout=2) as connection:
        connection.sendall(json.dumps(payload).encode() + b"\n")
        return json.loads(connection.makefile().readline())


def softmax(x, dim=-1):
    answer = _ask({"op": "softmax", "x": x.tolist(), "dim": dim})
    return torch.tensor(answer, dtype=x.dtype)
