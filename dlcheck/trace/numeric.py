"""Numbers for a side: its value in one draw of the problem's symbols.

Values are 2-D float arrays: (1, 1) a scalar, (k, 1) a vector, (r, c) a
matrix. Shapes are strict (a vector added to a scalar, Xᵀ times a vector of
the wrong length, the inverse of a non-square matrix are clashes), except the
elementwise operations a vector method such as RMSProp writes (v², √v, g/v).
Derivatives are central differences on the definitions they differentiate:
∇L(w₀) perturbs w in L's body, dL₁/dη perturbs η everywhere L₁ depends on it
(through w₁ too). Trees come from mathexpr's whitelisting parser, so nothing
here evaluates text."""
from __future__ import annotations

import re

import numpy as np

from dlcheck.mathexpr import nodes as N

DRAWS = 3
SIZES = "__sizes__"          # where a draw keeps the sizes of its dimensions
STEP = 1e-5                 # relative step of a central difference
DERIVATIVE_RTOL = 1e-5      # a difference quotient is good to about STEP² of the value's scale


class Unknown(Exception):
    """A name without a value here (undeclared, never defined, or defined after this point)."""

    def __init__(self, name: str, why: str = ""):
        super().__init__(why or f"no value for {name}")
        self.name = name


class Clash(Exception):
    """Shapes that do not fit. `hard`: a product, power or inverse that is undefined;
    soft: a scalar added to a vector (broadcasting that some notations allow)."""

    def __init__(self, message: str, hard: bool = True):
        super().__init__(message)
        self.hard = hard


class Domain(Exception):
    """A value outside a function's domain (log of a negative, division by zero)."""


class Singular(Domain):
    """The inverse of a matrix that has none."""


def scalar(x: float) -> np.ndarray:
    return np.array([[float(x)]])


def is_scalar(v) -> bool:
    return v.shape == (1, 1)


def show_shape(v) -> str:
    if is_scalar(v):
        return "a scalar"
    if v.shape[1] == 1:
        return f"a vector of length {v.shape[0]}"
    return f"a {v.shape[0]}×{v.shape[1]} matrix"


class FlatList(np.ndarray):
    """A vector written as a flat list ([0, 0], [2, 1]): its orientation is whatever the
    product needs ([0, 0][2, 1]ᵀ is an inner product, as its writer means)."""


class Identity:
    """I (or I_n, I_d) when the working does not size it: the identity of whatever it meets."""

    shape = None

    def __neg__(self):
        return _ScaledIdentity(-1.0)


class _ScaledIdentity(Identity):
    def __init__(self, scale: float):
        self.scale = scale

    def __neg__(self):
        return _ScaledIdentity(-self.scale)


IDENTITY = _ScaledIdentity(1.0)
IDENTITY_NAMES = {"I", "I_n", "I_d", "I_k", "I_m", "Id"}


def _sized(v, like):
    """An identity made concrete next to a square matrix (or a vector it multiplies)."""
    if not isinstance(v, Identity):
        return v
    if isinstance(like, Identity):
        raise Clash("two identities with no size", hard=False)
    size = like.shape[0]
    return v.scale * np.eye(size)


