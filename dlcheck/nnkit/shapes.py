"""Output sizes of convolution, transposed convolution and pooling layers,
measured by running the torch layer itself (so the formulas are torch's),
and a search for the settings that keep target sizes."""
from __future__ import annotations

import itertools

import torch
from torch import nn


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0, dims: int = 2) -> int:
    """Spatial output size of ConvNd on a size×size input (torch computes it)."""
    layer = (nn.Conv1d if dims == 1 else nn.Conv2d)(1, 1, kernel, stride=stride, padding=padding, bias=False)
    return _run(layer, size, dims)


def convt_out(size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0) -> int:
    layer = nn.ConvTranspose2d(1, 1, kernel, stride=stride, padding=padding, output_padding=output_padding,
                               bias=False)
    return _run(layer, size, 2)


def pool_out(size: int, kernel: int, stride: int | None = None, dims: int = 2) -> int:
    layer = (nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(kernel, stride=stride)
    return _run(layer, size, dims)


def _run(layer, size: int, dims: int) -> int:
    shape = (1, 1) + (size,) * dims
    try:
        with torch.no_grad():
            return int(layer(torch.zeros(shape)).shape[-1])
    except RuntimeError:  # the layer refuses this size (output would be empty)
        return 0


def keeping_settings(kernel: int, stride: int, steps: list[tuple[str, int, int]]) -> list[dict]:
    """Every integer (conv_padding, convt_padding, convt_output_padding) with
    0 <= output_padding < stride for which each ("conv"|"convt", in, out) step
    of the network produces its target size."""
    found = []
    for p, q, op in itertools.product(range(kernel + 1), range(kernel + 1), range(stride)):
        try:
            ok = all((conv_out(i, kernel, stride, p) if kind == "conv" else convt_out(i, kernel, stride, q, op)) == o
                     for kind, i, o in steps)
        except RuntimeError:  # torch refuses output_padding >= padding-derived limits
            ok = False
        if ok:
            found.append({"conv_padding": p, "convt_padding": q, "convt_output_padding": op})
    return found


def pooled(matrices: list, mode: str, size: int = 2) -> list:
    """size×size pooling with stride `size` of each matrix (torch pools)."""
    import torch.nn.functional as F

    pool = F.avg_pool2d if mode == "average" else F.max_pool2d
    return [pool(torch.tensor(m, dtype=torch.float64)[None, None], size, size)[0, 0].tolist() for m in matrices]
