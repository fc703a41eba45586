"""csc413-a2 1.2.1: where does RMSProp converge on an over-parameterised problem?

Worked solution.
1. The minimum-norm solution of Xw = t lies in the row space of X:
   w* = Xᵀ(XXᵀ)⁻¹t, here [2, 1]·(5)⁻¹·2 = [0.8, 0.4].
2. RMSProp divides each coordinate of the gradient by its own running RMS,
   so early steps move both coordinates by about the same amount: the
   iterate leaves the row space and lands on the line 2w₁ + w₂ = 2 elsewhere.
   We simulate it (float64, torch) and compare where it stops with w*.
3. A submitted counterexample is simulated with its own (η, β, ε): it is a
   counterexample only if RMSProp really reaches zero loss away from w*.
4. Working that lists iterates w1, w2, … for some (η, β, ε) is re-run with
   them (`working`), so a miscomputed iterate is found."""
import math

import torch

from dlcheck.reference import Reference
from dlcheck.verdict import CORRECT, INCORRECT, INVALID, Outcome

ZERO_LOSS = 1e-12     # a loss this small counts as a zero-loss solution
SETTLED = 200         # ... once it has stayed that small for this many steps
SAME_POINT = 1e-6     # distance under which two solutions are the same


def problem(given):
    X = torch.tensor(given["X"], dtype=torch.float64)
    t = torch.tensor(given["t"], dtype=torch.float64)
    return X, t


def min_norm_solution(X, t):
    return X.T @ torch.linalg.solve(X @ X.T, t)


def loss(X, t, w) -> float:
    return float(((X @ w - t) ** 2).mean())


def rmsprop_steps(X, t, eta, beta, eps):
    """The iterates w_1, w_2, … of RMSProp from w0 = 0 (an endless generator)."""
    n = X.shape[0]
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    v = torch.zeros_like(w)
    while True:
        g = (2 / n) * X.T @ (X @ w - t)
        v = beta * v + (1 - beta) * g * g
        w = w - eta * g / (v.sqrt() + eps)
        yield w


def rmsprop(X, t, eta, beta, eps, steps):
    """Run RMSProp from w0 = 0; stop early once the loss has settled at zero."""
    first, settled = None, 0
    for step, w in zip(range(1, steps + 1), rmsprop_steps(X, t, eta, beta, eps)):
        first = first if first is not None else w.clone()
        current = loss(X, t, w)
        if not math.isfinite(current):
            return {"w": w, "loss": current, "steps": step, "first": first, "converged": False}
        settled = settled + 1 if current < ZERO_LOSS else 0
        if settled >= SETTLED:
            return {"w": w, "loss": current, "steps": step, "first": first, "converged": True}
    final = loss(X, t, w)
    return {"w": w, "loss": final, "steps": steps, "first": first, "converged": final < ZERO_LOSS}


def iterates(X, t, eta, beta, eps, count):
    """w_1 … w_count, named as working numbers them."""
    steps = rmsprop_steps(X, t, eta, beta, eps)
    return {f"w_{k}": next(steps).tolist() for k in range(1, count + 1)}


def working(given, settings):
    """The iterates for the (η, β, ε) a derivation states; nothing without all three."""
    eps = settings.get("epsilon", settings.get("eps"))
    if not all(isinstance(settings.get(k), float) for k in ("eta", "beta")) or not isinstance(eps, float):
        return {}
    X, t = problem(given)
    return iterates(X, t, settings["eta"], settings["beta"], eps, 20)


def fmt(w) -> str:
    return "[" + ", ".join(f"{x:.4g}" for x in w.tolist()) + "]"


def solve(given):
    X, t = problem(given)
    w_star = min_norm_solution(X, t)
    demo = given["demo"]
    run = rmsprop(X, t, demo["eta"], demo["beta"], demo["eps"], given["max_steps"])
    gap = float((run["w"] - w_star).norm())
    always = run["converged"] and gap < SAME_POINT
    return {
        "min_norm_solution": Reference(w_star.tolist(), [
            "w* lies in the row space of X: w* = Xᵀ(XXᵀ)⁻¹t",
            f"XXᵀ = {float(X @ X.T):g}, so w* = {fmt(X[0])}·{float(t[0]):g}/{float(X @ X.T):g} = {fmt(w_star)}",
        ]),
        "always_min_norm": Reference(always, [
            f"RMSProp with η={demo['eta']}, β={demo['beta']}, ε={demo['eps']} from w0 = 0 reaches loss "
            f"{run['loss']:.1e} after {run['steps']} steps at w = {fmt(run['w'])}",
            f"‖w − w*‖ = {gap:.3g}: per-coordinate scaling moves w off the row space of X, "
            f"so RMSProp does not always find the minimum-norm solution",
        ]),
        "counterexample": Reference(demo, [
            f"η={demo['eta']}, β={demo['beta']}, ε={demo['eps']} converges to {fmt(run['w'])}, not {fmt(w_star)}",
        ]),
    }


def check_counterexample(answer, given, reference):
    """Simulate the submitted hyperparameters and judge what actually happens."""
    eta, beta, eps = answer["eta"], answer["beta"], answer["eps"]
    if not (eta > 0 and 0 <= beta < 1 and eps >= 0):
        return Outcome(INVALID, "need η > 0, 0 ≤ β < 1 and ε ≥ 0", decided_by="simulation")
    X, t = problem(given)
    w_star = min_norm_solution(X, t)
    run = rmsprop(X, t, eta, beta, eps, given["max_steps"])
    setting = f"with η={eta:g}, β={beta:g}, ε={eps:g}"
    first = f"the first step goes to {fmt(run['first'])}"
    if not run["converged"]:
        state = "diverges" if not math.isfinite(run["loss"]) else \
            f"does not converge: after {run['steps']} steps the loss is still {run['loss']:.3g} (w ≈ {fmt(run['w'])})"
        return Outcome(INCORRECT, f"{setting} RMSProp {state}; a counterexample must reach zero loss",
                       [first], "simulation")
    gap = float((run["w"] - w_star).norm())
    if gap < SAME_POINT:
        return Outcome(INCORRECT, f"{setting} RMSProp converges to the minimum-norm solution {fmt(w_star)}",
                       [first], "simulation")
    return Outcome(CORRECT, f"{setting} RMSProp reaches zero loss at {fmt(run['w'])} after {run['steps']} "
                            f"steps, {gap:.3g} away from w* = {fmt(w_star)}", [first], "simulation")
