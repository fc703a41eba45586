"""dl-principles 3b: parameters of 8 filters of size 5×5×3 with biases (torch counts)."""
from torch import nn

from dlcheck.nnkit import parameter_count
from dlcheck.reference import Reference


def solve(given):
    f, k, c = given["filters"], given["kernel"], given["in_channels"]
    layer = nn.Conv2d(c, f, k)
    return {"params": Reference(parameter_count(layer), [
        f"weights {f}·{k}·{k}·{c} = {layer.weight.numel()}, biases {layer.bias.numel()}",
    ], rules={"no_bias": layer.weight.numel()})}
