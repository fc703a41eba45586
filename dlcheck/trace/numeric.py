"""Numeric comparisons for working that states numbers: vectors such as
[3.2, 1.6], roots such as α = 1.6, conditions such as 1 − 2ηλ̃ = 1 − λ
checked at the reference value of the unknown, and derivatives L'(α).

Trees are whitelisted (mathexpr) and bounded in size, so evaluating them with
numpy or mpmath here is safe; nothing is parsed by sympy."""
from __future__ import annotations

import re

from dlcheck.mathexpr import matrix, nodes as N, scalar
from dlcheck.mathexpr.context import MathContext

DRAWS = 4
CONDITION_GAP = 1e-7       # residual at the reference / residual away from it
DERIVATIVE_STEP = "1e-12"


def written_tolerance(text: str, rel: float = 1e-9) -> tuple:
    """(abs, rel) tolerance of a written claim: half a unit in its last printed
    decimal (0.26666667 -> 5e-9), so a rounded value is not called wrong."""
    decimals = [len(m.group(1)) for m in re.finditer(r"\d\.(\d+)(?![\deE])", text)]
    if not decimals:
        return 0.0, rel
    return 0.51 * 10.0 ** -min(decimals), rel


def evaluate(tree, env: dict):
    """A tree's numpy value in an environment of floats and column vectors."""
    import numpy as np

    with np.errstate(all="ignore"):
        return np.atleast_1d(np.asarray(matrix.evaluate(tree, env), dtype=float)).ravel()


def vector_value(entries: list, env: dict):
    import numpy as np

    return np.array([float(evaluate(t, env)[0]) for t in entries])


def environment(names, ctx: MathContext, fixed: dict, rng) -> dict:
    """Random values for the free names (respecting the context's shapes and
    assumptions), the fixed ones as given."""
    from dlcheck.mathexpr.equiv import _draw_sizes, _environment

    free = {n for n in names if n not in fixed}
    env = _environment(free, _draw_sizes(free, ctx, rng), ctx, rng)
    env.update(fixed)
    return env


def close(a, b, tolerance: tuple) -> bool:
    import numpy as np

    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    absolute, relative = tolerance
    return bool(np.all(np.abs(a - b) <= absolute + relative * np.maximum(np.abs(a), np.abs(b)) + 1e-12))


def compare_values(left, right, names, ctx: MathContext, fixed: dict, tolerance: tuple):
    """(equal?, detail) for two values (a tree or a list of entry trees) at a few
    random points of the free scalars; None when they cannot be evaluated."""
    import numpy as np

    rng = np.random.default_rng(20240613)
    for _ in range(DRAWS):
        env = environment(names, ctx, fixed, rng)
        try:
            a, b = _value(left, env), _value(right, env)
        except (KeyError, ValueError, ZeroDivisionError, OverflowError, TypeError, np.linalg.LinAlgError):
            return None, "cannot be evaluated with the values stated"
        if a.shape != b.shape:
            free = set(names) - set(fixed)
            if free:   # free letters are read as scalars; a vector among them would explain it
                return None, f"different lengths if {', '.join(sorted(free))} are scalars"
            return False, f"{_show(a)} and {_show(b)} have different lengths"
        if not close(a, b, tolerance):
            free = {k: round(float(v), 4) for k, v in env.items() if k not in fixed and isinstance(v, float)}
            at = f" at {', '.join(f'{k}={v:g}' for k, v in free.items())}" if free else ""
            return False, f"{_show(a)} ≠ {_show(b)}{at}"
    return True, ""


def _value(value, env):
    return vector_value(value, env) if isinstance(value, list) else evaluate(value, env)


def _show(a) -> str:
    vals = [f"{x:.6g}" for x in a.tolist()]
    return vals[0] if len(vals) == 1 else "[" + ", ".join(vals) + "]"


