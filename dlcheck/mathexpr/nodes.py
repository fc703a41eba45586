"""The whitelist: the only node types a parsed answer can contain.

Every later stage (sympy building, numeric evaluation, shape checking) is a
match over these classes and nothing else, so no submitted text can reach a
Python object that was not built here."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

FUNCTIONS = ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "max", "min", "tan", "cot", "sec", "csc",
             "sinh", "cosh", "asin", "acos", "atan")


@dataclass(frozen=True)
class Num:
    value: Fraction


@dataclass(frozen=True)
class Sym:
    name: str


@dataclass(frozen=True)
class Add:
    terms: tuple


@dataclass(frozen=True)
class Neg:
    arg: object


@dataclass(frozen=True)
class Mul:
    """A product in written order (matrix products do not commute)."""

    factors: tuple


@dataclass(frozen=True)
class Div:
    num: object
    den: object


@dataclass(frozen=True)
class Pow:
    base: object
    exp: object


@dataclass(frozen=True)
class Func:
    name: str       # one of FUNCTIONS
    args: tuple


@dataclass(frozen=True)
class Transpose:
    arg: object


@dataclass(frozen=True)
class Norm:
    """The Euclidean norm ‖v‖ (Frobenius for matrices)."""

    arg: object


@dataclass(frozen=True)
class Trace:
    """tr(A), the sum of the diagonal of a square matrix (a scalar is its own trace)."""

    arg: object


@dataclass(frozen=True)
class BigOp:
    """Σ (op "sum") or Π (op "prod") of `body` for the whole numbers index = lo … hi;
    `index` is bound inside `body` (it is not a symbol of the problem)."""

    op: str
    index: str
    lo: object
    hi: object
    body: object


NODES = (Num, Sym, Add, Neg, Mul, Div, Pow, Func, Transpose, Norm, Trace, BigOp)
MAX_TERMS = 1000        # a sum written out for evaluation has at most this many terms
MAX_CONSTANT_BITS = 4096    # constant() computes powers of numbers up to this size


def walk(node):
    """Every node of a tree, parents first (a loop, not recursion: trees may be deep)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def depth(node) -> int:
    """Nodes on the longest path from the root to a leaf."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(node))
    return deepest


def children(node) -> tuple:
    if isinstance(node, (Add,)):
        return node.terms
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, Func):
        return node.args
    if isinstance(node, (Neg, Transpose, Norm, Trace)):
        return (node.arg,)
    if isinstance(node, BigOp):
        return (node.lo, node.hi, node.body)
    if isinstance(node, Div):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base, node.exp)
    return ()


def symbols(node) -> set:
    """The free symbols: a sum's index is not one (it is bound inside the sum)."""
    out, stack = set(), [(node, frozenset())]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, Sym) and node.name not in bound:
            out.add(node.name)
        elif isinstance(node, BigOp):
            stack += [(node.lo, bound), (node.hi, bound), (node.body, bound | {node.index})]
        else:
            stack.extend((child, bound) for child in children(node))
    return out


def unroll(node: BigOp, lo, hi):
    """Σ/Π written out for the values of its bounds (numbers of any type, which must
    be whole): the sum (or the product, in index order) of the body at index =
    lo … hi. How the engine evaluates a BigOp: `ev(unroll(n, ev(n.lo), ev(n.hi)))`."""
    if lo != int(lo) or hi != int(hi):
        raise ValueError(f"the bounds of a {node.op} must be whole numbers (got {lo} and {hi})")
    lo, hi = int(lo), int(hi)
    count = hi - lo + 1
    if count > MAX_TERMS:
        raise ValueError(f"a {node.op} of {count} terms is too long to evaluate (limit {MAX_TERMS})")
    if count <= 0:
        return Num(Fraction(0 if node.op == "sum" else 1))
    terms = tuple(substitute(node.body, {node.index: Num(Fraction(k))}) for k in range(lo, hi + 1))
    if len(terms) == 1:
        return terms[0]
    return Add(terms) if node.op == "sum" else Mul(terms)


