"""Deciding whether two parsed expressions are equal, in tiers:

1. exact: the sympy objects built from both trees are structurally equal;
2. numeric: both evaluated at seeded random points that respect the symbols'
   assumptions (mpmath, 30 digits) or, for matrix expressions, with random
   matrices at several random sizes (numpy, float64);
3. symbolic: sympy.simplify(a - b) == 0, when the numbers could not decide.

Everything runs in a forked worker killed at the context's time limit."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from dlcheck.mathexpr import matrix, nodes as N, scalar
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.limits import Timeout, run_limited
from dlcheck.mathexpr.parser import parse

SEED = 20240613
POINTS = 8
SIZE_DRAWS = 3
VALUE_DRAWS = 2
EQUAL, DIFFERENT = 1e-20, 1e-14     # relative gaps at 30 digits (scalar tier 2); between: tier 3
MATRIX_RTOL = 1e-7


@dataclass
class Equivalence:
    equivalent: bool | None             # None: undecided (or timed out)
    decided_by: str                     # exact | numeric | symbolic | shape | timeout | undecided
    counterexample: dict = field(default_factory=dict)
    detail: str = ""

    def to_json(self) -> dict:
        return {"equivalent": self.equivalent, "decided_by": self.decided_by,
                "counterexample": self.counterexample or None, "detail": self.detail}


def read(text: str, ctx: MathContext):
    """Parse an answer, substitute its aliases, and check its shapes."""
    tree = with_aliases(parse(text, ctx), ctx)
    if is_matrix(tree, ctx):
        matrix.shape(tree, ctx)
    return tree


def with_aliases(tree, ctx: MathContext):
    """The tree with the problem's aliases (a = X w_0 − t) written out."""
    if not (ctx.aliases and N.symbols(tree) & set(ctx.aliases)):
        return tree
    bare = MathContext(ctx.symbols, {}, ctx.dims, (), ctx.free_letters)
    return N.substitute(tree, {name: parse(expr, bare) for name, expr in ctx.aliases.items()})


def check_texts(first: str, second: str, ctx: MathContext) -> Equivalence:
    """`dlcheck equiv`: read two expressions (ExprError if either is unreadable) and compare."""
    return equivalent(read(first, ctx), read(second, ctx), ctx)


def is_matrix(tree, ctx: MathContext) -> bool:
    return any(ctx.info(name).is_matrix for name in N.symbols(tree))


def equivalent(expected, got, ctx: MathContext) -> Equivalence:
    """Compare two trees (from `read`) under the context's time limit."""
    matrix_case = is_matrix(expected, ctx) or is_matrix(got, ctx)
    if not matrix_case:
        import sympy  # noqa: F401 - loaded once here, inherited by every forked worker
        import mpmath  # noqa: F401
    else:
        import numpy  # noqa: F401
    check = _matrix_equivalent if matrix_case else _scalar_equivalent
    try:
        return run_limited(check, expected, got, ctx, seconds=ctx.timeout)
    except Timeout:
        return Equivalence(None, "timeout", detail=f"no decision within {ctx.timeout:g} s")
    except (ExprError, RecursionError, MemoryError, OverflowError) as exc:
        return Equivalence(None, "undecided", detail=str(exc) or type(exc).__name__)


# -- scalars ---------------------------------------------------------------
def _scalar_equivalent(expected, got, ctx: MathContext) -> Equivalence:
    import mpmath
    import sympy

    if N.canonical(expected) == N.canonical(got):
        return Equivalence(True, "exact")
    names = N.symbols(expected) | N.symbols(got)
    rng = random.Random(SEED)
    valid, worst = 0, None
    with mpmath.workdps(30):
        for _ in range(POINTS * 3):
            point = scalar.sample_point(names, ctx, rng)
            try:
                va, vb = scalar.evaluate(expected, point), scalar.evaluate(got, point)
            except (ZeroDivisionError, ValueError, OverflowError):
                continue
            if not (_finite_real(va) and _finite_real(vb)):
                continue
            valid += 1
            gap = abs(va - vb) / max(abs(va), abs(vb), mpmath.mpf("1e-30"))
            if gap > DIFFERENT:
                return Equivalence(False, "numeric", _point(point, va, vb),
                                   f"they differ at {_show_point(point)}: expected {_num(va)}, got {_num(vb)}")
            worst = gap if worst is None else max(worst, gap)
            if valid >= POINTS:
                break
    if valid >= POINTS // 2 and worst is not None and worst < EQUAL:
        return Equivalence(True, "numeric", detail=f"equal at {valid} random points")
    difference = sympy.simplify(scalar.to_sympy(expected, ctx) - scalar.to_sympy(got, ctx))
    if difference == 0:
        return Equivalence(True, "symbolic")
    if difference.is_number and difference != 0:
        return Equivalence(False, "symbolic", detail=f"they differ by {difference}")
    return Equivalence(None, "undecided", detail="neither the numbers nor sympy could decide")


def _finite_real(v) -> bool:
    import mpmath

    return isinstance(v, mpmath.mpf) and mpmath.isfinite(v)


