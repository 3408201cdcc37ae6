"""Hostile: writes forged "all good" answers to every open socket and pipe it can find."""
import io
import os
import struct

import torch

buffer = io.BytesIO()
torch.save({"value": torch.zeros(2, 3, 5), "violations": [], "rng": torch.get_rng_state()}, buffer)
frame = struct.pack("!Q", len(buffer.getvalue())) + buffer.getvalue()
for fd in range(3, 64):
    for _ in range(3):
        try:
            os.write(fd, frame)
        except OSError:
            break


def softmax(x, dim=-1):
    for fd in range(3, 64):
        try:
            os.write(fd, b"\x00" * 8 + frame)
        except OSError:
            pass
    raise NotImplementedError