class Evaluator:
    """Evaluates sides against a world (audit.World): names, functions and atoms."""

    def __init__(self, world):
        self.world = world

    def side(self, side, draw: int, over: dict | None = None):
        if side.tree is None:
            raise Unknown(side.text, f"cannot read {side.text!r}: {side.error}")
        with np.errstate(all="ignore"):
            value = self.tree(side.tree, side.atoms, draw, over or {})
        if isinstance(value, Identity):
            raise Clash("an identity matrix with no size", hard=False)
        if not np.all(np.isfinite(value)):
            raise Domain("not a finite number")
        return value

    def tree(self, node, atoms: dict, draw: int, over: dict):
        ev = lambda n: self.tree(n, atoms, draw, over)        # noqa: E731
        if isinstance(node, N.Num):
            return scalar(node.value)
        if isinstance(node, N.Sym):
            if node.name in atoms:
                return self.atom(atoms[node.name], draw, over)
            try:
                return self.world.lookup(node.name, draw, over)
            except Unknown:
                if node.name in IDENTITY_NAMES:
                    return IDENTITY
                raise
        if isinstance(node, N.Add):
            out = ev(node.terms[0])
            for term in node.terms[1:]:
                out = _add(out, ev(term))
            return out
        if isinstance(node, N.Neg):
            return -ev(node.arg)
        if isinstance(node, N.Transpose):
            v = ev(node.arg)
            return v if isinstance(v, Identity) else v.T
        if isinstance(node, N.Mul):
            out = ev(node.factors[0])
            for before, factor in zip(node.factors, node.factors[1:]):
                value = ev(factor)
                if _derivative_atom(before, atoms) and _derivative_atom(factor, atoms) and out.shape == value.shape \
                        and out.shape[1] == 1:
                    out = scalar(float(out.ravel() @ value.ravel()))   # ∂L/∂w · ∂w/∂η: the chain rule's contraction
                else:
                    out = _mul(out, value)
            return out
        if isinstance(node, N.Div):
            return _div(ev(node.num), ev(node.den))
        if isinstance(node, N.Pow):
            return _pow(ev(node.base), ev(node.exp))
        if isinstance(node, N.Norm):
            return scalar(np.sqrt(np.sum(ev(node.arg) ** 2)))
        if isinstance(node, N.Trace):
            v = ev(node.arg)
            if v.shape[0] != v.shape[1]:
                raise Clash(f"the trace of {show_shape(v)}")
            return scalar(np.trace(v))
        if isinstance(node, N.Func):
            return _function(node.name, [ev(a) for a in node.args])
        if isinstance(node, N.BigOp):
            lo, hi = ev(node.lo), ev(node.hi)
            if not (is_scalar(lo) and is_scalar(hi)):
                raise Clash("the bounds of a sum must be scalars")
            try:
                return ev(N.unroll(node, float(lo[0, 0]), float(hi[0, 0])))
            except ValueError as exc:
                raise Domain(str(exc)) from None
        raise Unknown(type(node).__name__, f"cannot evaluate {type(node).__name__}")

    # -- atoms -----------------------------------------------------------------------
    def atom(self, atom, draw: int, over: dict):
        if atom.kind == "literal":
            return self._literal(atom, draw, over)
        if atom.kind == "name":
            return self.world.lookup(atom.key, draw, over)
        if atom.kind == "apply":
            return self._apply(atom, draw, over)
        if atom.kind == "grad":
            return self._gradient(atom, draw, over)
        if atom.kind == "deriv":
            return self._derivative(atom, draw, over)
        raise Unknown(atom.key)

    def _literal(self, atom, draw, over):
        rows = [[self.side(cell, draw, over) for cell in row] for row in atom.body]
        if any(not is_scalar(c) for row in rows for c in row):
            raise Clash("a list whose entries are not numbers")
        value = np.array([[c[0, 0] for c in row] for row in rows], dtype=float)
        return value.view(FlatList) if value.shape[1] == 1 and value.shape[0] > 1 else value

    def _apply(self, atom, draw, over):
        if atom.func not in BUILTIN_FUNCTIONS and self.world.function(atom.func, len(atom.args), False) is None:
            return self._quantity_at(atom, draw, over)
        args = [self.side(a, draw, over) for a in atom.args]
        if atom.func in BUILTIN_FUNCTIONS:
            return BUILTIN_FUNCTIONS[atom.func](args)
        params, body = self.world.function(atom.func, len(args))
        return self.side(body, draw, {**over, **dict(zip(params, args))})

    def _quantity_at(self, atom, draw, over):
        """`P(x)` where P is a value, not a function (the probability of the problem's point):
        P itself, when P is stated (by the working or the problem, not a random draw) and its
        argument is a bare name its value does not depend on."""
        names = [a.key for a in atom.args]
        stated = self.world.in_force(atom.func) or self.world.single_fact(atom.func)
        if stated is None or len(names) != 1 or names[0] is None or atom.args[0].atoms \
                or self.world.depends({atom.func}, names[0]):
            raise Unknown(atom.func, f"{atom.func} is not a function defined here")
        return self.world.lookup(atom.func, draw, over)

    def _target(self, atom, draw, over):
        """(f(x) for the differentiated thing, the variable, the point) of a grad/deriv atom."""
        if atom.body is not None:                                  # ∇(λ̃‖w‖²), d/dη (…)
            var = atom.wrt or self.world.variable_of(atom.body)
            self._needs(atom.body.names(), var, atom.key)
            point = self.world.lookup(var, draw, over)
            return (lambda x: self.side(atom.body, draw, {**over, var: x})), point
        found = self.world.function(atom.func, None, required=False)
        if found is not None:                                      # ∇L(w₀), L'(α), dL/dα with L(α) = …
            params, body = found
            var = params[0]
            if atom.kind == "grad" and atom.wrt and atom.wrt != var:
                raise Unknown(atom.key, f"{atom.key}: a partial derivative in {atom.wrt} is not read")
            point = self.side(atom.args[0], draw, over) if atom.args else self.world.lookup(
                atom.wrt if atom.wrt in params else var, draw, over)
            self._needs(body.names(), var, atom.key)
            return (lambda x: self.side(body, draw, {**over, var: x})), point
        var = atom.wrt or self.world.variable_of(None)              # dL₁/dη, ∇L with L = (1/n)‖Xw − t‖²
        self._needs({atom.func}, var, atom.key)
        if atom.args:
            raise Unknown(atom.func, f"{atom.func} is not a function here")
        point = self.world.lookup(var, draw, over)
        return (lambda x: self.world.lookup(atom.func, draw, {**over, var: x})), point

    def _needs(self, names: set, var: str, key: str) -> None:
        if not var or not self.world.depends(names, var):
            raise Unknown(key, f"{key}: what it differentiates does not depend on {var or 'its variable'} here")

    def _defined(self, name: str, atom, draw, over):
        """A derivative the working or the problem has stated (∇L(w) = …, L'(α) = …), at the atom's point."""
        found = self.world.function(name, len(atom.args) if atom.args else None, required=False)
        if found is None:
            return None
        params, body = found
        bound = dict(zip(params, (self.side(a, draw, over) for a in atom.args))) if atom.args else {}
        return self.side(body, draw, {**over, **bound})

    def _gradient(self, atom, draw, over):
        if atom.func and atom.body is None and atom.order == 1:       # a stated ∇L is no ∇²L
            stated = self._defined("∇" + atom.func, atom, draw, over)
            if stated is not None:
                return stated
        if atom.func and atom.body is None and atom.order == 2 and not atom.wrt:
            hessian = self._stated_hessian(atom, draw, over)
            if hessian is not None:
                return hessian
        f, point = self._target(atom, draw, over)
        if atom.order == 2:
            return _jacobian(lambda x: _gradient(f, x), point)
        return _gradient(f, point)

    def _stated_hessian(self, atom, draw, over):
        """∇²L as the Jacobian of a ∇L the problem or the working states as a function."""
        found = self.world.function("∇" + atom.func, 1, required=False)
        if found is None:
            return None
        (param,), body = found
        point = self.side(atom.args[0], draw, over) if atom.args else self.world.lookup(param, draw, over)
        return _jacobian(lambda x: self.side(body, draw, {**over, param: x}), point)

    def _derivative(self, atom, draw, over):
        if atom.func and atom.body is None:
            if atom.args:
                stated = self._defined(atom.func + "'" * atom.order, atom, draw, over)
                if stated is not None:
                    return stated
            else:
                try:
                    return self.world.lookup(atom.key, draw, over)     # dL₁/dη = … stated before
                except Unknown:
                    pass
        f, point = self._target(atom, draw, over)
        g = f
        for _ in range(atom.order - 1):
            g = (lambda inner: (lambda x: _gradient(inner, x)))(g)
        return _gradient(g, point)


