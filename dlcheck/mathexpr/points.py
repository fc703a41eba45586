"""Tier 2 for scalar formulas: their values at points, at 30 digits, over ℝ.

Two formulas are equal when, wherever either has a real value, both have one
and the values agree (scalar.py says when a value is real). Points come in
passes, each drawn only when the ones before leave the question open:

  declared  seeded reals within the declared assumptions (±3; positive, whole);
  positive  every letter positive, when too few points gave both sides a value
            (x^log(y) has values only for x, y > 0);
  wide      magnitudes up to 20, when that is still too few
            (√(x−3)·√(x−5) has values only for x ≥ 5);
  lattice   small whole numbers and halves, when an exponent holds a letter
            (or one side has no value at any random point): a negative base
            to a whole power is real there, and (a^b)^c ≠ a^(bc) shows at
            a = −2, b = 2, c = ½.

A gap counts only if it survives 60 digits (rounding noise shrinks as the
precision grows, a true difference does not) and exceeds the part's relative
tolerance (0 unless the part declares one). Decimals are read exactly, so
0.5·x² is x²/2, but carry a double's precision (2⁻⁵², about 2.2e-16: a float
holds no more): where one is written, a smaller gap is no difference. So
0.99999999 is 99999998/99999999 (a gap of 1e-16), 0.333333333333333·x² is not
x²/3 (1e-15), and the fractions 99999999/10⁸ and 99999998/99999999 differ.

Domains: a random point where one side has a value and the other has none
makes them different ("equal for a > 0" names the letters whose positivity
would close the gap; declaring them positive in the problem does). A side with
no value at any random point has values only at special points ((−1)^n needs
a whole n): the two are compared there, on the lattice."""
from __future__ import annotations

import dataclasses
import math
import random

from dlcheck.mathexpr import nodes as N, scalar
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.result import Equivalence

SEED = 20240613
POINTS = 8                  # points where both sides agree that settle "equal"
ATTEMPTS = 24               # points drawn in each random pass
LATTICE_POINTS = 48
EQUAL = 1e-20               # relative gap at 30 digits that is certainly rounding
DOUBLE = 2.0 ** -52         # a decimal's precision: a double's
DIGITS, CONFIRM_DIGITS = 30, 60
SPREADS = ("declared", "positive", "wide")
SIDES = ("the expected expression", "yours")


class _Tally:
    """What the points have shown so far."""

    def __init__(self):
        self.equal = 0
        self.within = 0.0               # the largest gap accepted under the tolerance
        self.valued = [False, False]    # each side had a value at some random point
        self.alone = [None, None]       # (point, value) where only that side had a value


def compare(expected, got, ctx: MathContext, rtol: float = 0.0) -> Equivalence | None:
    """Tier 2's verdict on two scalar trees, or None when the points cannot settle it;
    `rtol` is the part's relative tolerance."""
    import mpmath

    trees = (expected, got)
    rtol = max(rtol, DOUBLE if _has_decimal(trees) else 0.0)
    names = scalar.free_names(N.symbols(expected) | N.symbols(got), ctx)
    rng, tally = random.Random(SEED), _Tally()
    with mpmath.workdps(DIGITS):
        found = _random_passes(trees, names, ctx, rng, tally, rtol, SPREADS)
        if found:
            return found
        if any(tally.alone) and (all(tally.valued) or not names):
            return _domain_gap(trees, names, ctx, tally, rtol)
        if _needs_lattice(trees) or not all(tally.valued):
            for point in scalar.lattice_points(names, ctx, LATTICE_POINTS, rng):
                found = _visit(trees, point, tally, rtol, random_point=False)
                if found:
                    return found
    return _settle(tally, rtol, needed=POINTS // 2 if names else 1)


def _random_passes(trees, names, ctx, rng, tally, rtol, spreads) -> Equivalence | None:
    for spread in spreads:
        if spread != "declared" and (tally.equal >= POINTS or not _widens(spread, names, ctx)):
            continue
        for _ in range(ATTEMPTS if names else 1):
            found = _visit(trees, scalar.sample_point(names, ctx, rng, spread), tally, rtol, random_point=True)
            if found or tally.equal >= POINTS:
                return found
    return None


def _widens(spread: str, names, ctx: MathContext) -> bool:
    """Whether a pass draws points the declared one could not."""
    return bool(names) and (spread == "wide" or not all(ctx.info(n).positive for n in names))


def _visit(trees, point: dict, tally: _Tally, rtol: float, random_point: bool) -> Equivalence | None:
    """Compare at one point; a difference beyond rounding and tolerance is the verdict."""
    values = [_value(t, point) for t in trees]
    if random_point:
        for side, value in enumerate(values):
            tally.valued[side] = tally.valued[side] or value is not None
            if value is not None and values[1 - side] is None and tally.alone[side] is None:
                tally.alone[side] = (point, value)
    if None in values:
        return None
    gap = _gap(*values)
    if gap > EQUAL:
        gap = _confirmed_gap(trees, point, values)
    if gap > max(rtol, EQUAL):
        return Equivalence(False, "numeric", _counterexample(point, *values), _difference(point, values, gap, rtol))
    tally.equal += 1
    tally.within = max(tally.within, gap if gap > EQUAL else 0.0)
    return None


def _value(tree, point: dict):
    """The real value at a point, or None where the formula has none."""
    try:
        return scalar.evaluate(tree, point)
    except ExprError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError):   # no real value, a pole, a sum with bad bounds
        return None


