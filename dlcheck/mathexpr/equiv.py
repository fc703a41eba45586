"""Deciding whether two parsed expressions are equal, in tiers:

1. exact: the same normal form (nodes.canonical), before any size limit, so
   (x − a)^6000 is itself without being expanded (in the grader's process:
   it is linear in a tree the parser caps);
2. numeric: scalars at seeded points over the reals, domains included
   (points.py: mpmath, 30 digits, differences confirmed at 60); matrix
   expressions with random matrices at several random sizes (numpy, float64);
3. symbolic: sympy.simplify(a - b) == 0, when the numbers could not decide.

`rtol` is the part's relative tolerance: the gap under which two values are
equal (0 unless the part declares one; see points.py for decimals). Tiers 2 and 3 run in a forked worker killed at the context's time limit;
whatever goes wrong is a verdict (timeout or undecided, with the reason),
never an exception for the grader."""
from __future__ import annotations

from dlcheck.mathexpr import matrix, nodes as N, points, scalar
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.limits import Timeout, run_limited
from dlcheck.mathexpr.parser import parse
from dlcheck.mathexpr.result import Equivalence  # noqa: F401 - callers import the result type from here

SEED = points.SEED
SIZE_DRAWS = 3
VALUE_DRAWS = 2
MATRIX_RTOL = 1e-7


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


def check_texts(first: str, second: str, ctx: MathContext, rtol: float = 0.0) -> Equivalence:
    """`dlcheck equiv`: read two expressions (ExprError if either is unreadable) and compare."""
    return equivalent(read(first, ctx), read(second, ctx), ctx, rtol)


def is_matrix(tree, ctx: MathContext) -> bool:
    return any(ctx.info(name).is_matrix for name in N.symbols(tree))


def equivalent(expected, got, ctx: MathContext, rtol: float = 0.0) -> Equivalence:
    """Compare two trees (from `read`) under the context's time limit; `rtol` is
    the part's relative tolerance."""
    matrix_case = is_matrix(expected, ctx) or is_matrix(got, ctx)
    if not matrix_case and _same_form(expected, got):
        return Equivalence(True, "exact")
    if not matrix_case:
        import sympy  # noqa: F401 - loaded once here, inherited by every forked worker
        import mpmath  # noqa: F401
    else:
        import numpy  # noqa: F401
    check = _matrix_equivalent if matrix_case else _scalar_equivalent
    try:
        return run_limited(check, expected, got, ctx, rtol, seconds=ctx.timeout)
    except Timeout:
        return Equivalence(None, "timeout", detail=f"no decision within {ctx.timeout:g} s")
    except (ExprError, RecursionError, MemoryError, OverflowError) as exc:
        return Equivalence(None, "undecided", detail=str(exc) or type(exc).__name__)
    except ZeroDivisionError:       # the matrix tier evaluates 1/0 as it stands
        return Equivalence(None, "undecided", detail="division by zero: the expression has no value to compare")
    except Exception as exc:  # noqa: BLE001 - the worker died (its memory ceiling) or failed: a verdict, not a crash
        return Equivalence(None, "undecided", detail=f"the check failed ({type(exc).__name__}: {exc})")


# -- scalars ---------------------------------------------------------------
def _same_form(expected, got) -> bool:
    """Tier 1, in the grader's process (no worker to fork): linear in trees the
    parser caps at 2,000 characters and 100 levels."""
    try:
        return N.canonical(expected) == N.canonical(got)
    except RecursionError:          # a tree deeper than the parser allows (aliases written out): tier 2 decides
        return False


def _scalar_equivalent(expected, got, ctx: MathContext, rtol: float) -> Equivalence:
    return points.compare(expected, got, ctx, rtol) or _symbolic(expected, got, ctx)


def _symbolic(expected, got, ctx: MathContext) -> Equivalence:
    """Tier 3: sympy, for what no point could settle (no real values, or too few)."""
    import sympy

    try:
        difference = sympy.simplify(scalar.to_sympy(expected, ctx) - scalar.to_sympy(got, ctx))
    except ExprError as exc:
        return Equivalence(None, "undecided", detail=f"the numbers could not decide, and {exc}")
    except (TypeError, ValueError, NotImplementedError, ArithmeticError) as exc:   # sympy's own limits
        return Equivalence(None, "undecided",
                           detail=f"neither the numbers nor sympy could decide ({type(exc).__name__})")
    if difference == 0:
        return Equivalence(True, "symbolic")
    if difference.is_number and difference.is_real and difference != 0:
        return Equivalence(False, "symbolic", detail=f"they differ by {difference}")
    return Equivalence(None, "undecided", detail="neither the numbers nor sympy could decide")


# -- matrices --------------------------------------------------------------
def _matrix_equivalent(expected, got, ctx: MathContext, rtol: float) -> Equivalence:
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
            tolerance = max(rtol, MATRIX_RTOL)
            if not np.allclose(va, vb, rtol=tolerance, atol=tolerance * scale):
                ratios.append(_ratio(np, va, vb))
                return Equivalence(False, "numeric", {"sizes": sizes, "scalars": _scalars(env),
                                                      "relative_difference": float(np.abs(va - vb).max() / scale)},
                                   _matrix_detail(np, va, vb, sizes, env, ratios[-1]))
    if compared < 2:
        return Equivalence(None, "undecided", detail="no random sizes gave values to compare (singular matrices?)")
    if transposed:
        return Equivalence(False, "shape", detail=f"transposed: your answer is a {matrix.show_shape(s_got)}, "
                                                   f"the transpose of the expected {matrix.show_shape(s_exp)}")
    return Equivalence(True, "numeric",
                       detail=f"equal for random matrices in {compared} random draws of sizes and values")


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