def _num(v) -> str:
    import mpmath

    return mpmath.nstr(v, 6)


def _point(point: dict, va, vb) -> dict:
    return {"point": {k: float(v) for k, v in point.items()}, "expected": float(va), "got": float(vb)}


def _show_point(point: dict) -> str:
    return ", ".join(f"{k}={float(v):g}" for k, v in point.items()) or "every point"


# -- matrices --------------------------------------------------------------
def _matrix_equivalent(expected, got, ctx: MathContext) -> Equivalence:
    import numpy as np

    s_exp, s_got = matrix.shape(expected, ctx), matrix.shape(got, ctx)
    transposed = s_exp != s_got and s_got == (s_exp[1], s_exp[0])
    if s_exp != s_got and not transposed:
        return Equivalence(False, "shape", detail=f"shape: expected a {matrix.show_shape(s_exp)}, "
                                                   f"got a {matrix.show_shape(s_got)}")
    rng = np.random.default_rng(SEED)
    ratios, names, compared = [], N.symbols(expected) | N.symbols(got), 0
    for _ in range(SIZE_DRAWS * 4):
        if compared >= SIZE_DRAWS * VALUE_DRAWS:
            break
        sizes = _draw_sizes(names, ctx, rng)
        for _ in range(VALUE_DRAWS):
            env = _environment(names, sizes, ctx, rng)
            try:
                with np.errstate(all="ignore"):
                    va = np.atleast_2d(np.asarray(matrix.evaluate(expected, env), dtype=float))
                    vb = np.atleast_2d(np.asarray(matrix.evaluate(got, env), dtype=float))
            except np.linalg.LinAlgError:  # a singular matrix at these sizes: draw again
                continue
            if transposed:
                vb = vb.T
            if not (np.all(np.isfinite(va)) and np.all(np.isfinite(vb))):
                continue
            compared += 1
            scale = max(float(np.abs(va).max()), 1e-12)
            if not np.allclose(va, vb, rtol=MATRIX_RTOL, atol=MATRIX_RTOL * scale):
                ratios.append(_ratio(np, va, vb))
                return Equivalence(False, "numeric", {"sizes": sizes, "scalars": _scalars(env),
                                                      "relative_difference": float(np.abs(va - vb).max() / scale)},
                                   _matrix_detail(np, va, vb, sizes, env, ratios[-1]))
    if compared < 2:
        return Equivalence(None, "undecided", detail="no random sizes gave values to compare (singular matrices?)")
    if transposed:
        return Equivalence(False, "shape", detail=f"transposed: your answer is a {matrix.show_shape(s_got)}, "
                                                   f"the transpose of the expected {matrix.show_shape(s_exp)}")
    return Equivalence(True, "numeric", detail=f"equal for random matrices in {compared} random draws of sizes and values")


def _draw_sizes(names, ctx: MathContext, rng) -> dict:
    dims = set()
    for name in names:
        dims |= {d for d in ctx.info(name).shape if isinstance(d, str)}
    dims |= {n for n in names if n in ctx.dims}
    return {d: int(rng.integers(ctx.dim_range(d)[0], ctx.dim_range(d)[1] + 1)) for d in sorted(dims)}


def _environment(names, sizes: dict, ctx: MathContext, rng) -> dict:
    env = {}
    for name in sorted(names):
        info = ctx.info(name)
        if info.is_matrix:
            rows, cols = matrix.shape_of_symbol(name, ctx)
            env[name] = rng.standard_normal((sizes.get(rows, rows), sizes.get(cols, cols)))
        elif name in sizes:
            env[name] = float(sizes[name])   # n is both a size and a scalar in 1/n
        elif name == "pi" and name not in ctx.symbols:
            continue
        elif info.integer:
            env[name] = float(rng.integers(1, 10))
        elif info.positive:
            env[name] = float(rng.uniform(0.2, 2.0))
        else:
            env[name] = float(rng.uniform(-2.0, 2.0))
    return env


def _scalars(env: dict) -> dict:
    return {k: round(v, 6) for k, v in env.items() if isinstance(v, float)}


def _ratio(np, va, vb):
    mask = np.abs(va) > 1e-9 * max(float(np.abs(va).max()), 1e-12)
    if not mask.any():
        return None
    r = vb[mask] / va[mask]
    return float(r.mean()) if np.allclose(r, r.mean(), rtol=1e-6) else None


def _matrix_detail(np, va, vb, sizes, env, ratio) -> str:
    at = ", ".join(f"{k}={v}" for k, v in sizes.items())
    scalars = ", ".join(f"{k}={v:.3g}" for k, v in _scalars(env).items() if k not in sizes)
    where = f"with random matrices at {at}" + (f" and {scalars}" if scalars else "")
    if ratio is not None and abs(ratio) > 1e-12:
        return f"every value is {ratio:.4g}× the expected one {where} (a missing or extra factor?)"
    return f"they differ {where} (largest gap {float(np.abs(va - vb).max()):.3g})"
