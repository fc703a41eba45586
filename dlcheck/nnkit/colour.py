"""The colourisation networks of csc413-a2 (PoolUpsampleNet and friends), as
the assignment defines them: reference models for solvers and code checks."""
from __future__ import annotations

from torch import nn


class PoolUpsampleNet(nn.Module):
    """[Conv, MaxPool, BN, ReLU] ×2 → [Conv, Upsample, BN, ReLU] ×2 → Conv."""

    def __init__(self, kernel, num_filters, num_colours, num_in_channels, bias=True):
        super().__init__()
        pad = kernel // 2

        def block(c_in, c_out, resample):
            return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, padding=pad, bias=bias), resample,
                                 nn.BatchNorm2d(c_out), nn.ReLU())

        nf, nc = num_filters, num_colours
        self.block1 = block(num_in_channels, nf, nn.MaxPool2d(2))
        self.block2 = block(nf, 2 * nf, nn.MaxPool2d(2))
        self.block3 = block(2 * nf, nf, nn.Upsample(scale_factor=2))
        self.block4 = block(nf, nc, nn.Upsample(scale_factor=2))
        self.final = nn.Conv2d(nc, nc, kernel, padding=pad, bias=bias)

    def forward(self, x):
        return self.final(self.block4(self.block3(self.block2(self.block1(x)))))
