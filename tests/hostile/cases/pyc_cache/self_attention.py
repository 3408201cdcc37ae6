"""Hostile: a stub shipped next to bytecode compiled from a full solution (see the test)."""


def softmax(x, dim=-1):
    raise NotImplementedError
