"""Hostile: puts the course's reference/ folder on sys.path (found from the grader's own
loaded modules) and imports the solution from it."""
import importlib
import os
import sys

errors = []
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None) or ""
    if f"{os.sep}grader{os.sep}" in path:
        sys.path.insert(0, os.path.join(path.split(f"{os.sep}grader{os.sep}")[0], "reference"))
        sys.path.insert(0, path.split(f"{os.sep}grader{os.sep}")[0])
        break
for name in ("reference.self_attention", "self_attention_reference"):
    try:
        solution = importlib.import_module(name)
        softmax, scaled_dot_product_attention, SelfAttention = (
            solution.softmax, solution.scaled_dot_product_attention, solution.SelfAttention)
        break
    except Exception as error:  # noqa: BLE001
        errors.append(f"{type(error).__name__}: {error}")
else:

    def softmax(x, dim=-1):
        raise ValueError("could not import the reference: " + " | ".join(errors))
