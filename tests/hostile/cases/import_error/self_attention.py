"""Not hostile, just broken: imports a module that does not exist."""
import numpy_but_misspelled  # noqa: F401


def softmax(x, dim=-1):
    return x
