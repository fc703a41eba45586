"""dl-principles 1d: one ReLU unit computing OR.

Worked solution: y = ReLU(w1·x1 + w2·x2 + b) must be 0 at (0, 0) and at least
1 at the three other inputs. A small search over integer weights finds the
settings that work (e.g. w1 = w2 = 1, b = 0); a submitted setting is checked
on the truth table itself."""
import itertools

from dlcheck.reference import Reference
from dlcheck.verdict import CORRECT, INCORRECT, Outcome

TABLE = [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 1)]


def unit(w1, w2, b, x1, x2):
    return max(0.0, w1 * x1 + w2 * x2 + b)


def failures(w1, w2, b):
    wrong = []
    for (x1, x2), want in TABLE:
        y = unit(w1, w2, b, x1, x2)
        if (want == 0 and y != 0) or (want == 1 and y < 1):
            wrong.append(f"OR({x1}, {x2}) = {want} but y = {y:g}")
    return wrong


def solve(given):
    grid = given["search"]
    valid = [dict(w1=w1, w2=w2, b=b) for w1, w2, b in itertools.product(grid, repeat=3) if not failures(w1, w2, b)]
    best = min(valid, key=lambda s: (abs(s["w1"]) + abs(s["w2"]) + abs(s["b"]), -s["b"]))
    return {"weights": Reference(best, [
        "y(0,0) = ReLU(b) = 0 needs b ≤ 0; y(1,0) = ReLU(w1 + b) ≥ 1 and y(0,1) = ReLU(w2 + b) ≥ 1",
        f"{len(valid)} integer settings in {grid}³ pass the truth table; the smallest is {best}",
    ])}


def check_weights(answer, given, reference):
    wrong = failures(answer["w1"], answer["w2"], answer["b"])
    if wrong:
        return Outcome(INCORRECT, "; ".join(wrong), decided_by="truth table")
    return Outcome(CORRECT, "all four rows of the OR truth table hold", decided_by="truth table")
