"""LeNet-5's C3 layer with the paper's partial connection table, as a torch
module: a 6→16 convolution whose kernel is masked so each C3 map reads only
the S2 maps of its column in Table I."""
from __future__ import annotations

import torch
from torch import nn


class PartialConv(nn.Conv2d):
    def __init__(self, in_maps: int, table: list[list[int]], kernel: int):
        super().__init__(in_maps, len(table), kernel)
        mask = torch.zeros_like(self.weight)
        for out_map, inputs in enumerate(table):
            mask[out_map, inputs] = 1
        self.register_buffer("mask", mask)

    def forward(self, x):
        return nn.functional.conv2d(x, self.weight * self.mask, self.bias)

    def trainable(self) -> int:
        """Weights the mask lets through, plus one bias per map."""
        return int(self.mask.sum()) + self.bias.numel()