def substitute(node, mapping: dict):
    """Replace free symbols by trees (aliases such as a = X w_0 - t)."""
    if isinstance(node, BigOp):
        inner = {k: v for k, v in mapping.items() if k != node.index}
        return BigOp(node.op, node.index, substitute(node.lo, mapping), substitute(node.hi, mapping),
                     substitute(node.body, inner))
    if isinstance(node, Trace):
        return Trace(substitute(node.arg, mapping))
    if isinstance(node, Sym):
        return mapping.get(node.name, node)
    if isinstance(node, Add):
        return Add(tuple(substitute(t, mapping) for t in node.terms))
    if isinstance(node, Mul):
        return Mul(tuple(substitute(f, mapping) for f in node.factors))
    if isinstance(node, Func):
        return Func(node.name, tuple(substitute(a, mapping) for a in node.args))
    if isinstance(node, Neg):
        return Neg(substitute(node.arg, mapping))
    if isinstance(node, Transpose):
        return Transpose(substitute(node.arg, mapping))
    if isinstance(node, Norm):
        return Norm(substitute(node.arg, mapping))
    if isinstance(node, Div):
        return Div(substitute(node.num, mapping), substitute(node.den, mapping))
    if isinstance(node, Pow):
        return Pow(substitute(node.base, mapping), substitute(node.exp, mapping))
    return node


def constant(node):
    """The exact value of a tree made of numbers only (-1, 1/2, 2^3), else None."""
    from fractions import Fraction

    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        v = constant(node.arg)
        return None if v is None else -v
    if isinstance(node, (Add, Mul)):
        parts = [constant(x) for x in children(node)]
        if any(p is None for p in parts):
            return None
        out = Fraction(0) if isinstance(node, Add) else Fraction(1)
        for p in parts:
            out = out + p if isinstance(node, Add) else out * p
        return out
    if isinstance(node, Div):
        num, den = constant(node.num), constant(node.den)
        return None if num is None or not den else num / den
    if isinstance(node, Pow):
        return _power(constant(node.base), constant(node.exp))
    return None


def _power(base, exp):
    """base^exp when both are numbers, the exponent whole and the result small
    (at most MAX_CONSTANT_BITS), else None: 10^6 is a number, 2^2^2^2^2 is not computed."""
    if base is None or exp is None or exp.denominator != 1 or (base == 0 and exp < 0):
        return None
    size = max(base.numerator.bit_length(), base.denominator.bit_length())
    if abs(exp) * size > MAX_CONSTANT_BITS:
        return None
    return base ** int(exp)


def canonical(node, commutative: bool = True):
    """A hashable normal form for tier-1 structural equality: sums and (scalar)
    products flattened and sorted, a − b as a + (−1)·b, a/b as a·b^(−1)."""
    def c(n):
        if isinstance(n, Num):
            return ("n", n.value)
        if isinstance(n, Sym):
            return ("s", n.name)
        if isinstance(n, Add):
            terms = []
            for t in map(c, n.terms):
                terms.extend(t[1] if t[0] == "+" else (t,))
            return ("+", tuple(sorted(terms, key=repr)))
        if isinstance(n, (Mul, Neg, Div)):
            parts = ((("n", -1), c(n.arg)) if isinstance(n, Neg) else
                     (c(n.num), ("^", c(n.den), ("n", -1))) if isinstance(n, Div) else tuple(map(c, n.factors)))
            flat = []
            for f in parts:
                flat.extend(f[1] if f[0] == "*" else (f,))
            numbers = [f for f in flat if f[0] == "n"]
            coeff = 1
            for f in numbers:
                coeff *= f[1]
            rest = [f for f in flat if f[0] != "n"]
            rest = sorted(rest, key=repr) if commutative else rest
            factors = ((("n", coeff),) if coeff != 1 or not rest else ()) + tuple(rest)
            return factors[0] if len(factors) == 1 else ("*", factors)
        if isinstance(n, Pow):
            return ("^", c(n.base), c(n.exp))
        if isinstance(n, Func):
            return ("f", n.name, tuple(map(c, n.args)))
        if isinstance(n, Transpose):
            return ("T", c(n.arg))
        if isinstance(n, Norm):
            return ("norm", c(n.arg))
        if isinstance(n, Trace):
            return ("tr", c(n.arg))
        if isinstance(n, BigOp):
            return (n.op, n.index, c(n.lo), c(n.hi), c(n.body))
        return ("?", repr(n))

    return c(node)
