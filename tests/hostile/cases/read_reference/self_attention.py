"""Hostile: finds the course on disk (from the grader's own loaded modules, the working
directory, the home folder) and loads the reference solution from there."""
import glob
import importlib.util
import os
import sys


def _candidates():
    for module in list(sys.modules.values()):  # e.g. grader.plugin: <course>/grader/plugin.py
        path = getattr(module, "__file__", None) or ""
        if f"{os.sep}grader{os.sep}" in path:
            yield os.path.join(path.split(f"{os.sep}grader{os.sep}")[0], "reference", "self_attention.py")
    for folder in (os.getcwd(), os.path.expanduser("~"), "/work"):
        yield from glob.glob(os.path.join(folder, "*", "reference", "self_attention.py"))


def _steal():
    errors = []
    for path in _candidates():
        try:
            spec = importlib.util.spec_from_file_location("stolen", path)
            stolen = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(stolen)
            return stolen, errors
        except Exception as error:  # noqa: BLE001
            errors.append(f"{type(error).__name__}: {error}")
    return None, errors or ["no candidate path"]


stolen, errors = _steal()
if stolen is not None:
    softmax, scaled_dot_product_attention, SelfAttention = (
        stolen.softmax, stolen.scaled_dot_product_attention, stolen.SelfAttention)
else:

    def softmax(x, dim=-1):
        raise ValueError("could not steal the reference: " + " | ".join(errors[:3]))
