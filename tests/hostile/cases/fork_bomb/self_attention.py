"""Hostile: a bounded fork bomb (at most 64 processes, each sleeping briefly)."""
import os
import time

children = 0
for _ in range(6):
    try:
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        children += 1
    except Exception:  # noqa: BLE001
        break


def softmax(x, dim=-1):
    raise NotImplementedError
