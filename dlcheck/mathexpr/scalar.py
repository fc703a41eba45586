"""Scalar expressions: to sympy (through the whitelist), and numeric values
with mpmath at high precision, over the real numbers.

A value exists only where every step of the formula is real: √ of a negative,
the log of a non-positive number and a negative base to a fractional power
have none (`NotReal`), as for a student who works in ℝ; so √x·√x is x only
for x ≥ 0, and (−8)^(1/3) has no value (we do not pick the real cube root)."""
from __future__ import annotations

import functools
import itertools
import math
import random
from fractions import Fraction

from dlcheck.mathexpr import functions, nodes as N
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError

MAX_RESULT_DIGITS = 1000
MAX_EXPONENT_VALUE = 10 ** 6     # |exponent| beyond this: no value (an exponent tower would never finish)
# small numbers where a negative base to a whole or half power is real: (a^b)^c and a^(bc)
# part at a = -2, b = 2, c = 1/2; the first few are the most telling (with three letters
# only they are combined), -3/2 makes n + 1 = -1/2 for one letter alone
LATTICE = tuple(Fraction(v) for v in ("-2", "2", "1/2", "-1/2", "3", "-1", "3/2", "1", "-3/2", "-3"))


class NotReal(ValueError):
    """The formula has no real value at this point."""


def to_sympy(node, ctx: MathContext):
    """Build the sympy object of a whitelisted tree (no parsing by sympy)."""
    import sympy

    def build(n, bound=frozenset()):
        if isinstance(n, N.Num):
            return sympy.Rational(n.value.numerator, n.value.denominator)
        if isinstance(n, N.Sym):
            return _sympy_symbol(sympy, n.name, ctx, n.name in bound)
        if isinstance(n, N.BigOp):
            index = sympy.Symbol(n.index, integer=True)
            kind = sympy.Sum if n.op == "sum" else sympy.Product
            return kind(build(n.body, bound | {n.index}), (index, build(n.lo, bound), build(n.hi, bound)))
        parts = [build(c, bound) for c in N.children(n)]
        if isinstance(n, N.Add):
            return sympy.Add(*parts)
        if isinstance(n, N.Neg):
            return -parts[0]
        if isinstance(n, N.Mul):
            return sympy.Mul(*parts)
        if isinstance(n, N.Div):
            return parts[0] / parts[1]
        if isinstance(n, N.Pow):
            _guard_power(*parts)
            return sympy.Pow(*parts)
        if isinstance(n, N.Func):
            return functions.apply(sympy, n.name, parts)
        if isinstance(n, (N.Transpose, N.Trace)):
            return parts[0]             # a scalar is its own transpose and its own trace
        if isinstance(n, N.Norm):
            return sympy.Abs(parts[0])
        raise ExprError(f"unsupported node {type(n).__name__}")

    return build(node)


def _sympy_symbol(sympy, name: str, ctx: MathContext, is_index: bool):
    if is_index:
        return sympy.Symbol(name, integer=True)
    if name == "pi" and name not in ctx.symbols:
        return sympy.pi
    info = ctx.info(name)
    assumptions = {"positive": True} if info.positive else {"real": True}
    if info.integer:
        assumptions["integer"] = True
    if info.nonzero:
        assumptions["nonzero"] = True
    return sympy.Symbol(name, **assumptions)


def _guard_power(base, exp):
    """Refuse powers whose exact value would be astronomically large (tier 3 only:
    tiers 1 and 2 compare (x − a)^6000 without expanding it)."""
    if exp.is_Number and abs(exp) > 1000 and base.free_symbols:
        raise ExprError(f"exponent {exp} is too large for exact algebra (limit 1000)")
    if base.is_Number and exp.is_Number and base != 0:
        size = abs(float(exp)) * math.log10(max(abs(float(base)), 1.0 / max(abs(float(base)), 1e-300), 10))
        if size > MAX_RESULT_DIGITS:
            raise ExprError("a power too large to compute exactly")


def free_names(names, ctx: MathContext) -> list:
    """The letters that take values at a point (π is a constant unless declared)."""
    return sorted(n for n in names if n != "pi" or n in ctx.symbols)


