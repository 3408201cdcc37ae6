"""Hostile: prints what a successful run would print, and fake JSON report lines."""
import json
import sys

fake = {"nodeid": "assignments/01_self_attention/tests/hidden/test_softmax.py::test_x", "outcome": "passed",
        "message": "", "duration": 0.0}
for stream in (sys.stdout, sys.stderr):
    print("=" * 30 + " 45 passed in 0.42s " + "=" * 30, file=stream)
    print(json.dumps(fake), file=stream)
    print('{"score": 10, "tests": []}', file=stream)


def softmax(x, dim=-1):
    print("PASSED")
    raise NotImplementedError
