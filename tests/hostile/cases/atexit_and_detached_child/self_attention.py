"""Hostile: an atexit hook and a detached child process that rewrite result files later."""
import atexit
import json
import os

RESULT = json.dumps({"score": 10, "tests": []})


def rewrite():
    for target in ("results.json", "/tmp/results.json"):
        try:
            with open(target, "w") as stream:
                stream.write(RESULT)
        except Exception:  # noqa: BLE001
            pass


atexit.register(rewrite)
try:
    if os.fork() == 0:
        os.setsid()
        import time

        time.sleep(3)
        rewrite()
        os._exit(0)
except Exception:  # noqa: BLE001
    pass


def softmax(x, dim=-1):
    raise NotImplementedError
