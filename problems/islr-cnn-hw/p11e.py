"""islr-cnn-hw p11e: trainable parameters of Dense(20 → 30) + BatchNorm (torch counts)."""
from torch import nn

from dlcheck.nnkit import parameter_count
from dlcheck.reference import Reference


def solve(given):
    dense, bn = nn.Linear(given["inputs"], given["units"]), nn.BatchNorm1d(given["units"])
    total = parameter_count(dense) + parameter_count(bn)
    return {"params": Reference(total, [
        f"dense {dense.weight.numel()} weights + {dense.bias.numel()} biases, BN γ and β: {parameter_count(bn)}"],
        rules={"bias_dropped": total - dense.bias.numel()})}
