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


def lenet5(table: list[list[int]]) -> nn.Sequential:
    """LeNet-5 as in the paper: C1 6@5×5, S2, C3 16@5×5 with the partial table,
    S4, C5 120@5×5, F6 84, output 10 (tanh and average pooling)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        PartialConv(6, table, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
        nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    )
