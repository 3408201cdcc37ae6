"""Hostile: writes perfect result files wherever a grader might keep them."""
import glob
import json
import os
import tempfile

perfect = json.dumps({"score": 10, "tests": [{"name": "all", "score": 10, "max_score": 10, "status": "passed"}]})
line = json.dumps({"nodeid": "x", "outcome": "passed", "message": "", "duration": 0.0})
targets = ["results.json", "result.json", "/autograder/results/results.json", os.path.expanduser("~/results.json")]
targets += glob.glob(os.path.join(tempfile.gettempdir(), "grade-*", "report.jsonl"))
targets += glob.glob(os.path.join(tempfile.gettempdir(), "*", "results.json"))
for target in targets:
    try:
        with open(target, "a") as stream:
            stream.write((line if target.endswith(".jsonl") else perfect) + "\n")
    except Exception:  # noqa: BLE001
        pass


def softmax(x, dim=-1):
    raise NotImplementedError
