"""Matrix expressions: shape checking with symbolic sizes, and numpy values.

Shapes are (rows, cols) of dimension names or integers; a vector of length d
is (d, 1) and a scalar (1, 1), so aᵀb is a scalar wherever it appears."""
from __future__ import annotations

from dlcheck.mathexpr import functions, nodes as N
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError

SCALAR = (1, 1)


class ShapeError(ExprError):
    pass


def shape_of_symbol(name: str, ctx: MathContext) -> tuple:
    shape = ctx.info(name).shape
    if not shape:
        return SCALAR
    return (shape[0], 1) if len(shape) == 1 else tuple(shape)


def show_shape(shape: tuple) -> str:
    if shape == SCALAR:
        return "scalar"
    if shape[1] == 1:
        return f"vector of length {shape[0]}"
    return f"{shape[0]}×{shape[1]}"


def describe(node) -> str:
    """A short written form of a subtree for messages: X, w_0, Xᵀa, (…)."""
    if isinstance(node, N.Sym):
        return node.name
    if isinstance(node, N.Transpose) and isinstance(node.arg, N.Sym):
        return f"{node.arg.name}ᵀ"
    if isinstance(node, N.Mul) and len(node.factors) <= 3 and all(
            isinstance(f, (N.Sym, N.Transpose)) for f in node.factors):
        return "".join(describe(f) for f in node.factors)
    return "(…)"


def shape(node, ctx: MathContext) -> tuple:
    """The shape of a tree, or ShapeError naming the operands that clash."""
    if isinstance(node, N.Num):
        return SCALAR
    if isinstance(node, N.Sym):
        return shape_of_symbol(node.name, ctx)
    if isinstance(node, N.Add):
        shapes = [shape(t, ctx) for t in node.terms]
        first = shapes[0]
        for term, s in zip(node.terms[1:], shapes[1:]):
            if s != first:
                raise ShapeError(f"cannot add a {show_shape(first)} and a {show_shape(s)} "
                                 f"({describe(node.terms[0])} and {describe(_unneg(term))})")
        return first
    if isinstance(node, N.Neg):
        return shape(node.arg, ctx)
    if isinstance(node, N.Mul):
        current, left = shape(node.factors[0], ctx), node.factors[0]
        for factor in node.factors[1:]:
            s = shape(factor, ctx)
            if current == SCALAR:
                current = s
            elif s == SCALAR:
                pass
            elif current[1] == s[0]:
                current = (current[0], s[1])
            else:
                raise ShapeError(f"cannot multiply {describe(left)} ({show_shape(current)}) by {describe(factor)} "
                                 f"({show_shape(s)}): inner sizes {current[1]} and {s[0]} differ")
            left = N.Mul((left, factor))
        return current
    if isinstance(node, N.Div):
        den = shape(node.den, ctx)
        if den != SCALAR:
            raise ShapeError(f"cannot divide by {describe(node.den)}, a {show_shape(den)} (only by scalars)")
        return shape(node.num, ctx)
    if isinstance(node, N.Pow):
        base = shape(node.base, ctx)
        if shape(node.exp, ctx) != SCALAR:
            raise ShapeError("an exponent must be a scalar")
        if base != SCALAR:
            power = N.constant(node.exp)
            if base[0] != base[1]:
                what = "invert" if power is not None and power < 0 else "take a power of"
                raise ShapeError(f"cannot {what} {describe(node.base)}, a {show_shape(base)} matrix that is not square")
            if power is None or power.denominator != 1 or abs(power) > 64:
                raise ShapeError("a matrix power needs a whole-number exponent (at most 64)")
        return base
    if isinstance(node, N.Func):
        shapes = [shape(a, ctx) for a in node.args]
        if node.name in ("max", "min") and any(s != SCALAR for s in shapes):
            raise ShapeError(f"{node.name} takes scalars")
        return shapes[0]  # elementwise
    if isinstance(node, N.Transpose):
        s = shape(node.arg, ctx)
        return (s[1], s[0])
    if isinstance(node, N.Norm):
        shape(node.arg, ctx)
        return SCALAR
    if isinstance(node, N.Trace):
        s = shape(node.arg, ctx)
        if s[0] != s[1]:
            raise ShapeError(f"cannot take the trace of {describe(node.arg)}, a {show_shape(s)} matrix "
                             "that is not square")
        return SCALAR
    if isinstance(node, N.BigOp):
        if shape(node.lo, ctx) != SCALAR or shape(node.hi, ctx) != SCALAR:
            raise ShapeError(f"the bounds of a {node.op} must be scalars")
        return shape(node.body, ctx)     # the index is a scalar: an undeclared letter
    raise ExprError(f"unsupported node {type(node).__name__}")


def _unneg(node):
    return node.arg if isinstance(node, N.Neg) else node


def evaluate(node, env: dict):
    """numpy value of a tree; env maps names to floats or 2-D arrays."""
    import numpy as np

    def ev(n):
        if isinstance(n, N.Num):
            return float(n.value)
        if isinstance(n, N.Sym):
            if n.name == "pi" and n.name not in env:
                return float(np.pi)
            return env[n.name]
        if isinstance(n, N.Add):
            out = ev(n.terms[0])
            for t in n.terms[1:]:
                out = out + ev(t)
            return out
        if isinstance(n, N.Neg):
            return -ev(n.arg)
        if isinstance(n, N.Mul):
            out = ev(n.factors[0])
            for f in n.factors[1:]:
                out = _times(np, out, ev(f))
            return out
        if isinstance(n, N.Div):
            return ev(n.num) / _scalar(np, ev(n.den))
        if isinstance(n, N.Pow):
            base, exp = ev(n.base), _scalar(np, ev(n.exp))
            if isinstance(base, np.ndarray) and base.size > 1:
                power = np.linalg.matrix_power(base, abs(int(exp)))
                return np.linalg.inv(power) if exp < 0 else power
            return np.power(_scalar(np, base), exp)
        if isinstance(n, N.Func):
            return functions.apply(np, n.name, [ev(a) for a in n.args])
        if isinstance(n, N.Transpose):
            v = ev(n.arg)
            return v.T if isinstance(v, np.ndarray) else v
        if isinstance(n, N.Norm):
            return float(np.linalg.norm(ev(n.arg)))
        if isinstance(n, N.Trace):
            v = ev(n.arg)
            return float(np.trace(v)) if isinstance(v, np.ndarray) and v.ndim == 2 else v
        if isinstance(n, N.BigOp):
            return ev(N.unroll(n, _scalar(np, ev(n.lo)), _scalar(np, ev(n.hi))))
        raise ExprError(f"unsupported node {type(n).__name__}")

    return ev(node)


def _times(np, a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.size == 1 or b.size == 1:
            return a * b if a.size != 1 else a.item() * b if b.size != 1 else a @ b
        return a @ b
    return a * b


def _scalar(np, v):
    if isinstance(v, np.ndarray):
        return v.item()
    return v
