"""dl-principles 3d/3e: 2×2 pooling with stride 2 of four 4×4 inputs (torch pools)."""
from dlcheck.nnkit.shapes import pooled
from dlcheck.reference import Reference


def solve(given):
    return {"outputs": Reference(pooled(given["inputs"], given["mode"]), [
        f"each output entry is the {given['mode']} of one 2×2 block of its input",
    ])}