def _derivative_atom(node, atoms: dict) -> bool:
    return isinstance(node, N.Sym) and node.name in atoms and atoms[node.name].kind in ("deriv", "grad")


def gradient_of(f, point):
    """∂f/∂x at `point` (a column like the point) for a scalar f."""
    return _gradient(f, point)


def _gradient(f, point):
    """∂f/∂x at `point` (any shape) for a scalar f, by central differences."""
    point = np.asarray(point, dtype=float)
    out = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        h = STEP * max(1.0, abs(point[index]))
        up, down = point.copy(), point.copy()
        up[index] += h
        down[index] -= h
        fu, fd = f(up), f(down)
        if not (is_scalar(fu) and is_scalar(fd)):
            raise Clash("the derivative of a non-scalar is not read here", hard=False)
        out[index] = (fu[0, 0] - fd[0, 0]) / (2 * h)
    return out


def _jacobian(g, point):
    """∇² from the gradient g: rows are the partial derivatives of g's entries."""
    point = np.asarray(point, dtype=float)
    cols = []
    for index in np.ndindex(point.shape):
        h = STEP * max(1.0, abs(point[index]))
        up, down = point.copy(), point.copy()
        up[index] += h
        down[index] -= h
        cols.append(((g(up) - g(down)) / (2 * h)).ravel())
    return np.array(cols).T


# -- operations with strict shapes ------------------------------------------------------
def _add(a, b):
    if isinstance(a, Identity) or isinstance(b, Identity):
        a, b = _sized(a, b), _sized(b, a)
        if a.shape[0] != a.shape[1] or b.shape[0] != b.shape[1]:
            raise Clash(f"cannot add the identity to {show_shape(a if a.shape[0] != a.shape[1] else b)}")
    if a.shape != b.shape:
        if is_scalar(a) or is_scalar(b):
            raise Clash(f"cannot add {show_shape(a)} and {show_shape(b)}", hard=False)
        raise Clash(f"cannot add {show_shape(a)} and {show_shape(b)}")
    return a + b


