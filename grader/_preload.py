"""Imported once by the fork server so that every graded step starts with torch,
pytest and the plugin already loaded instead of paying ~2 s of imports each time."""
import pytest  # noqa: F401
import pytest_timeout  # noqa: F401
import torch  # noqa: F401
import torch._dynamo  # noqa: F401  (imported lazily by the first meta-device op: 0.8 s)

import grader.plugin  # noqa: F401
import grader.sandbox  # noqa: F401
import grader.toymodels  # noqa: F401
