"""csc413-a2 2.2.1: the loss after one GD step, as a function of η.

Worked solution (sympy matrix calculus):
  ∇L(w0) = (2/n)Xᵀ(Xw0 − t) = (2/n)Xᵀa          with a = Xw0 − t
  w1 = w0 − η(2/n)Xᵀa
  Xw1 − t = a − (2η/n)XXᵀa
  L1 = (1/n)‖a − (2η/n)XXᵀa‖²"""
from dlcheck.reference import Reference
from dlcheck.symkit import written

from ._lib.regression import linear_regression


def solve(given):
    lr = linear_regression()
    gradient = lr.in_terms_of_a(lr.gradient(lr.loss(lr.w0)))
    residual = lr.a - lr.eta * lr.X * gradient      # X w1 − t = (X w0 − t) − η X ∇L(w0)
    loss = f"(1/n)·‖{written(residual)}‖²"
    w1 = lr.w0 - lr.eta * gradient
    return {
        "loss": Reference(loss, facts={"w_1": written(w1)}, steps=[
            f"∇L(w0) = {written(gradient)}   (a = Xw0 − t)",
            f"w1 = w0 − η∇L(w0), so Xw1 − t = a − ηX∇L(w0) = {written(residual)}",
            f"L1 = (1/n)‖Xw1 − t‖² = {loss}",
        ]),
    }
