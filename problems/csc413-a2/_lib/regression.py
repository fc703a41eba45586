"""The setting of csc413-a2's derivations (2.2.1–2.3.2) as sympy symbols: X ∈ R^{n×d},
t ∈ R^n, L(w) = (1/n)‖Xw − t‖², one gradient-descent step from w_0."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class LinearRegression:
    n: sp.Symbol
    d: sp.Symbol
    eta: sp.Symbol
    X: sp.MatrixSymbol
    w0: sp.MatrixSymbol
    t: sp.MatrixSymbol
    a: sp.MatrixSymbol          # the residual at w_0: a = X w_0 − t

    def loss(self, w):
        """L(w) = (1/n)‖Xw − t‖² as a 1×1 matrix expression."""
        r = self.X * w - self.t
        return (r.T * r) / self.n

    def gradient(self, loss, w=None):
        """∇_w of a 1×1 loss, by sympy's matrix calculus."""
        return loss.diff(self.w0 if w is None else w)

    def in_terms_of_a(self, expr):
        """Replace the residual X w_0 − t by its name a."""
        return expr.subs(self.X * self.w0 - self.t, self.a)


def linear_regression() -> LinearRegression:
    n, d = sp.symbols("n d", positive=True, integer=True)
    return LinearRegression(n, d, sp.Symbol("eta", positive=True), sp.MatrixSymbol("X", n, d),
                            sp.MatrixSymbol("w_0", d, 1), sp.MatrixSymbol("t", n, 1), sp.MatrixSymbol("a", n, 1))



