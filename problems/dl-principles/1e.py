"""dl-principles 1e: the fewest fully connected ReLU layers for XOR (output layer counted).

Worked solution. One layer is a single unit y = ReLU(w1·x1 + w2·x2 + b):
XOR(0,0) = 0 needs b ≤ 0; XOR(1,0) = XOR(0,1) = 1 force w1 = w2 = 1 − b; then
XOR(1,1) = 0 needs 2 − b ≤ 0, i.e. b ≥ 2 — impossible (sympy shows the system
has no solution). Two layers suffice: h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 − 1),
y = h1 − 2·h2, checked on the truth table."""
import sympy as sp

from dlcheck.reference import Reference

XOR = [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)]


def one_layer_possible() -> bool:
    w1, w2, b = sp.symbols("w1 w2 b", real=True)
    # y = w·x + b where the unit is active; y(0,0) = ReLU(b) = 0 means b <= 0
    equalities = sp.solve([w1 + b - 1, w2 + b - 1], [w1, w2], dict=True)[0]
    remaining = [sp.Le(b, 0), sp.Le((w1 + w2 + b).subs(equalities), 0)]
    return sp.reduce_inequalities(remaining, [b]) is not sp.false


def two_layer_xor(x1, x2):
    h1, h2 = max(0, x1 + x2), max(0, x1 + x2 - 1)
    return h1 - 2 * h2


def solve(given):
    assert all(two_layer_xor(*x) == y for x, y in XOR)
    layers = 1 if one_layer_possible() else 2
    return {"layers": Reference(layers, [
        "one ReLU unit: b ≤ 0 and w1 = w2 = 1 − b force 2 − b ≤ 0, so b ≥ 2: no solution (XOR is not linearly separable)",
        "two layers: h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 − 1), y = h1 − 2h2 gives 0, 1, 1, 0",
        f"so the minimum, counting the output layer, is {layers}",
    ], rules={"without_output": layers + 1})}
