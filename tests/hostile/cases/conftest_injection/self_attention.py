"""Hostile: a stub shipped with a conftest.py and a pytest.ini that try to skip or pass every test."""


def softmax(x, dim=-1):
    raise NotImplementedError