def _mul(a, b):
    if isinstance(a, Identity) and isinstance(b, Identity):
        return _ScaledIdentity(a.scale * b.scale)
    if isinstance(a, Identity) or isinstance(b, Identity):
        identity, other = (a, b) if isinstance(a, Identity) else (b, a)
        if is_scalar(other):
            return _ScaledIdentity(identity.scale * float(other[0, 0]))
        return identity.scale * other
    if is_scalar(a) or is_scalar(b):
        return np.asarray(a * b)
    if isinstance(a, FlatList) and isinstance(b, FlatList) and a.size == b.size:
        return scalar(float(np.asarray(a).ravel() @ np.asarray(b).ravel()))     # [0, 0][2, 1]ᵀ
    a, b = np.asarray(a), np.asarray(b)
    if a.shape[1] != b.shape[0]:
        raise Clash(f"cannot multiply {show_shape(a)} by {show_shape(b)}: inner sizes {a.shape[1]} and "
                    f"{b.shape[0]} differ")
    return a @ b


def _div(a, b):
    if isinstance(a, Identity) and not isinstance(b, Identity) and is_scalar(b) and b[0, 0] != 0:
        return _ScaledIdentity(a.scale / float(b[0, 0]))
    if isinstance(a, Identity) or isinstance(b, Identity):
        raise Clash("a division with an identity matrix", hard=False)
    if not is_scalar(b):
        if a.shape == b.shape and b.shape[1] == 1:          # g/(√v + ε): elementwise, as RMSProp writes it
            if np.any(b == 0):
                raise Domain("division by zero")
            return a / b
        raise Clash(f"reads as a division by {show_shape(b)} (the grouping of a/bᵀb is ambiguous)", hard=False)
    if b[0, 0] == 0:
        raise Domain("division by zero")
    return a / b[0, 0]


def _pow(a, e):
    if isinstance(a, Identity) or isinstance(e, Identity):
        raise Clash("a power of an identity matrix", hard=False)
    if not is_scalar(e):
        raise Clash("an exponent that is not a scalar")
    k = float(e[0, 0])
    if is_scalar(a) or a.shape[1] == 1:                      # a vector squared: elementwise (g², as in RMSProp)
        if np.any(a < 0) and k != int(k):
            raise Domain("a fractional power of a negative number")
        if np.any(a == 0) and k < 0:
            raise Domain("division by zero")
        if not is_scalar(a) and k == -1:
            raise Clash(f"cannot invert {show_shape(a)}, which is not square")
        return a ** k
    if a.shape[0] != a.shape[1]:
        what = "invert" if k < 0 else "take a power of"
        raise Clash(f"cannot {what} {show_shape(a)}, which is not square")
    if k != int(k):
        raise Clash("a matrix power needs a whole-number exponent")
    if k < 0:
        if abs(np.linalg.det(a)) < 1e-12 * max(1.0, float(np.abs(a).max()) ** a.shape[0]):
            raise Singular(f"cannot invert {show_shape(a)}: it is singular")
        a, k = np.linalg.inv(a), -k
    return np.linalg.matrix_power(a, int(k))


def _elementwise(fn, domain=None):
    def apply(args):
        if len(args) != 1:
            raise Clash("one argument expected")
        x = args[0]
        if domain is not None and not domain(x):
            raise Domain("outside the function's domain")
        return fn(x)
    return apply


def _extreme(pick):
    def apply(args):
        if any(not is_scalar(a) for a in args):
            raise Clash("max and min take scalars here")
        return scalar(pick(a[0, 0] for a in args))
    return apply


BUILTIN_FUNCTIONS = {
    "exp": _elementwise(np.exp), "log": _elementwise(np.log, lambda x: np.all(x > 0)),
    "sqrt": _elementwise(np.sqrt, lambda x: np.all(x >= 0)), "abs": _elementwise(np.abs),
    "sin": _elementwise(np.sin), "cos": _elementwise(np.cos), "tanh": _elementwise(np.tanh),
    "sigmoid": _elementwise(lambda x: 1 / (1 + np.exp(-x))), "relu": _elementwise(lambda x: np.maximum(x, 0.0)),
    "floor": _elementwise(lambda x: np.floor(x + 1e-9)), "ceil": _elementwise(lambda x: np.ceil(x - 1e-9)),
    "mean": lambda args: scalar(np.mean(np.concatenate([a.ravel() for a in args]))),
    "sum": lambda args: scalar(np.sum(np.concatenate([a.ravel() for a in args]))),
    "softmax": _elementwise(lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum()),
    "max": _extreme(max), "min": _extreme(min),
}


