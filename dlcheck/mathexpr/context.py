"""What a problem says about its symbols: shapes, assumptions, aliases, the
sizes to sample, and the names an answer may start with (`λ̃ = ...`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from dlcheck.mathexpr.lexer import canonical_name
from dlcheck.mathexpr.names import GREEK, UNICODE_GREEK  # noqa: F401 - where callers have found them

DEFAULT_DIMS = (2, 6)
DEFAULT_TIMEOUT = 3.0      # a formula's equivalence: the default of kinds expr and mexpr (their LIMITS)


@dataclass(frozen=True)
class SymbolInfo:
    name: str
    shape: tuple = ()            # () scalar; (r,) column vector; (r, c) matrix; entries are dim names or ints
    positive: bool = False
    integer: bool = False
    nonzero: bool = False

    @property
    def is_matrix(self) -> bool:
        return bool(self.shape)


@dataclass
class MathContext:
    symbols: dict = field(default_factory=dict)      # canonical name -> SymbolInfo
    aliases: dict = field(default_factory=dict)      # canonical name -> expression text
    dims: dict = field(default_factory=dict)         # dim name -> (low, high) sizes to sample
    lhs: tuple = ()                                  # names an answer may begin with, as in "eta = ..."
    free_letters: bool = False                       # undeclared single letters are real scalars
    timeout: float = DEFAULT_TIMEOUT                 # seconds for one equivalence (a part's limits.wall_seconds)

    def known(self) -> list:
        return sorted(set(self.symbols) | set(self.aliases))

    def info(self, name: str) -> SymbolInfo:
        return self.symbols.get(name) or SymbolInfo(name)

    def with_timeout(self, seconds: float) -> "MathContext":
        return MathContext(self.symbols, self.aliases, self.dims, self.lhs, self.free_letters, float(seconds))

    def with_lhs(self, names) -> "MathContext":
        return MathContext(self.symbols, self.aliases, self.dims, tuple(names), self.free_letters, self.timeout)

    def dim_range(self, dim: str) -> tuple:
        return tuple(self.dims.get(dim, DEFAULT_DIMS))


def parse_symbol_spec(text: str) -> MathContext:
    """`dlcheck equiv --symbols "x,y:positive;X:n*d;w:d;a=X w - t"` -> a context
    with free letters (undeclared single letters are real scalars)."""
    ctx = MathContext(free_letters=True)
    for group in filter(None, (g.strip() for g in text.split(";"))):
        if "=" in group:
            name, _, expr = group.partition("=")
            ctx.aliases[canonical_name(name)] = expr.strip()
            continue
        names, _, props = group.partition(":")
        props = props.strip()
        for raw in filter(None, (n.strip() for n in names.split(","))):
            name = canonical_name(raw)
            if props in ("", "real"):
                ctx.symbols[name] = SymbolInfo(name)
            elif props in ("positive", "integer", "positive integer", "integer positive", "nonzero"):
                ctx.symbols[name] = SymbolInfo(name, positive="positive" in props,
                                               integer="integer" in props, nonzero=props == "nonzero")
            else:
                dims = tuple(d.strip() for d in props.replace("×", "*").replace("x", "*").split("*"))
                if not all(d.isidentifier() or d.isdigit() for d in dims) or len(dims) > 2:
                    raise ValueError(f"cannot read the shape {props!r} of {raw!r}; write e.g. X:n*d or w:d")
                ctx.symbols[name] = SymbolInfo(name, tuple(int(d) if d.isdigit() else d for d in dims))
    return ctx
