"""The functions a formula may call, once for the three back ends that compute
with a tree: sympy (exact, tiers 1 and 3), mpmath (30-digit values, tier 2) and
numpy (matrix values). `apply(lib, name, args)` is name(*args) in `lib`.

A name the parser does not emit yet (tan, sec, …) costs nothing here, and the
engine reads it the day the parser does."""
from __future__ import annotations

from dlcheck.mathexpr.errors import ExprError

# the same name in sympy, mpmath and numpy
_COMMON = {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan"}
# where a library spells it differently
_SPELLED = {("sympy", "abs"): "Abs", ("sympy", "max"): "Max", ("sympy", "min"): "Min",
            ("mpmath", "abs"): "fabs", ("numpy", "asin"): "arcsin", ("numpy", "acos"): "arccos",
            ("numpy", "atan"): "arctan"}      # numpy before 2.0 has no asin alias
# built from other functions, in any library
_DERIVED = {
    "sigmoid": lambda lib, x: 1 / (1 + lib.exp(-x)),
    "cot": lambda lib, x: 1 / lib.tan(x), "sec": lambda lib, x: 1 / lib.cos(x), "csc": lambda lib, x: 1 / lib.sin(x),
}
KNOWN = _COMMON | set(_DERIVED) | {"abs", "max", "min"}


def apply(lib, name: str, args: list):
    """name(*args) computed by `lib` (the sympy, mpmath or numpy module)."""
    if name in _DERIVED:
        return _DERIVED[name](lib, *args)
    if name in ("max", "min") and lib.__name__ != "sympy":
        # mpmath values compare as numbers; numpy ones are 1×1 arrays at most
        values = [float(lib.squeeze(a)) if lib.__name__ == "numpy" else a for a in args]
        return max(values) if name == "max" else min(values)
    if name not in KNOWN:
        raise ExprError(f"unsupported function {name}")
    return getattr(lib, _SPELLED.get((lib.__name__, name), name))(*args)