def condition_holds(left, right, unknown: str, solution, names, ctx: MathContext, fixed: dict):
    """Does left = right hold when the unknown takes its reference value?
    True / False / None (the unknown does not matter: not a condition on it)."""
    import numpy as np

    rng = np.random.default_rng(20240613)
    for _ in range(DRAWS):
        env = environment(names | N.symbols(solution), ctx, fixed, rng)
        try:
            value = float(evaluate(solution, env)[0])
            env[unknown] = value
            at_solution = evaluate(left, env) - evaluate(right, env)
            env[unknown] = value * 1.37 + 0.11
            away = evaluate(left, env) - evaluate(right, env)
        except (KeyError, ValueError, ZeroDivisionError, OverflowError, TypeError, np.linalg.LinAlgError):
            return None, "cannot be evaluated"
        scale = float(np.abs(away).max()) if away.size else 0.0
        if not np.isfinite(scale) or scale < 1e-12:
            return None, "does not depend on the unknown"
        gap = float(np.abs(at_solution).max()) / scale
        if gap > CONDITION_GAP:
            return False, f"with {unknown} at its correct value the two sides differ (relative gap {gap:.2g})"
    return True, ""


def is_root(expression, name: str, value: float, written: str, fixed: dict) -> bool | None:
    """Is `value` (as written, rounded) a root of the scalar expression in `name`?"""
    absolute, _ = written_tolerance(written)
    step = max(absolute, abs(value) * 1e-12, 1e-12)
    try:
        low, mid, high = (float(evaluate(expression, {**fixed, name: v})[0])
                          for v in (value - step, value, value + step))
    except (KeyError, ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return abs(mid) <= 1e-9 * max(1.0, abs(low), abs(high)) or low * high <= 0


def derivative_matches(function, claimed, name: str, ctx: MathContext, fixed: dict):
    """Is `claimed` the derivative of `function` in `name`? Central differences
    at 30 digits at random points (scalar expressions only)."""
    import mpmath
    import random

    rng = random.Random(20240613)
    names = ((N.symbols(function) | N.symbols(claimed)) - set(fixed)) | {name}
    h = mpmath.mpf(DERIVATIVE_STEP)
    with mpmath.workdps(30):
        for _ in range(DRAWS):
            sampled = scalar.sample_point(names, ctx, rng)
            point = {k: mpmath.mpf(v.numerator) / v.denominator if hasattr(v, "denominator") else mpmath.mpf(v)
                     for k, v in {**{k: v for k, v in fixed.items() if isinstance(v, float)}, **sampled}.items()}
            x = point[name]
            try:
                slope = (scalar.evaluate(function, {**point, name: x + h})
                         - scalar.evaluate(function, {**point, name: x - h})) / (2 * h)
                got = scalar.evaluate(claimed, point)
            except (ZeroDivisionError, ValueError, OverflowError, KeyError):
                return None, "cannot be evaluated"
            if abs(slope - got) > mpmath.mpf("1e-12") * max(1, abs(slope)):
                return False, (f"at {name}={mpmath.nstr(x, 4)} the derivative is {mpmath.nstr(slope, 6)}, "
                               f"the step says {mpmath.nstr(got, 6)}")
    return True, ""


def simple_counterexample(left, right, names) -> dict | None:
    """A readable point where two scalar trees differ (small whole numbers,
    exact arithmetic), or None: α = 1 reads better than α = −2.479."""
    import itertools
    from fractions import Fraction

    names = sorted(names)
    if not names or len(names) > 4:
        return None
    for values in itertools.product((1, 2, 0, -1, 3), repeat=len(names)):
        point = {n: Fraction(v) for n, v in zip(names, values)}
        try:
            a, b = scalar.evaluate(left, point), scalar.evaluate(right, point)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, KeyError):
            continue
        if a != b:
            return {"point": {n: int(v) for n, v in point.items()}, "expected": _plain(a), "got": _plain(b)}
    return None


def _plain(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if number.is_integer() else round(number, 6)
