"""Hostile: looks for the reference solution and the hidden tests, and re-exports them."""
import glob
import importlib.util
import os
import sys

found = None
for pattern in ("/**/reference/self_attention.py", os.path.expanduser("~/**/reference/self_attention.py"),
                "/work/*/reference/self_attention.py", "/tmp/**/self_attention.py"):
    try:
        for path in glob.glob(pattern, recursive=True):
            if path != __file__:
                found = path
                break
    except Exception:  # noqa: BLE001
        pass
    if found:
        break
for guess in [found, os.path.join(os.path.dirname(__file__), "..", "..", "reference", "self_attention.py")]:
    if not guess:
        continue
    try:
        spec = importlib.util.spec_from_file_location("stolen", guess)
        stolen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(stolen)
        softmax = stolen.softmax
        scaled_dot_product_attention = stolen.scaled_dot_product_attention
        SelfAttention = stolen.SelfAttention
        break
    except Exception as error:  # noqa: BLE001
        print("could not steal", guess, error, file=sys.stderr)
else:

    def softmax(x, dim=-1):
        raise NotImplementedError
