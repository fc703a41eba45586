"""Writes tests/data/notebooks/csc413_a2_colab.ipynb (see the README beside it)."""
import json, sys

def md(text): return {"cell_type": "markdown", "metadata": {"id": f"md{len(cells)}"}, "source": text.strip("\n").splitlines(True)}
def code(text, outputs=None):
    return {"cell_type": "code", "execution_count": None, "metadata": {"id": f"code{len(cells)}", "colab": {"base_uri": "https://localhost:8080/"}},
            "outputs": outputs or [], "source": text.strip("\n").splitlines(True)}

cells = []
cells.append(md("""
# CSC413 Programming Assignment 2: Image Colourization

In this assignment you colourise grey CIFAR-10 horses: each pixel gets one of 24 colours.
Fill in the code cells and answer the questions in the markdown cells below them.
"""))
cells.append(code("""
!pip install -q torchsummary
!nvidia-smi
"""))
cells.append(code("""
%matplotlib inline
import math
import numpy as np
import numpy.random as npr
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from google.colab import drive
drive.mount('/content/drive')
"""))
cells.append(md("""
## Part A: Pooling and Upsampling

### 3.3 Receptive fields

**Answer:** The kernel size (larger kernels see more of the input), the stride of earlier
layers (a larger stride makes the receptive field grow faster) and the depth, the number of
stacked layers, each adding k − 1 times the product of the earlier strides.
"""))
cells.append(code("""
# Helpers shared by the models below
PADDING_MODE = "zeros"


def same_padding(kernel):
    return kernel // 2


def conv_block(in_channels, out_channels, kernel, resample):
    \"\"\"Conv2d -> resample -> BatchNorm2d -> ReLU, padded to keep the size.\"\"\"
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, padding=same_padding(kernel), padding_mode=PADDING_MODE),
        resample,
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )
"""))
cells.append(md("""
### 4.1 PoolUpsampleNet

Complete the model `PoolUpsampleNet` following the architecture in Figure 1(a).
"""))
cells.append(code("""
class PoolUpsampleNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        nf, nc = num_filters, num_colours
        self.block1 = conv_block(num_in_channels, nf, kernel, nn.MaxPool2d(2))
        self.block2 = conv_block(nf, 2 * nf, kernel, nn.MaxPool2d(2))
        self.block3 = conv_block(2 * nf, nf, kernel, nn.Upsample(scale_factor=2))
        self.block4 = conv_block(nf, nc, kernel, nn.Upsample(scale_factor=2))
        self.final = nn.Conv2d(nc, nc, kernel, padding=same_padding(kernel))

    def forward(self, x):
        return self.final(self.block4(self.block3(self.block2(self.block1(x)))))
"""))
cells.append(code("""
class AttrDict(dict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self


def train(args, model):
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learn_rate)
    losses = []
    for epoch in range(args.epochs):
        losses.append(epoch)
    return losses


args = AttrDict(kernel=3, num_filters=32, learn_rate=0.001, epochs=25, seed=0)
cnn = PoolUpsampleNet(args.kernel, args.num_filters, 24, 1)
history = train(args, cnn)
for epoch, loss in enumerate(history):
    print(f"epoch {epoch}: loss {loss}")
plt.plot(history)
plt.show()
""", outputs=[{"output_type": "stream", "name": "stdout", "text": ["epoch 0: loss 0\\n"]}]))
cells.append(md("""
### 4.2 Training PoolUpsampleNet

**Answer:** The results are not good: the colourised horses are blurry and brown and grey mix
on one horse. Max pooling throws information away and the fixed upsampling has no learned
parameters, so the network cannot recover the detail.
"""))
cells.append(md("""
## Part B: Strided and Transposed Convolutions

### 5.1 ConvTransposeNet
"""))
cells.append(code("""
class ConvTransposeNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        nf, nc = num_filters, num_colours
        self.block1 = nn.Sequential(nn.Conv2d(num_in_channels, nf, kernel, stride=2, padding=1),
                                    nn.BatchNorm2d(nf), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv2d(nf, 2 * nf, kernel, stride=2, padding=1),
                                    nn.BatchNorm2d(2 * nf), nn.ReLU())
        self.block3 = nn.Sequential(nn.ConvTranspose2d(2 * nf, nf, kernel, stride=2, padding=1, output_padding=1),
                                    nn.BatchNorm2d(nf), nn.ReLU())
        self.block4 = nn.Sequential(nn.ConvTranspose2d(nf, nc, kernel, stride=2, padding=1, output_padding=1),
                                    nn.BatchNorm2d(nc), nn.ReLU())
        self.final = nn.Conv2d(nc, nc, kernel, padding=same_padding(kernel))

    def forward(self, x):
        return self.final(self.block4(self.block3(self.block2(self.block1(x)))))
"""))
cells.append(code("""
%%time
cnn = ConvTransposeNet(3, 32, 24, 1)
history = train(args, cnn)
"""))
cells.append(code("""
# A cell left over from debugging: it must never run while the notebook is graded
open('/tmp/dlcheck-notebook-fixture-was-run', 'w').write('ran')
raise SystemExit("this cell must never run")
"""))
cells.append(code("""
def broken(:
    pass
"""))
cells.append(md("""
### 5.4 Paddings

**Answer:** for kernel 4, conv padding 1 and transposed padding 1 with output padding 0.
"""))
cells.append(md("""
## Part C: Skip Connections

### 6.1 UNet
"""))
cells.append(code("""
class UNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        nf, nc = num_filters, num_colours
        self.block1 = nn.Sequential(nn.Conv2d(num_in_channels, nf, kernel, stride=2, padding=1),
                                    nn.BatchNorm2d(nf), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv2d(nf, 2 * nf, kernel, stride=2, padding=1),
                                    nn.BatchNorm2d(2 * nf), nn.ReLU())
        self.block3 = nn.Sequential(nn.ConvTranspose2d(2 * nf, nf, kernel, stride=2, padding=1, output_padding=1),
                                    nn.BatchNorm2d(nf), nn.ReLU())
        self.block4 = nn.Sequential(nn.ConvTranspose2d(2 * nf, nc, kernel, stride=2, padding=1, output_padding=1),
                                    nn.BatchNorm2d(nc), nn.ReLU())
        self.final = nn.Conv2d(nc + num_in_channels, nc, kernel, padding=same_padding(kernel))

    def forward(self, x):
        out1 = self.block1(x)
        out3 = self.block3(self.block2(out1))
        out4 = self.block4(torch.cat([out3, out1], dim=1))
        return self.final(torch.cat([out4, x], dim=1))
"""))
cells.append(code("""
%%bash
ls /content/drive
"""))
cells.append(code("""
unet = UNet(3, 32, 24, 1)
history = train(args, unet)
plt.plot(history)
"""))

nb = {"nbformat": 4, "nbformat_minor": 0,
      "metadata": {"colab": {"provenance": [], "gpuType": "T4", "toc_visible": True},
                   "kernelspec": {"name": "python3", "display_name": "Python 3"},
                   "language_info": {"name": "python"}, "accelerator": "GPU"},
      "cells": cells}
json.dump(nb, open(sys.argv[1], "w"), indent=2)
