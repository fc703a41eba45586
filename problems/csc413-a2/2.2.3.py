"""csc413-a2 2.2.3: the learning rate that minimises the loss after one step.

Worked solution (sympy): expand L1(η) = (1/n)‖a − (2η/n)XXᵀa‖² into a
quadratic in η whose coefficients are the inner products ‖a‖², ‖Xᵀa‖²,
‖XXᵀa‖²; set dL1/dη = 0 and solve; the second derivative is positive, so
this is the minimum."""
import sympy as sp

from dlcheck.reference import Reference
from dlcheck.symkit import as_norms, terms, written

from ._lib.regression import linear_regression


def solve(given):
    lr = linear_regression()
    gradient = lr.in_terms_of_a(lr.gradient(lr.loss(lr.w0)))
    w1 = lr.w0 - lr.eta * gradient
    residual = lr.a - lr.eta * lr.X * gradient
    coefficients = terms(residual.T * residual)              # {aᵀa: 1, aᵀXXᵀa: −4η/n, …}
    norms = as_norms(coefficients)                            # aᵀXXᵀa -> ‖Xᵀa‖², …
    loss = sum(coeff * norms[product] for product, coeff in coefficients.items()) / lr.n
    stationary = sp.solve(sp.diff(loss, lr.eta), lr.eta)
    assert len(stationary) == 1
    eta_star = sp.simplify(stationary[0])
    curvature = sp.simplify(sp.diff(loss, lr.eta, 2))
    return {
        "eta": Reference(written(eta_star), facts={"w_1": written(w1), "L_1": written(loss)}, steps=[
            f"L1(η) = {written(loss)}",
            f"dL1/dη = {written(sp.diff(loss, lr.eta))} = 0",
            f"η* = {written(eta_star)}; d²L1/dη² = {written(curvature)} > 0, so it is the minimum",
        ]),
    }
