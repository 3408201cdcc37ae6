"""Hostile: rewrites pytest's reporting so that failures are reported as passes."""
import sys

for name in list(sys.modules):
    if name.startswith("_pytest") or name == "pytest":
        module = sys.modules[name]
        for attr in ("fail", "skip", "xfail"):
            if hasattr(module, attr):
                setattr(module, attr, lambda *a, **k: None)
try:
    import _pytest.reports

    _pytest.reports.TestReport.failed = property(lambda self: False)
    _pytest.reports.TestReport.passed = property(lambda self: True)
    import _pytest.runner

    _pytest.runner.check_interactive_exception = lambda *a, **k: False
except Exception:  # noqa: BLE001
    pass


def softmax(x, dim=-1):
    raise NotImplementedError
