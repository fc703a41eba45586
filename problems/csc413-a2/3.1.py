"""csc413-a2 3.1: convolve I with J, zero padding that keeps 5×5.

Worked solution: find the padding from the output-size rule of torch itself
(try p = 0, 1, 2, … until conv2d returns the input's size), then let
conv2d compute the output. J is symmetric, so convolution and the
cross-correlation that conv2d computes agree."""
import torch
import torch.nn.functional as F

from dlcheck.reference import Reference


def solve(given):
    image = torch.tensor(given["image"], dtype=torch.float64)[None, None]
    kernel = torch.tensor(given["filter"], dtype=torch.float64)[None, None]
    size, k = image.shape[-1], kernel.shape[-1]

    padding = next(p for p in range(k) if F.conv2d(image, kernel, padding=p).shape[-1] == size)
    output = F.conv2d(image, kernel, padding=padding)[0, 0]
    valid = F.conv2d(image, kernel)[0, 0]

    return {
        "padding": Reference(padding, [
            f"output size = (H + 2p − k)/1 + 1 = {size} + 2p − {k} + 1; this equals {size} when p = {padding}",
        ]),
        "output": Reference(_ints(output), [
            f"zero-pad I by {padding} on each side to {size + 2 * padding}×{size + 2 * padding}",
            f"slide the {k}×{k} filter with stride 1: out[i, j] = Σ_uv I_pad[i+u, j+v]·J[u, v]",
            f"centre weight 5 minus the four neighbours: out[1, 1] = {int(output[1, 1])}",
        ], rules={"no_padding": _ints(valid)}),
    }


def _ints(t):
    return [[int(round(x)) for x in row] for row in t.tolist()]
