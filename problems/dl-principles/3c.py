"""dl-principles 3c: output shape of that layer on 32×32×3 (torch runs it)."""
import torch
from torch import nn

from dlcheck.reference import Reference


def solve(given):
    layer = nn.Conv2d(given["in_channels"], given["filters"], given["kernel"])
    with torch.no_grad():
        _, c, h, w = layer(torch.zeros(1, given["in_channels"], given["size"], given["size"])).shape
    return {"shape": Reference([h, w, c], [
        f"no padding, stride 1: {given['size']} − {given['kernel']} + 1 = {h}; one channel per filter: {c}",
    ])}