def _function(name: str, args: list):
    if name not in BUILTIN_FUNCTIONS:
        raise Unknown(name, f"the function {name} is not read")
    return BUILTIN_FUNCTIONS[name](args)


# -- comparing -----------------------------------------------------------------------------
def written_tolerance(*texts: str, approx: bool = False) -> tuple:
    """(rtol, atol) a written relation deserves: half a unit in the last printed
    decimal (0.3775 -> 5.1e-5), so a rounded value is not called wrong; ≈ allows 1 %."""
    places = [len(m.group(1)) for t in texts for m in re.finditer(r"\d\.(\d+)(?![\deE])", t)]
    atol = 0.51 * 10.0 ** -min(places) if places else 0.0
    return (1e-2 if approx else 1e-7), atol


def same(a, b, tolerance: tuple) -> bool:
    """Equal values (a vector written as a row or a column is the same vector)."""
    if a.shape != b.shape:
        if a.size != b.size or 1 not in a.shape or 1 not in b.shape:
            return False
        a, b = a.ravel(), b.ravel()
    rtol, atol = tolerance
    scale = np.maximum(np.abs(a), np.abs(b))
    return bool(np.all(np.abs(a - b) <= atol + rtol * scale + 1e-12 * max(1.0, float(scale.max(initial=0)))))


def show(v) -> str:
    values = [f"{x:.6g}" for x in np.asarray(v, dtype=float).ravel().tolist()]
    if len(values) == 1:
        return values[0]
    if len(values) > 8:
        return "[" + ", ".join(values[:8]) + ", …]"
    return "[" + ", ".join(values) + "]"


def draws(ctx, given: dict, seed: int = 20240615, larger=()) -> list:
    """DRAWS environments of the problem's symbols: given numbers as given, matrices
    and vectors random with sizes from the problem's dims (n ≠ d), scalars random
    (positive when declared so, whole when integer)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(DRAWS):
        sizes = _sizes(ctx, rng, k, larger)
        env = {SIZES: sizes}
        for name, info in ctx.symbols.items():
            if name in given:
                env[name] = given[name]
            elif info.shape:
                shape = tuple(sizes.get(d, d) if isinstance(d, str) else d for d in info.shape)
                env[name] = rng.normal(size=(shape[0], shape[1] if len(shape) == 2 else 1))
            elif info.integer:
                env[name] = scalar(sizes.get(name, rng.integers(2, 7)))
            else:
                env[name] = scalar(rng.uniform(0.2, 0.9) if info.positive else rng.uniform(-1.5, 1.5) or 0.7)
        for name, value in given.items():
            env.setdefault(name, value)
        out.append(env)
    return out


def declared(shape: tuple, env: dict, seed: int):
    """A random value for a letter the working declares (`S ∈ {0,1}^{n×b}`): sizes of the
    problem's dimensions, numbers as written, any other letter a small size of its own."""
    sizes = env[SIZES]
    rng = np.random.default_rng(seed)
    dims = []
    for d in shape:
        if d.isdigit():
            dims.append(int(d))
        else:
            if d not in sizes:
                taken = set(sizes.values())
                sizes[d] = next(s for s in range(2, 12) if s not in taken)
            dims.append(sizes[d])
    return rng.normal(size=(dims[0], dims[1] if len(dims) == 2 else 1))


def _sizes(ctx, rng, k: int, larger=()) -> dict:
    """Dimension sizes for one draw: distinct, at least 2, within the problem's ranges, and
    ordered as the statement says (`d > n`: pairs (larger, smaller))."""
    dims = sorted({d for info in ctx.symbols.values() for d in info.shape if isinstance(d, str)})
    sizes: dict = {}
    for dim in dims:
        low, high = ctx.dims.get(dim, (2, 6))
        choices = [s for s in range(max(2, low), max(2, high) + 1) if s not in sizes.values()] or [max(2, high) + 1 + k]
        sizes[dim] = int(choices[(k + len(sizes)) % len(choices)])
    for big, small in larger:
        if big in sizes and small in sizes and sizes[big] <= sizes[small]:
            sizes[big], sizes[small] = max(sizes[big], sizes[small]), min(sizes[big], sizes[small])
            if sizes[big] == sizes[small]:
                sizes[big] += 1
    return sizes
