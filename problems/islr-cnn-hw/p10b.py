"""islr-cnn-hw p10b: the Inception module, naive and with 1×1 reductions.

Output channels: concatenation of the branches (the naive pool branch passes
its 256 channels through). Multiplications per conv: H·W·C_out·k²·C_in,
counted from torch conv layers of each branch."""
from torch import nn

from dlcheck.nnkit import conv_multiplications
from dlcheck.reference import Reference


def mults(h, w, conv: nn.Conv2d):
    """H·W·C_out·k²·C_in, by a forward pass of the layer ('same' padding keeps H×W)."""
    return conv_multiplications(conv, (conv.in_channels, h, w))[0]


def solve(given):
    c, h, w = given["input"]
    n, r = given["naive"], given["reduction"]
    naive = [nn.Conv2d(c, n["1x1"], 1), nn.Conv2d(c, n["3x3"], 3, padding=1), nn.Conv2d(c, n["5x5"], 5, padding=2)]
    reduction = [nn.Conv2d(c, r["1x1"], 1), nn.Conv2d(c, r["reduce3"], 1), nn.Conv2d(r["reduce3"], r["3x3"], 3, padding=1),
                 nn.Conv2d(c, r["reduce5"], 1), nn.Conv2d(r["reduce5"], r["5x5"], 5, padding=2),
                 nn.Conv2d(c, r["pool_proj"], 1)]
    naive_ops = sum(mults(h, w, m) for m in naive)
    red_ops = sum(mults(h, w, m) for m in reduction)
    slip = red_ops - mults(h, w, reduction[-1]) + mults(h, w, nn.Conv2d(r["reduce5"], r["pool_proj"], 1))
    return {
        "naive_channels": Reference(n["1x1"] + n["3x3"] + n["5x5"] + c, [f"{n['1x1']} + {n['3x3']} + {n['5x5']} + {c} (pool)"]),
        "reduction_channels": Reference(r["1x1"] + r["3x3"] + r["5x5"] + r["pool_proj"],
                                        [f"{r['1x1']} + {r['3x3']} + {r['5x5']} + {r['pool_proj']}"]),
        "naive_ops": Reference(naive_ops, [" + ".join(f"{mults(h, w, m):,}" for m in naive)]),
        "reduction_ops": Reference(red_ops, [" + ".join(f"{mults(h, w, m):,}" for m in reduction)],
                                   rules={"pool_proj_on_64": slip}),
    }
