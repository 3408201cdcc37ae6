"""The from-scratch rule is found in code (aliases resolved), never in text."""
import pytest
import torch

from grader import forbidden

EVERYWHERE = ("torch-attention",)
INSIDE = {"softmax": ("torch-softmax",)}


def _apis(source):
    return [(f.api, f.scope) for f in forbidden.scan_source(source, "x.py", EVERYWHERE, INSIDE)]


@pytest.mark.parametrize("source,api", [
    ("import torch\ndef f(q):\n    return torch.nn.functional.scaled_dot_product_attention(q, q, q)\n",
     "torch.nn.functional.scaled_dot_product_attention"),
    ("import torch.nn.functional as F\ndef f(q):\n    return F.scaled_dot_product_attention(q, q, q)\n",
     "torch.nn.functional.scaled_dot_product_attention"),
    ("from torch.nn import functional as fn\ndef f(q):\n    return fn.scaled_dot_product_attention(q, q, q)\n",
     "torch.nn.functional.scaled_dot_product_attention"),
    ("from torch.nn.functional import scaled_dot_product_attention as attend\ndef f(q):\n    return attend(q, q, q)\n",
     "torch.nn.functional.scaled_dot_product_attention"),
    ("from torch import nn\nclass A(nn.Module):\n    def __init__(self):\n        self.m = nn.MultiheadAttention(4, 2)\n",
     "torch.nn.MultiheadAttention"),
    ("import torch.nn as nn\nlayer = nn.TransformerEncoderLayer(4, 2)\n", "torch.nn.TransformerEncoderLayer"),
])
def test_forbidden_apis_are_found_through_aliases(source, api):
    assert api in [a for a, _ in _apis(source)]


def test_mentions_in_docstrings_comments_and_strings_are_fine():
    source = (
        '"""Unlike F.scaled_dot_product_attention or nn.MultiheadAttention, we write it."""\n'
        "import torch\n"
        "# torch.nn.functional.scaled_dot_product_attention would do this in one line\n"
        "def softmax(x, dim=-1):\n"
        '    """Not torch.softmax: by hand."""\n'
        "    e = torch.exp(x - x.amax(dim=dim, keepdim=True))\n"
        "    return e / e.sum(dim=dim, keepdim=True)\n"
        "NOTE = 'torch.softmax'\n"
    )
    assert _apis(source) == []


def test_softmax_rule_applies_inside_softmax_only():
    source = (
        "import torch\nimport torch.nn.functional as F\n"
        "def softmax(x, dim=-1):\n    return F.softmax(x, dim)\n"
        "def attention(s):\n    return torch.softmax(s, -1)\n"
        "def other(x):\n    return x.softmax(-1)\n"
    )
    assert _apis(source) == [("torch.nn.functional.softmax", "softmax")]
    method = "def softmax(x, dim=-1):\n    return x.softmax(dim)\n"
    assert _apis(method) == [(".softmax(...)", "softmax")]


def test_finding_message_names_file_line_and_scope():
    source = "import torch\n\ndef f(q):\n    return torch.nn.functional.scaled_dot_product_attention(q, q, q)\n"
    finding = forbidden.scan_source(source, "self_attention.py", EVERYWHERE, {})[0]
    assert finding.line == 4 and finding.scope == "f"
    assert finding.message().startswith("uses `torch.nn.functional.scaled_dot_product_attention` at self_attention.py, line 4 (in f)")


def test_runtime_monitor_flags_calls_from_watched_files_only(tmp_path):
    student = tmp_path / "student.py"
    student.write_text("import torch\ndef softmax(x):\n    return getattr(torch, 'soft' + 'max')(x, -1)\n"
                       "def helper(x):\n    return torch.softmax(x, -1)\n")
    namespace = {}
    exec(compile(student.read_text(), str(student), "exec"), namespace)
    monitor = forbidden.RuntimeMonitor({str(student): ((), {"softmax": ("torch-softmax",)})})
    x = torch.randn(3)
    with monitor:
        torch.softmax(x, -1)  # the judge's own use: fine
        namespace["helper"](x)  # torch's softmax outside `softmax`: fine
        with pytest.raises(forbidden.ForbiddenAPIError, match="softmax"):
            namespace["softmax"](x)
    assert len(monitor.violations) == 1 and "student.py, line 3 (in softmax)" in monitor.violations[0]
