"""One side of a step: the name it states (`L(α)`, `w_1`, `∂L/∂η`), and its
value as a whitelisted tree or a vector literal, or why it cannot be read.

Working is written more loosely than answers, so a few spellings are
normalised first (w^*, w_*, W* -> w_star; \\mathcal{L} -> L). Nothing here
evaluates text: sides go through mathexpr's parser like any answer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dlcheck.mathexpr import nodes as N
from dlcheck.mathexpr.context import MathContext
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.matrix import ShapeError

_STYLE = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathcal|mathrm|mathit|mathsf|operatorname)\s*\{([^{}]*)\}")
_STAR = re.compile(r"(?<=[A-Za-z}])\s*(?:\^\s*\{\s*(?:\*|\\ast|\\star)\s*\}|\^\s*(?:\*|\\ast|\\star)"
                   r"|_\s*\{\s*(?:\*|\\ast)\s*\}|_\s*\*|\*(?=\s*(?:$|[=),\]])))")
_DERIVATIVE = re.compile(r"\\nabla|\\partial|∇|∂|\bd\s*/\s*d")
_CALL = re.compile(r"^(\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)('*)\s*\(([^()]*)\)$")
_ARG = re.compile(r"^\\?[A-Za-z]+(?:_\{?\w+\}?)?$|^\w+\s*[-+]\s*\d+$|^\d+$")


@dataclass
class Side:
    text: str
    tree: object = None                 # a whitelisted tree (aliases substituted)
    vector: list | None = None          # [tree, ...] for a literal such as [3.2, 1.6]
    error: str = ""                     # why it cannot be read
    shape_error: str = ""               # why its shapes clash
    key: str | None = None              # the name it states, when it is one
    base: str = ""                      # L in L'(α)
    args: tuple = ()                    # ("alpha",) in L(α)
    primes: int = 0
    opaque: bool = False                # a derivative written in ∇/∂ notation: a name, never a value
    names: set = field(default_factory=set)

    @property
    def readable(self) -> bool:
        return (self.tree is not None or self.vector is not None) and not self.shape_error

    @property
    def is_zero(self) -> bool:
        return self.tree is not None and N.constant(self.tree) == 0


def normalise(text: str) -> str:
    text = _STYLE.sub(r" \1", text)     # \mathbf{X}\mathbf{X}^T is X X^T, not the name XX
    text = _STYLE.sub(r" \1", text)
    text = _STAR.sub("_star", text)
    return text.replace("\\,", " ").replace("\\!", "").strip()


def read_side(raw: str, ctx: MathContext) -> Side:
    from dlcheck.mathexpr.lexer import canonical_name

    text = normalise(raw)
    side = Side(raw)
    if _DERIVATIVE.search(text):
        if not re.search(r"(?<![{(\[^_])\s[-+]\s", text):
            side.key, side.opaque = "".join(text.split()), True
        side.error = "derivative notation (∇, ∂) is not read"
        return side
    call = _CALL.match(text)
    if call and all(_ARG.match(a.strip()) for a in call.group(3).split(",")):
        base = canonical_name(call.group(1))
        if not ctx.info(base).is_matrix and base not in ctx.aliases:
            side.base, side.primes = base, len(call.group(2))
            side.args = tuple(canonical_name(a) if _ARG.match(a.strip()) and not a.strip()[0].isdigit()
                              else "".join(a.split()) for a in call.group(3).split(","))
            side.key = f"{base}{'′' * side.primes}({','.join(side.args)})"
            side.error = "a function name, not a value"
            return side
    if text.startswith("[") and text.endswith("]"):
        return _vector(side, text, ctx)
    _tree(side, text, ctx)
    return side


def _tree(side: Side, text: str, ctx: MathContext) -> None:
    from dlcheck.mathexpr.equiv import is_matrix
    from dlcheck.mathexpr.matrix import shape
    from dlcheck.mathexpr.parser import parse

    try:
        tree = parse(text, ctx)
    except (ExprError, RecursionError) as exc:
        side.error = str(exc) if isinstance(exc, ExprError) else "nested too deeply"
        return
    if isinstance(tree, N.Sym):
        side.key = tree.name
    elif isinstance(tree, N.Transpose) and isinstance(tree.arg, N.Sym):
        side.key = tree.arg.name + "ᵀ"
    side.names = N.symbols(tree)
    tree = substitute_aliases(tree, ctx)
    side.tree = tree
    if is_matrix(tree, ctx):
        try:
            shape(tree, ctx)
        except ShapeError as exc:
            side.shape_error = str(exc)


def substitute_aliases(tree, ctx: MathContext):
    from dlcheck.mathexpr.equiv import with_aliases

    return with_aliases(tree, ctx)


def _vector(side: Side, text: str, ctx: MathContext) -> Side:
    """[3.2, 1.6], [2 1] or [[2], [1]] -> a flat list of trees (a vector's entries)."""
    from dlcheck.mathexpr.parser import parse

    inner = text.replace("[", " ").replace("]", " ")
    cells = [c for c in (inner.split(",") if "," in inner else inner.split()) if c.strip()]
    if not cells or len(cells) > 64:
        side.error = "an empty or very long list"
        return side
    try:
        side.vector = [substitute_aliases(parse(c.strip(), ctx), ctx) for c in cells]
    except (ExprError, RecursionError) as exc:
        side.error = f"cannot read an entry of the list: {exc}"
        side.vector = None
    if side.vector is not None:
        side.names = set().union(*(N.symbols(t) for t in side.vector))
    return side
