"""Receptive fields of convolution stacks, by formula and by a gradient probe."""
from __future__ import annotations

import warnings

import torch
from torch import nn


def receptive_field(kernels: list[int], strides: list[int] | None = None) -> int:
    """r = 1 + Σ (k_i − 1) · Π_{j<i} s_j."""
    strides = strides or [1] * len(kernels)
    r, jump = 1, 1
    for k, s in zip(kernels, strides):
        r += (k - 1) * jump
        jump *= s
    return r


class _Quiet(nn.Sequential):
    """torch warns that 'same' padding of an even kernel copies the input; we know."""

    def forward(self, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return super().forward(x)


def same_stack(kernels: list[int]) -> nn.Sequential:
    """Stride-1 convolutions, one channel, 'same' padding (asymmetric for even kernels)."""
    return _Quiet(*[nn.Conv2d(1, 1, k, padding="same") for k in kernels])


def probe_receptive_field(kernels: list[int], size: int = 31) -> int:
    """Backpropagate from the centre output unit with all-positive weights and
    count the input pixels that receive gradient along the centre row."""
    model = same_stack(kernels)
    with torch.no_grad():
        for layer in model:
            layer.weight.fill_(1.0)
            layer.bias.zero_()
    x = torch.ones(1, 1, size, size, requires_grad=True)
    model(x)[0, 0, size // 2, size // 2].backward()
    return int((x.grad[0, 0, size // 2] != 0).sum())


def keeps_size(kernels: list[int], size: int) -> bool:
    with torch.no_grad():
        return tuple(same_stack(kernels)(torch.zeros(1, 1, size, size)).shape[-2:]) == (size, size)
