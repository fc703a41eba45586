"""csc413-a2 5.4: paddings that keep ConvTransposeNet's shapes for kernels 4 and 5.

Worked solution: for each kernel, try every integer padding, transposed
padding and output padding (0 <= output_padding < stride) and keep those for
which torch's own layers map 32→16→8 and 8→16→32. Every setting found is
accepted; the reference shows them all."""
from dlcheck.nnkit.shapes import conv_out, keeping_settings
from dlcheck.reference import Reference
from dlcheck.verdict import CORRECT, INCORRECT, Outcome

FINAL_SIZE = 32


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
    finals = {f"k{k}": final_paddings(k) for k in given["kernels"]}
    out["final_conv_padding"] = Reference({name: (v[0] if v else None) for name, v in finals.items()}, [
        f"stride 1 keeps {FINAL_SIZE} when 2p = k − 1: " + ", ".join(
            f"{name}: {v if v else 'no integer p (p would be ' + str((int(name[1:]) - 1) / 2) + ')'}"
            for name, v in finals.items())])
    return out


def final_paddings(kernel):
    """Integer paddings for which the stride-1 final Conv2d keeps 32×32 (torch decides)."""
    return [p for p in range(kernel + 1) if conv_out(FINAL_SIZE, kernel, 1, p) == FINAL_SIZE]


def check_final_conv_padding(answer, given, reference):
    wrong = []
    for name, value in answer.items():
        kernel, valid = int(name[1:]), final_paddings(int(name[1:]))
        if value is None and not valid:
            continue
        if value is None:
            wrong.append(f"kernel {kernel}: padding {valid[0]} keeps {FINAL_SIZE}×{FINAL_SIZE}")
        elif value not in valid:
            size = conv_out(FINAL_SIZE, kernel, 1, int(value)) if float(value).is_integer() else None
            result = f"gives {size}×{size}" if size else "is not a whole number"
            why = (f"an even kernel cannot keep the size with symmetric padding (2p = {kernel - 1}, p = "
                   f"{(kernel - 1) / 2}); rounding it changes the shape") if not valid else f"use {valid[0]}"
            wrong.append(f"kernel {kernel}: padding {value:g} {result}, not {FINAL_SIZE}×{FINAL_SIZE}; {why}")
    if wrong:
        return Outcome(INCORRECT, "; ".join(wrong), decided_by="torch shapes")
    return Outcome(CORRECT, decided_by="torch shapes")
