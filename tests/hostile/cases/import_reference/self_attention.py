"""Hostile: puts the reference folder on sys.path and imports the solution from it."""
import importlib
import sys

for root in ("/work/main", "/work", ".", "..", "../.."):
    sys.path.insert(0, f"{root}/reference")
for name in list(sys.modules):
    if "reference" in name:
        module = sys.modules[name]
        if hasattr(module, "SelfAttention"):
            softmax = module.softmax
            scaled_dot_product_attention = module.scaled_dot_product_attention
            SelfAttention = module.SelfAttention
try:
    sys.modules.pop("self_attention", None)
    solution = importlib.import_module("reference.self_attention")
    softmax, scaled_dot_product_attention, SelfAttention = (
        solution.softmax, solution.scaled_dot_product_attention, solution.SelfAttention)
except Exception:  # noqa: BLE001
    pass
if "softmax" not in globals():

    def softmax(x, dim=-1):
        raise NotImplementedError
