"""Hostile: raises BaseException subclasses that are not Exceptions (they stop naive graders)."""


class Abort(BaseException):
    pass


def softmax(x, dim=-1):
    raise KeyboardInterrupt


def scaled_dot_product_attention(q, k, v, mask=None):
    raise Abort("stop the grader")


class SelfAttention:
    def __init__(self, embed_dim):
        raise GeneratorExit
