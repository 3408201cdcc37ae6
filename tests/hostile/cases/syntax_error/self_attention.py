"""Not hostile, just broken: a syntax error must be reported with its file and line."""


def softmax(x, dim=-1)
    return x
