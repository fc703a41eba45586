"""csc413-a2 2.3.2: the λ̃ that makes L2 regularisation equal weight decay.

Worked solution (sympy): expand both updates of 2.3.1 into terms; the
gradient terms are the same, so the updates agree exactly when the
coefficients of w0 agree; solve that equation for λ̃."""
import sympy as sp

from dlcheck.reference import Reference
from dlcheck.symkit import terms, written

from ._lib.regression import linear_regression


def solve(given):
    lr = linear_regression()
    lam, lam_tilde = sp.symbols("lambda lambda_tilde", positive=True)
    l2 = terms(lr.w0 - lr.eta * lr.gradient(lr.loss(lr.w0) + lam_tilde * lr.w0.T * lr.w0))
    decay = terms((1 - lam) * lr.w0 - lr.eta * lr.gradient(lr.loss(lr.w0)))
    others = {m: c for m, c in l2.items() if m != lr.w0}
    same = set(others) == set(decay) - {lr.w0} and all(sp.simplify(c - decay[m]) == 0 for m, c in others.items())
    assert same, "the gradient terms of the two updates differ"
    match = sp.Eq(l2[lr.w0], decay[lr.w0])
    (value,) = sp.solve(match, lam_tilde)
    return {
        "lambda_tilde": Reference(written(value), [
            "the gradient terms of the two updates are identical: " + ", ".join(
                f"{written(c)}·{written(m)}" for m, c in others.items()),
            f"coefficients of w0 must agree: {written(match.lhs)} = {written(match.rhs)}",
            f"so λ̃ = {written(value)}",
        ]),
    }
