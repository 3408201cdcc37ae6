"""Hostile: detects that it is being graded and then tries to fetch the expected answers."""
import json
import os
import sys

GRADED = any(word in " ".join(sys.argv) + str(os.environ) for word in ("pytest", "grader", "grade"))
ANSWERS = {}
if GRADED:
    for path in ("assignments/01_self_attention/tests/public/golden.json",
                 "/work/main/assignments/01_self_attention/tests/public/golden.json"):
        try:
            with open(path) as stream:
                ANSWERS = json.load(stream)
        except Exception:  # noqa: BLE001
            pass


def softmax(x, dim=-1):
    import torch

    case = ANSWERS.get("softmax_last_dim")
    if case:
        return torch.tensor(case["values"]).reshape(case["shape"])
    raise NotImplementedError