def _gap(a, b):
    import mpmath

    return abs(a - b) / max(abs(a), abs(b), mpmath.mpf("1e-30"))


def _confirmed_gap(trees, point: dict, values) -> float:
    """The gap recomputed at 60 digits, or 0 when it was rounding noise (the
    difference itself changed with the precision)."""
    import mpmath

    with mpmath.workdps(CONFIRM_DIGITS):
        fine = [_value(t, point) for t in trees]
        if None in fine:
            return 0.0
        coarse, exact = values[0] - values[1], fine[0] - fine[1]
        if abs(exact - coarse) > abs(exact) * mpmath.mpf("1e-6"):
            return 0.0
        return float(_gap(*fine))


def _has_decimal(trees) -> bool:
    """A number with a fractional part can only have been written as a decimal
    (the parser keeps 1/2 as a division)."""
    return any(isinstance(n, N.Num) and n.value.denominator != 1 for tree in trees for n in N.walk(tree))


def _needs_lattice(trees) -> bool:
    """A power with a letter in its exponent: real for a negative base only at
    special points ((−2)^b for whole b), which random reals never hit."""
    return any(isinstance(n, N.Pow) and N.symbols(n.exp) for tree in trees for n in N.walk(tree))


def _settle(tally: _Tally, rtol: float, needed: int) -> Equivalence | None:
    if tally.equal < needed:
        return None
    detail = f"equal at {tally.equal} points"
    if not all(tally.valued):
        detail += " where both have real values (one has values only at special points, such as whole numbers)"
    if tally.within:
        allowed = "a decimal's precision" if rtol == DOUBLE else f"the part's relative tolerance {rtol:g}"
        detail += f", within {allowed} (largest gap {tally.within:.1e})"
    return Equivalence(True, "numeric", detail=detail)


# -- domains -------------------------------------------------------------------
def _domain_gap(trees, names, ctx: MathContext, tally: _Tally, rtol: float) -> Equivalence:
    """Different: at a random point only one side has a value."""
    side = 0 if tally.alone[0] else 1
    point, value = tally.alone[side]
    detail = (f"at {show_point(point)} {SIDES[side]} is {_num(value)} and {SIDES[1 - side]} has no real value"
              if names else f"{SIDES[side]} is {_num(value)} and {SIDES[1 - side]} has no real value")
    if tally.equal:
        detail = "equal where both have real values, but " + detail
    letters = _positive_letters(trees, names, ctx, rtol)
    if letters:
        detail += f" (equal for {', '.join(letters)} > 0: declare {'them' if len(letters) > 1 else 'it'} positive)"
    values = [float(value) if s == side else None for s in (0, 1)]
    return Equivalence(False, "numeric", _counterexample(point, *values), detail)


def _positive_letters(trees, names, ctx: MathContext, rtol: float) -> list:
    """The fewest letters (one, else all) whose positivity makes the two agree everywhere."""
    free = [n for n in names if not ctx.info(n).positive]
    candidates = [[n] for n in free] + ([free] if len(free) > 1 else [])
    for letters in candidates[:5]:
        narrowed = _with_positive(ctx, letters)
        tally = _Tally()
        found = _random_passes(trees, names, narrowed, random.Random(SEED), tally, rtol, ("declared", "wide"))
        if not found and tally.equal and not any(tally.alone):
            return letters
    return []


def _with_positive(ctx: MathContext, letters) -> MathContext:
    symbols = {**ctx.symbols, **{n: dataclasses.replace(ctx.info(n), positive=True) for n in letters}}
    return dataclasses.replace(ctx, symbols=symbols)


# -- words -----------------------------------------------------------------------
def _difference(point: dict, values, gap: float, rtol: float) -> str:
    digits = min(DIGITS, max(6, 3 - math.floor(math.log10(gap))))     # enough to show where they part
    shown = [_num(v, digits) for v in values]
    detail = f"they differ at {show_point(point)}: expected {shown[0]}, got {shown[1]}"
    if gap < 1e-6:      # the size of a rounded decimal: say why it is not equal
        detail += f" (a relative difference of {gap:.1e}"
        if rtol == DOUBLE:
            detail += ": a decimal is exact to a double's precision, and the part declares no tolerance"
        elif rtol:
            detail += f", beyond the part's relative tolerance {rtol:g}"
        detail += ")"
    return detail


def _counterexample(point: dict, expected, got) -> dict:
    as_float = (lambda v: None if v is None else float(v))
    return {"point": {k: float(v) for k, v in point.items()}, "expected": as_float(expected), "got": as_float(got)}


def show_point(point: dict) -> str:
    return ", ".join(f"{k}={float(v):g}" for k, v in point.items()) or "every point"


def _num(v, digits: int = 6) -> str:
    import mpmath

    return mpmath.nstr(v, digits)