def sample_point(names, ctx: MathContext, rng: random.Random, spread: str = "declared") -> dict:
    """Random values that respect each symbol's assumptions. `spread`: "declared"
    (reals in ±3), "positive" (every letter positive) or "wide" (magnitudes to 20,
    so that a domain such as x ≥ 5 is reached)."""
    top = 20 if spread == "wide" else 3
    point = {}
    for name in free_names(names, ctx):
        info = ctx.info(name)
        positive = info.positive or spread == "positive"
        if info.integer:
            point[name] = Fraction(rng.randint(1, 3 * top) if positive else
                                   rng.choice([k for k in range(-top - 1, top + 3) if k]))
        elif positive:
            point[name] = _generic(Fraction(rng.randint(150, 1000 * top + 500), 1000))
        else:
            point[name] = _generic(Fraction(rng.randint(-1000 * top, 1000 * top), 1000))
    return point


def _generic(value: Fraction) -> Fraction:
    """A random real that is no whole number or half, where a formula such as
    (−1)^x has a value that it has nowhere else (0 also divides badly)."""
    if value == 0:
        return Fraction(7, 10)
    return value + Fraction(1, 1000) if (2 * value).denominator == 1 else value


def lattice_points(names, ctx: MathContext, limit: int, rng: random.Random) -> list:
    """Points of small whole numbers and halves (LATTICE, within each symbol's
    assumptions): every combination of the first few values when there are few
    symbols, else `limit` random combinations."""
    names = free_names(names, ctx)
    grids = [_lattice(ctx.info(name)) for name in names]
    width = 1
    while width < len(LATTICE) and (width + 1) ** len(names) <= limit:
        width += 1
    if width >= 2 or not names:
        combos = list(itertools.product(*(g[:width] for g in grids)))
    else:
        combos = [tuple(rng.choice(g) for g in grids) for _ in range(limit)]
    return [dict(zip(names, combo)) for combo in combos[:limit]]


def _lattice(info) -> tuple:
    values = [v for v in LATTICE if (v > 0 or not info.positive) and (v.denominator == 1 or not info.integer)]
    return tuple(values) or (Fraction(1),)


def evaluate(node, point: dict):
    """The real value of a tree at a point, with mpmath (precision set by the
    caller). NotReal where it has none; ZeroDivisionError at a pole."""
    import mpmath

    values = {name: _mpf(mpmath, v) for name, v in point.items()}   # once per point, not per occurrence

    def ev(n):
        if isinstance(n, N.Num):
            return _number(n.value.numerator, n.value.denominator, mpmath.mp.prec)
        if isinstance(n, N.Sym):
            return values[n.name] if n.name in values or n.name != "pi" else +mpmath.pi
        if isinstance(n, N.Add):
            return mpmath.fsum(ev(t) for t in n.terms)
        if isinstance(n, N.Mul):
            out = mpmath.mpf(1)
            for f in n.factors:
                out *= ev(f)
            return out
        if isinstance(n, N.Pow):
            base, exponent = ev(n.base), ev(n.exp)
            if not isinstance(n.exp, N.Num) and abs(exponent) > MAX_EXPONENT_VALUE:   # the parser caps written ones
                raise NotReal(f"exponent {mpmath.nstr(exponent, 3)} out of range")
            return _real(mpmath, mpmath.power(base, exponent))
        if isinstance(n, N.Div):
            return ev(n.num) / ev(n.den)
        if isinstance(n, N.Neg):
            return -ev(n.arg)
        if isinstance(n, N.Func):
            return _real(mpmath, functions.apply(mpmath, n.name, [ev(a) for a in n.args]))
        if isinstance(n, (N.Transpose, N.Trace)):
            return ev(n.arg)
        if isinstance(n, N.Norm):
            return abs(ev(n.arg))
        if isinstance(n, N.BigOp):
            return ev(N.unroll(n, ev(n.lo), ev(n.hi)))
        raise ExprError(f"unsupported node {type(n).__name__}")

    return ev(node)


def _mpf(mpmath, v):
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mpmath.mpf(v)


@functools.lru_cache(maxsize=4096)
def _number(numerator: int, denominator: int, precision: int):
    """A written number as an mpf at a precision (the same few numbers, at two
    precisions, are evaluated thousands of times in one comparison)."""
    import mpmath

    return mpmath.mpf(numerator) / denominator

def _real(mpmath, value):
    """A step's value, or NotReal: a complex or infinite intermediate has no place in ℝ."""
    if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
        raise NotReal("no real value")
    return value
