"""Scalar expressions: to sympy (through the whitelist), and numeric values
with mpmath at high precision."""
from __future__ import annotations

import math
import random
from fractions import Fraction

from dlcheck.mathexpr import nodes as N
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError

MAX_RESULT_DIGITS = 1000


def to_sympy(node, ctx: MathContext):
    """Build the sympy object of a whitelisted tree (no parsing by sympy)."""
    import sympy

    def build(n):
        if isinstance(n, N.Num):
            return sympy.Rational(n.value.numerator, n.value.denominator)
        if isinstance(n, N.Sym):
            if n.name == "pi" and n.name not in ctx.symbols:
                return sympy.pi
            info = ctx.info(n.name)
            assumptions = {"positive": True} if info.positive else {"real": True}
            if info.integer:
                assumptions["integer"] = True
            if info.nonzero:
                assumptions["nonzero"] = True
            return sympy.Symbol(n.name, **assumptions)
        if isinstance(n, N.Add):
            return sympy.Add(*[build(t) for t in n.terms])
        if isinstance(n, N.Neg):
            return -build(n.arg)
        if isinstance(n, N.Mul):
            return sympy.Mul(*[build(f) for f in n.factors])
        if isinstance(n, N.Div):
            return build(n.num) / build(n.den)
        if isinstance(n, N.Pow):
            base, exp = build(n.base), build(n.exp)
            _guard_power(base, exp)
            return sympy.Pow(base, exp)
        if isinstance(n, N.Func):
            args = [build(a) for a in n.args]
            return _SYMPY_FUNCS[n.name](sympy, *args)
        if isinstance(n, N.Transpose):
            return build(n.arg)         # a scalar is its own transpose
        if isinstance(n, N.Norm):
            return sympy.Abs(build(n.arg))
        raise ExprError(f"unsupported node {type(n).__name__}")

    return build(node)


_SYMPY_FUNCS = {
    "exp": lambda sp, x: sp.exp(x), "log": lambda sp, x: sp.log(x), "sqrt": lambda sp, x: sp.sqrt(x),
    "abs": lambda sp, x: sp.Abs(x), "sin": lambda sp, x: sp.sin(x), "cos": lambda sp, x: sp.cos(x),
    "tanh": lambda sp, x: sp.tanh(x), "sigmoid": lambda sp, x: 1 / (1 + sp.exp(-x)),
    "max": lambda sp, *xs: sp.Max(*xs), "min": lambda sp, *xs: sp.Min(*xs),
}


def _guard_power(base, exp):
    """Refuse powers whose exact value would be astronomically large."""
    if exp.is_Number and abs(exp) > 1000:
        raise ExprError(f"exponent {exp} is too large (limit 1000)")
    if base.is_Number and exp.is_Number and base != 0:
        size = abs(float(exp)) * math.log10(max(abs(float(base)), 1.0 / max(abs(float(base)), 1e-300), 10))
        if size > MAX_RESULT_DIGITS:
            raise ExprError("a power too large to compute exactly")


def sample_point(names, ctx: MathContext, rng: random.Random) -> dict:
    """Random values that respect each symbol's assumptions."""
    point = {}
    for name in sorted(names):
        info = ctx.info(name)
        if name == "pi" and name not in ctx.symbols:
            continue
        if info.integer:
            point[name] = rng.randint(1, 9) if info.positive else rng.choice([-4, -3, -2, -1, 1, 2, 3, 4, 5])
        elif info.positive:
            point[name] = Fraction(rng.randint(150, 3500), 1000)
        else:
            value = Fraction(rng.randint(-3000, 3000), 1000)
            point[name] = value if value != 0 else Fraction(7, 10)
    return point


def evaluate(node, point: dict):
    """The value of a tree at a point, with mpmath (precision set by the caller)."""
    import mpmath

    def ev(n):
        if isinstance(n, N.Num):
            return mpmath.mpf(n.value.numerator) / n.value.denominator
        if isinstance(n, N.Sym):
            if n.name == "pi" and n.name not in point:
                return mpmath.pi
            v = point[n.name]
            return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mpmath.mpf(v)
        if isinstance(n, N.Add):
            return mpmath.fsum(ev(t) for t in n.terms)
        if isinstance(n, N.Neg):
            return -ev(n.arg)
        if isinstance(n, N.Mul):
            out = mpmath.mpf(1)
            for f in n.factors:
                out *= ev(f)
            return out
        if isinstance(n, N.Div):
            return ev(n.num) / ev(n.den)
        if isinstance(n, N.Pow):
            base, exp = ev(n.base), ev(n.exp)
            if abs(exp) > 1000:
                raise ZeroDivisionError("exponent out of range")
            return mpmath.power(base, exp)
        if isinstance(n, N.Func):
            args = [ev(a) for a in n.args]
            return _MP_FUNCS[n.name](mpmath, *args)
        if isinstance(n, N.Transpose):
            return ev(n.arg)
        if isinstance(n, N.Norm):
            return abs(ev(n.arg))
        raise ExprError(f"unsupported node {type(n).__name__}")

    return ev(node)


_MP_FUNCS = {
    "exp": lambda mp, x: mp.exp(x), "log": lambda mp, x: mp.log(x), "sqrt": lambda mp, x: mp.sqrt(x),
    "abs": lambda mp, x: abs(x), "sin": lambda mp, x: mp.sin(x), "cos": lambda mp, x: mp.cos(x),
    "tanh": lambda mp, x: mp.tanh(x), "sigmoid": lambda mp, x: 1 / (1 + mp.exp(-x)),
    "max": lambda mp, *xs: max(xs), "min": lambda mp, *xs: min(xs),
}
