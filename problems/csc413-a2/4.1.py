"""csc413-a2 4.1: the reference PoolUpsampleNet, traced layer by layer.

The reference network (csc413-a2/_lib/colour.py: PoolUpsampleNet) is built as the assignment
describes and run on the spec's input; a submitted class is run the same way
in the sandbox and the two traces are aligned layer by layer."""
from dlcheck.nnkit.trace import reference_summary
from dlcheck.reference import Reference

from ._lib.colour import PoolUpsampleNet


def solve(given):
    args = given["args"]
    summary = reference_summary(PoolUpsampleNet(**args), given["input"], "PoolUpsampleNet", args)
    blocks = " → ".join(f"{r['type']}{r['shape']}" for r in summary["trace"])
    return {"model": Reference(summary, [f"{summary['params']:,} parameters; output {summary['output_shape']}",
                                         f"layers: {blocks}"])}
