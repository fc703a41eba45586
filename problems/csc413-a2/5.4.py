"""csc413-a2 5.4: paddings that keep ConvTransposeNet's shapes for kernels 4 and 5.

Worked solution: for each kernel, try every integer padding, transposed
padding and output padding (0 <= output_padding < stride) and keep those for
which torch's own layers map 32→16→8 and 8→16→32. Every setting found is
accepted; the reference shows them all."""
from dlcheck.nnkit.shapes import keeping_settings
from dlcheck.reference import Reference


def solve(given):
    steps = [tuple(s) for s in given["steps"]]
    out = {}
    for k in given["kernels"]:
        valid = keeping_settings(k, given["stride"], steps)
        assert valid, f"no integer setting keeps the shapes for kernel {k}"
        out[f"k{k}"] = Reference(valid, [
            f"kernel {k}, stride {given['stride']}: conv out = ⌊(in + 2p − {k})/2⌋ + 1, "
            f"convT out = 2(in − 1) − 2q + {k} + op",
            f"settings that keep every shape: {valid}",
        ])
    return out
