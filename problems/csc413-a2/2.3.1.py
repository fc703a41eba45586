"""csc413-a2 2.3.1: one step on the L2-regularised loss, and with weight decay.

Worked solution (sympy matrix calculus):
  ∇L̃(w0) = ∇[(1/n)‖Xw0 − t‖² + λ̃‖w0‖²] = (2/n)Xᵀ(Xw0 − t) + 2λ̃w0
  w1 (L2)           = w0 − η∇L̃(w0)
  w1 (weight decay) = (1 − λ)w0 − η∇L(w0)"""
import sympy as sp

from dlcheck.reference import Reference
from dlcheck.symkit import written

from ._lib.regression import linear_regression


def solve(given):
    lr = linear_regression()
    lam, lam_tilde = sp.symbols("lambda lambda_tilde", positive=True)
    grad_l2 = lr.gradient(lr.loss(lr.w0) + lam_tilde * lr.w0.T * lr.w0)
    grad = lr.gradient(lr.loss(lr.w0))
    l2 = lr.w0 - lr.eta * grad_l2
    decay = (1 - lam) * lr.w0 - lr.eta * grad
    return {
        "l2": Reference(written(l2), [
            f"∇L̃(w0) = {written(grad_l2)}",
            f"w1 = w0 − η∇L̃(w0) = {written(sp.expand(l2))}",
        ]),
        "weight_decay": Reference(written(decay), [
            f"∇L(w0) = {written(grad)}",
            f"w1 = (1 − λ)w0 − η∇L(w0) = {written(decay)}",
        ]),
    }
