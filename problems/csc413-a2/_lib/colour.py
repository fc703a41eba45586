"""The colourisation networks of csc413-a2 (PoolUpsampleNet and friends), as
the assignment defines them: the reference models of 4.1, 5.1 and 6.1 (the grader
loads each reference's weights into a submitted network and compares what the two
compute) and the networks the colourisation experiments train (4.2–6.2)."""
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


class ConvTransposeNet(nn.Module):
    """Strided convolutions down, transposed convolutions up (csc413-a2 5.1)."""

    def __init__(self, kernel, num_filters, num_colours, num_in_channels, bias=True):
        super().__init__()
        nf, nc, pad = num_filters, num_colours, kernel // 2

        def down(c_in, c_out):
            return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride=2, padding=1, bias=bias),
                                 nn.BatchNorm2d(c_out), nn.ReLU())

        def up(c_in, c_out):
            return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, kernel, stride=2, padding=1, output_padding=1,
                                                    bias=bias), nn.BatchNorm2d(c_out), nn.ReLU())

        self.block1, self.block2 = down(num_in_channels, nf), down(nf, 2 * nf)
        self.block3, self.block4 = up(2 * nf, nf), up(nf, nc)
        self.final = nn.Conv2d(nc, nc, kernel, padding=pad, bias=bias)

    def forward(self, x):
        return self.final(self.block4(self.block3(self.block2(self.block1(x)))))


class UNet(ConvTransposeNet):
    """ConvTransposeNet with two skip connections (csc413-a2 6.1)."""

    def __init__(self, kernel, num_filters, num_colours, num_in_channels, bias=True):
        super().__init__(kernel, num_filters, num_colours, num_in_channels, bias)
        nf, nc = num_filters, num_colours
        self.block4 = nn.Sequential(nn.ConvTranspose2d(2 * nf, nc, kernel, stride=2, padding=1, output_padding=1,
                                                       bias=bias), nn.BatchNorm2d(nc), nn.ReLU())
        self.final = nn.Conv2d(nc + num_in_channels, nc, kernel, padding=kernel // 2, bias=bias)

    def forward(self, x):
        import torch

        out1 = self.block1(x)
        out3 = self.block3(self.block2(out1))
        out4 = self.block4(torch.cat([out3, out1], dim=1))
        return self.final(torch.cat([out4, x], dim=1))
