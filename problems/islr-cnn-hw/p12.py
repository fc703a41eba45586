"""islr-cnn-hw p12: stacks of stride-1 convolutions with a 7×7 receptive field.

Worked solution: a stride-1 stack sees 1 + Σ(k − 1) pixels, so any kernels
with Σ(k − 1) = 6 work, and 'same' padding keeps H×W (asymmetric for even
kernels). We enumerate such stacks and check each by the formula *and* by a
gradient probe in torch. A submitted stack is judged the same way; its
parameters (k² + 1 per layer: one channel, one filter, a bias) and its
multiplications on a 15×15×1 input (15·15·k² per layer) are recomputed."""
import itertools

from dlcheck.nnkit.receptive import keeps_size, probe_receptive_field, receptive_field
from dlcheck.reference import Reference
from dlcheck.verdict import CORRECT, INCORRECT, PARTIAL, REVIEW, Outcome


def params(stack):
    return sum(k * k + 1 for k in stack)


def computations(stack, side):
    return sum(side * side * k * k for k in stack)


def valid(stack, target, side):
    """(ok, reason) for one stack, by formula, probe and a forward pass."""
    r, probed = receptive_field(stack), probe_receptive_field(stack)
    if r != target or probed != target:
        return False, f"receptive field {r}×{r} (probe: {probed}), not {target}×{target}"
    if not keeps_size(stack, side):
        return False, "does not keep H×W"
    return True, ""


def solve(given):
    target, side, count = given["receptive_field"], given["side"], given["stacks"]
    candidates = [list(c) for n in range(1, 5) for c in itertools.combinations_with_replacement(range(2, 8), n)
                  if receptive_field(list(c)) == target]
    chosen = sorted(candidates, key=lambda s: (params(s), len(s)))[:count]
    assert all(valid(s, target, side)[0] for s in chosen)
    return {
        "architectures": Reference(chosen, [f"stride 1: receptive field = 1 + Σ(k − 1); need Σ(k − 1) = {target - 1}",
                                            f"{len(candidates)} such stacks of up to 4 layers; the {count} smallest shown",
                                            "each confirmed by a gradient probe and a forward pass with 'same' padding"]),
        "params": Reference([params(s) for s in chosen], ["k² + 1 per layer (one channel, one filter, a bias)"]),
        "computations": Reference([computations(s, side) for s in chosen],
                                  [f"{side}·{side}·k² multiplications per layer on a {side}×{side}×1 input"]),
    }


def check_architectures(answer, given, reference):
    target, side, count = given["receptive_field"], given["side"], given["stacks"]
    verdicts = [valid(stack, target, side) for stack in answer]
    bad = [f"stack {i} ({'→'.join(map(str, s))}): {why}" for i, (s, (ok, why)) in enumerate(zip(answer, verdicts), 1)
           if not ok]
    distinct = len({tuple(s) for s, (ok, _) in zip(answer, verdicts) if ok})
    notes = [] if len(answer) == len({tuple(s) for s in answer}) else ["some stacks repeat"]
    if distinct >= count and not bad:
        return Outcome(CORRECT, f"{count} different stacks, each with a {target}×{target} receptive field",
                       notes, "simulation")
    credit = min(distinct, count) / count
    feedback = "; ".join(bad) or f"only {distinct} different valid stacks; {count} are needed"
    return Outcome(PARTIAL if credit else INCORRECT, feedback, notes, "simulation", credit)


def _per_stack(answer, siblings, what, compute):
    stacks = siblings.get("architectures")
    if not stacks:
        return Outcome(REVIEW, f"the {what} are judged against your architectures, which are missing or unreadable",
                       decided_by="review")
    want = [compute(s) for s in stacks]
    if len(answer) != len(want):
        return Outcome(INCORRECT, f"expected {len(want)} values, one per architecture: {want}", decided_by="exact")
    wrong = [f"architecture {i}: {g:g}, expected {w}" for i, (g, w) in enumerate(zip(answer, want), 1) if g != w]
    if wrong:
        return Outcome(INCORRECT, "; ".join(wrong), decided_by="exact")
    return Outcome(CORRECT, f"{what} of your architectures: {want}", decided_by="exact")


def check_params(answer, given, reference, siblings):
    return _per_stack(answer, siblings, "parameters", params)


def check_computations(answer, given, reference, siblings):
    return _per_stack(answer, siblings, "computations", lambda s: computations(s, given["side"]))
