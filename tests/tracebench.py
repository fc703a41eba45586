"""The trace benchmark (issue 15): mechanical mutants of the independent sound
traces, each confirmed wrong by a reader of our own, and ProcessBench-style
scoring of the audit's earliest WRONG step.

    tests/data/traces/independent/*.yaml --load_independent--> Trace (50 sound, 37 hand-flawed)
    sound Trace --make_mutants (seeded operators, confirm)--> Mutant(label = first mutated line)
    Trace --run_audit--> Prediction (earliest WRONG step, aligned to the row's own line)
    [Prediction] --metrics--> F1, precision, recall, exact line, undecided share, time

The reader (`Reader`, `normalize`, `evaluate`) is independent of dlcheck: it never
imports it. It turns one side of an equation, as written in any of the three
styles (LaTeX, plain ASCII, unicode), into numbers at random values of the
problem's symbols (X is n x d with n = 3, d = 5, so a wrong transpose does not
type-check), and a mutant is kept only when the mutated side differs from the
original side at every draw (or no longer type-checks) while the side it is
equated with is a claim, not a definition or a chosen value. Whatever it
cannot read is discarded and counted, never guessed."""
from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

INDEPENDENT = Path(__file__).resolve().parent / "data" / "traces" / "independent"


# ---------------------------------------------------------------------------
# traces
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Trace:
    problem: str                 # full problem id, e.g. csc413-a2/2.2.1
    id: str
    text: str
    sound: bool
    wrong_line: int | None = None          # 1-based line of the earliest wrong step (flawed traces)
    style: str = ""
    op: str = "sound"                      # sound | hand | one of OPERATORS
    source: str = ""                       # a mutant's sound trace
    detail: str = ""                       # what was changed
    confirmed: str = ""                    # strong | weak | shape (how the mutated step was shown wrong)
    answer_kept: bool = False              # a mutant whose final line is the sound trace's

    @property
    def lines(self) -> list:
        return self.text.split("\n")


def load_independent(root: Path = INDEPENDENT) -> list:
    """Every trace of the independent set, sound and hand-flawed, in file order."""
    import yaml

    out = []
    for path in sorted(root.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for t in data["traces"]:
            out.append(Trace(data["problem"], t["id"], t["trace"], bool(t["sound"]),
                             None if t["sound"] else int(t["wrong_line"]), t.get("style", ""),
                             "sound" if t["sound"] else "hand", detail=t.get("mistake", "")))
    return out


# ---------------------------------------------------------------------------
# the reader: one side of an equation -> a tree -> numbers
# ---------------------------------------------------------------------------
class ReadError(Exception):
    """The text is not an expression this reader understands."""


class ShapeClash(Exception):
    """The expression reads, but its shapes do not fit (X^T X a with a in R^n)."""


FUNCTIONS = {"sqrt", "relu", "floor", "exp", "log", "ln", "norm"}
GREEK = {"eta", "lambda", "lamt", "beta", "eps", "gamma", "sigma", "mu", "theta", "alpha"}
WORDS = FUNCTIONS | GREEK

_UNI_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₖ", "0123456789k")
_UNI_SUP = {"²": "^2", "³": "^3", "⁴": "^4", "⁻¹": "^(-1)", "ᵀ": "'"}
_LATEX_NAMES = [(r"\\tilde\s*\{\s*\\lambda\s*\}|\\tilde\s*\\lambda|λ̃|\blam~", "⟨lamt⟩"),
                (r"\\tilde\s*\{\s*L\s*\}|\\tilde\s*L|L̃", "⟨Lt⟩"),
                (r"\\hat\s*\{\s*w\s*\}|\\hat\s*w|ŵ|\bw_hat\b", "⟨what⟩"),
                (r"\\varepsilon|\\epsilon|ε", "⟨eps⟩"), (r"\\beta|β", "⟨beta⟩"), (r"\\eta|η", "⟨eta⟩"),
                (r"\\lambda|λ", "⟨lambda⟩"), (r"\\gamma|γ", "⟨gamma⟩"), (r"\\sigma|σ", "⟨sigma⟩"),
                (r"\\mu|μ", "⟨mu⟩"), (r"\\alpha|α", "⟨alpha⟩"), (r"\\theta|θ", "⟨theta⟩"),
                (r"(?<![A-Za-z⟨])beta(?=_|\d|\b)(?!⟩)", "⟨beta⟩"),
                (r"(?<![A-Za-z⟨])eta(?![A-Za-z⟩])", "⟨eta⟩"),
                (r"(?<![A-Za-z⟨])lam(?:bda)?(?![A-Za-z~⟩])", "⟨lambda⟩"),
                (r"(?<![A-Za-z⟨])eps(?![A-Za-z⟩])", "⟨eps⟩")]
# derivatives and gradients become atoms: only a value the trace or the problem states for them reads
_D = r"(?:d|\\partial)\s*"
_NAME = r"(\w+(?:_\{?\w+\}?)?)"
_DERIVATIVES = [
    (r"\\frac\s*\{\s*" + _D + r"\^\s*\{?2\}?\s*" + _NAME + r"\s*\}\s*\{\s*" + _D + r"(⟨\w+⟩|\w+)\s*\^\s*\{?2\}?\s*\}",
     lambda m: f"⟨d2{_plain_sub(m.group(1))}/d{m.group(2).strip('⟨⟩')}2⟩"),
    (r"(?:\\nabla|∇|grad)\s*(?:_\{?w\}?)?\s*(⟨Lt⟩|L|R)\s*\(\s*(w(?:_?\{?0\}?)?)\s*\)",
     lambda m: f"⟨grad{m.group(1).strip('⟨⟩')}({_plain_sub(m.group(2))})⟩"),
    (r"\\frac\s*\{\s*" + _D + _NAME + r"\s*\}\s*\{\s*" + _D + r"(⟨\w+⟩|\w+(?:_\{?\w+\}?)?)\s*\}",
     lambda m: f"⟨d{_plain_sub(m.group(1))}/d{_plain_sub(m.group(2)).strip('⟨⟩')}⟩"),
    (r"(?<![A-Za-z⟨/])(?:d|∂)\s*(\w+)\s*/\s*(?:d|∂)\s*(⟨\w+⟩|\w+)",
     lambda m: f"⟨d{_plain_sub(m.group(1))}/d{m.group(2).strip('⟨⟩')}⟩"),
]


def _plain_sub(name: str) -> str:
    return re.sub(r"[_{}\s]", "", name.translate(_UNI_SUB))


def _group(s: str, i: int):
    """The balanced {...} group (or a single character / \\command) at s[i:], and where it ends."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        raise ReadError("missing argument")
    if s[i] == "{":
        depth = 0
        for j in range(i, len(s)):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
        raise ReadError("unbalanced braces")
    if s[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", s[i:])
        return s[i:i + m.end()], i + m.end()
    return s[i], i + 1


def _commands(s: str, name: str, nargs: int, build) -> str:
    """Replace `\\name{a}{b}` (innermost last-first) by build(a, b)."""
    pattern = re.compile(r"\\" + name + r"(?![A-Za-z])")
    while True:
        found = list(pattern.finditer(s))
        if not found:
            return s
        m = found[-1]
        args, end = [], m.end()
        for _ in range(nargs):
            arg, end = _group(s, end)
            args.append(arg)
        s = s[:m.start()] + build(*args) + s[end:]


def _matrix(body: str) -> str:
    rows = [r for r in (x.strip() for x in body.split("\\\\")) if r]
    cells = [[c.strip() for c in row.split("&")] for row in rows]
    if len(cells) == 1:
        return "[" + ", ".join(cells[0]) + "]"
    if all(len(r) == 1 for r in cells):
        return "[" + ", ".join(r[0] for r in cells) + "]"           # a column vector
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in cells) + "]"


def _underbraces(s: str) -> str:
    """\\underbrace{A}_{label} -> {A}."""
    while True:
        m = re.search(r"\\underbrace(?![A-Za-z])", s)
        if not m:
            return s
        body, end = _group(s, m.end())
        label = re.match(r"\s*_\s*", s[end:])
        if label:
            _, end = _group(s, end + label.end())
        s = s[:m.start()] + "{" + body + "}" + s[end:]


def normalize(text: str) -> str:
    """Any of the three styles -> one plain form: ASCII operators, ⟨name⟩ for
    named symbols and atoms, ' for a transpose, norm(...) for ‖...‖."""
    s = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u00a0", " ")
    s = re.sub(r"\\begin\{[bpv]?matrix\}(.*?)\\end\{[bpv]?matrix\}", lambda m: _matrix(m.group(1)), s)
    s = s.replace("&", " ")
    s = _underbraces(s)
    s = re.sub(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|bigg|Bigg)(?![A-Za-z])\s*\.?", "", s)
    s = re.sub(r"\\[,;:! ]|\\q?quad(?![A-Za-z])|\\displaystyle|\\textstyle", " ", s)
    s = s.replace("{,}", "").replace("\\%", "").replace("\\cdots", "").replace("\\ldots", "")
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)                       # 497,349
    s = re.sub(r"\\(?:text|textbf|mbox|textrm)\s*\{[^{}]*\}", " ", s)
    s = re.sub(r"\\(?:mathrm|operatorname|mathbf|boldsymbol)\s*\{\s*([A-Za-z0-9]+)\s*\}", r"\1", s)
    s = _commands(s, "boxed", 1, lambda a: "(" + a + ")")
    s = s.translate(_UNI_SUB)
    for name, rep in _LATEX_NAMES:
        s = re.sub(name, rep, s)
    for pattern, build in _DERIVATIVES:
        s = re.sub(pattern, build, s)
    for cmd in ("frac", "dfrac", "tfrac"):
        s = _commands(s, cmd, 2, lambda a, b: f"(({a})/({b}))")
    s = _commands(s, "sqrt", 1, lambda a: f"sqrt({a})")
    s = re.sub(r"√\s*(\(|⟨\w+⟩|[A-Za-z0-9.]+)",
               lambda m: "sqrt" + (m.group(1) if m.group(1) == "(" else f"({m.group(1)})"), s)
    s = re.sub(r"\\lfloor|⌊", " floor(", s)
    s = re.sub(r"\\rfloor|⌋", ")", s)
    s = re.sub(r"\\mathrm\{ReLU\}|ReLU|\\operatorname\{ReLU\}", "relu", s)
    # transposes, inverses, powers
    s = re.sub(r"\^\s*\{\s*\\top\s*\}|\^\s*\\top|\^\s*\{\s*T\s*\}|\^T(?![A-Za-z])|ᵀ|\\top", "'", s)
    s = re.sub(r"\^\s*\{\s*-1\s*\}|\^-1(?!\d)|⁻¹", "^(-1)", s)
    for k, v in _UNI_SUP.items():
        s = s.replace(k, v)
    s = re.sub(r"(?<=[A-Za-z0-9⟩])(?:\^\s*\{\s*\*\s*\}|\^\s*\*|\*(?=\s*(?:[=/)\],]|$|\s[A-Za-z(⟨\\]|\s*$)))",
               "⟨*⟩", s)                                              # w^*, eta*, c* (a star, not a product)
    # norms: \| and || and ‖ pair up in order
    s = s.replace("\\|", "‖").replace("||", "‖")
    s = re.sub(r"‖\s*_\s*\{?\s*2\s*\}?", "‖", s)
    parts = s.split("‖")
    if len(parts) % 2 == 0:
        raise ReadError("unpaired norm bars")
    s = parts[0] + "".join(("⟨norm⟩(" if i % 2 == 0 else ")") + p for i, p in enumerate(parts[1:]))
    s = re.sub(r"(?<=\d)\s*×\s*(?=\d)", "*", s)
    while re.search(r"(?<![A-Za-z_\d.])(\d+)x(?=\d)", s):                  # 32x32x3, not w1x1
        s = re.sub(r"(?<![A-Za-z_\d.])(\d+)x(?=\d)", r"\1*", s)
    s = re.sub(r"\\cdot|·|\\times|×|⋅", "*", s)
    s = s.replace("{", "(").replace("}", ")").replace("\\", " \\")
    return s.strip().rstrip(".,;:").strip()


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+\.\d+|\d+|\.\d+)(?:[eE](?P<exp>[-+]?\d+))?|(?P<atom>⟨[^⟩]*⟩)|"
                    r"(?P<word>[A-Za-z]+)|(?P<op>[-+*/^(),\[\]'=])|(?P<bad>\S))")


def tokenize(s: str, words=frozenset()) -> list:
    """(kind, text) tokens; identifiers keep a subscript (w_0, w0, O_11 -> w0, w0, O11)."""
    known = WORDS | set(words)
    out, i = [], 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if m is None or m.end() == i:
            break
        i = m.end()
        if m.group("num") is not None:
            value = float(m.group("num")) * (10.0 ** int(m.group("exp")) if m.group("exp") else 1.0)
            out.append(("num", value))
        elif m.group("atom"):
            name = m.group("atom")[1:-1]
            if name == "*":
                if not out or out[-1][0] != "id":
                    raise ReadError("a star after nothing")
                out[-1] = ("id", out[-1][1] + "*")
                continue
            if name == "norm":
                out.append(("func", "norm"))
                continue
            name, i = _subscript(s, i, name)
            out.append(("id", name))
        elif m.group("word"):
            run = m.group("word")
            pieces = _split_run(run, known)
            for k, piece in enumerate(pieces):
                if k == len(pieces) - 1:
                    piece, i = _subscript(s, i, piece)
                out.append(("func" if piece in FUNCTIONS else "id", piece))
        elif m.group("op"):
            out.append(("op", m.group("op")))
        else:
            raise ReadError(f"cannot read {m.group('bad')!r}")
    return out


def _subscript(s: str, i: int, name: str):
    m = re.match(r"_\s*\(?\s*([A-Za-z0-9]+)\s*\)?|(?<=[A-Za-z])(\d+)", s[i:]) if i < len(s) else None
    if m and m.group(1):
        return name + m.group(1), i + m.end()
    m = re.match(r"\d+", s[i:])
    if m and len(name) == 1:
        return name + m.group(0), i + m.end()
    return name, i


def _split_run(run: str, known: set) -> list:
    """A run of letters -> known words and single letters (Xw -> X w); prose is refused."""
    if run in known:
        return [run]
    pieces, i = [], 0
    while i < len(run):
        word = next((w for w in sorted(known, key=len, reverse=True) if run.startswith(w, i)), None)
        if word:
            pieces.append(word)
            i += len(word)
        else:
            pieces.append(run[i])
            i += 1
    singles = sum(1 for p in pieces if len(p) == 1)
    if len(run) >= 3 and singles == len(pieces):
        raise ReadError(f"a word, not symbols: {run!r}")
    if len(run) >= 4 and singles > 2:
        raise ReadError(f"a word, not symbols: {run!r}")
    return pieces


class _Parser:
    """expr := term (('+'|'-') term)*; term := unary ((* | / | juxtaposition) unary)*;
    unary := '-' unary | power; power := postfix ('^' unary)?; postfix := atom "'"*."""

    def __init__(self, tokens):
        self.t, self.i = tokens, 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, text=None):
        tok = self.peek()
        if tok[0] is None or (text is not None and tok[1] != text):
            raise ReadError(f"expected {text!r}")
        self.i += 1
        return tok

    def parse(self):
        tree = self.expr()
        if self.i != len(self.t):
            raise ReadError(f"left over: {self.t[self.i:]}")
        return tree

    def expr(self):
        tree = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            tree = (op, tree, self.term())
        return tree

    def term(self):
        tree = self.unary()
        while True:
            kind, text = self.peek()
            if (kind, text) in (("op", "*"), ("op", "/")):
                self.take()
                tree = ("*" if text == "*" else "/", tree, self.unary())
            elif kind in ("num", "id", "func") or (kind, text) in (("op", "("), ("op", "[")):
                tree = ("*", tree, self.power())
            else:
                return tree

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        if self.peek() == ("op", "+"):
            self.take()
        return self.power()

    def power(self):
        base = self.postfix()
        if self.peek() == ("op", "^"):
            self.take()
            exponent = self.unary() if self.peek() in (("op", "-"), ("op", "(")) else self.postfix()
            return ("^", base, exponent)
        return base

    def postfix(self):
        tree = self.atom()
        while self.peek() == ("op", "'"):
            self.take()
            tree = ("T", tree)
        return tree

    def atom(self):
        kind, text = self.take()
        if kind == "num":
            return ("num", text)
        if kind == "id":
            return ("id", text)
        if kind == "func":
            if self.peek() != ("op", "("):
                arg = self.postfix()
            else:
                self.take("(")
                arg = self.expr()
                self.take(")")
            return ("call", text, arg)
        if (kind, text) == ("op", "("):
            inner = self.expr()
            self.take(")")
            return inner
        if (kind, text) == ("op", "["):
            items = [self.expr()]
            while self.peek() == ("op", ","):
                self.take()
                items.append(self.expr())
            self.take("]")
            return ("list", items)
        raise ReadError(f"unexpected {text!r}")


def symbols(tree) -> set:
    if tree[0] == "id":
        return {tree[1]}
    if tree[0] == "num":
        return set()
    if tree[0] == "list":
        return set().union(*(symbols(x) for x in tree[1]))
    if tree[0] == "call":
        return symbols(tree[2])
    return set().union(*(symbols(x) for x in tree[1:]))


def _scalar(v) -> bool:
    return v.shape == (1, 1)


def evaluate(tree, env: dict):
    """Numbers of a tree: 2-D float arrays, (1, 1) for a scalar, (k, 1) for a vector."""
    kind = tree[0]
    if kind == "num":
        return np.array([[tree[1]]])
    if kind == "id":
        if tree[1] not in env:
            raise ReadError(f"no value for {tree[1]}")
        return env[tree[1]]
    if kind == "list":
        items = [evaluate(x, env) for x in tree[1]]
        if all(_scalar(x) for x in items):
            return np.array([[x[0, 0]] for x in items])
        if all(x.shape[1] == 1 and x.shape == items[0].shape for x in items):
            return np.hstack(items).T
        raise ShapeClash("a ragged list")
    if kind == "call":
        v = evaluate(tree[2], env)
        name = tree[1]
        if name == "norm":
            return np.array([[float(np.sqrt(np.sum(v * v)))]])
        if name == "sqrt":
            if np.any(v < 0):
                raise ShapeClash("sqrt of a negative")
            return np.sqrt(v)
        if name == "relu":
            return np.maximum(v, 0.0)
        if name == "floor":
            return np.floor(v + 1e-9)
        if name == "exp":
            return np.exp(v)
        if name in ("log", "ln"):
            if np.any(v <= 0):
                raise ShapeClash("log of a non-positive")
            return np.log(v)
    if kind == "neg":
        return -evaluate(tree[1], env)
    if kind == "T":
        return evaluate(tree[1], env).T
    a = evaluate(tree[1], env)
    b = evaluate(tree[2], env)
    if kind in "+-":
        if a.shape != b.shape:
            raise ShapeClash(f"{a.shape} {kind} {b.shape}")
        return a + b if kind == "+" else a - b
    if kind == "*":
        if _scalar(a) or _scalar(b):
            return a * b
        if a.shape[1] != b.shape[0]:
            raise ShapeClash(f"{a.shape} times {b.shape}")
        return a @ b
    if kind == "/":
        if not _scalar(b):
            raise ShapeClash("division by a non-scalar")
        if abs(b[0, 0]) < 1e-300:
            raise ShapeClash("division by zero")
        return a / b
    if kind == "^":
        if not _scalar(b):
            raise ShapeClash("a non-scalar exponent")
        e = float(b[0, 0])
        if _scalar(a):
            if a[0, 0] < 0 and e != int(e):
                raise ShapeClash("a fractional power of a negative")
            if a[0, 0] == 0 and e < 0:
                raise ShapeClash("division by zero")
            return a ** e
        if a.shape[0] != a.shape[1] or e != int(e):
            raise ShapeClash("a power of a non-square matrix")
        if e < 0:
            a, e = np.linalg.inv(a), -e
        return np.linalg.matrix_power(a, int(e))
    raise ReadError(f"unknown node {kind}")


def close(u, v, rtol: float = 1e-7, atol: float = 1e-9) -> bool:
    if u.shape != v.shape:
        if u.size != v.size or 1 not in u.shape or 1 not in v.shape:
            return False
        u, v = u.ravel(), v.ravel()
    return bool(np.allclose(u, v, rtol=rtol, atol=atol))


def tolerance(*texts: str, approx: bool = False):
    """(rtol, atol) a written relation deserves: a decimal with k places is good to half a unit of the last."""
    places = [len(m.group(1)) for t in texts for m in re.finditer(r"\d\.(\d+)", t)]
    atol = 0.51 * 10.0 ** -min(places) if places else 1e-9
    return (1e-2 if approx else 1e-7), atol


# ---------------------------------------------------------------------------
# a line -> chains of sides (raw positions kept, so a mutation knows its side)
# ---------------------------------------------------------------------------
_SEP = re.compile(r"\$\$|\$|\\\[|\\\]|\\q?quad(?![A-Za-z])|\\;|;|\\Rightarrow|\\Longrightarrow|\\implies|"
                  r"\\iff|⇒|<=>|=>|→|->|\\to(?![A-Za-z])|\\in(?![A-Za-z])|∈|\\\\|:(?!=)|(?<!\\),(?!\d{3}(?!\d))|"
                  r"\*\*|✓|\\checkmark|\.(?=\s+[A-Z*(])|\.\s*$|"
                  r"(?<![\\A-Za-z])(?:so|then|and|with|where|hence|thus|since|gives|giving|needs?|because|therefore|"
                  r"Therefore|So|Since|Then|Hence|we get|i\.e\.|is|are|for|when|iff|Check|check|try|Take|take|"
                  r"Here|here|vs|of)(?![A-Za-z])")
_REL = re.compile(r":=|==|<=|>=|≤|≥|≠|≈|\\approx|\\neq|\\ne(?![A-Za-z])|\\leq?(?![A-Za-z])|\\geq?(?![A-Za-z])|"
                  r"\\sim(?![A-Za-z])|\\propto|∝|≪|\\ll(?![A-Za-z])|(?<![<>!:=])=(?![=>])|<|>")
_OPEN, _CLOSE = "([{", ")]}"


@dataclass
class Side:
    start: int
    end: int
    text: str


@dataclass
class Chain:
    sides: list
    rels: list                   # between sides: eq | def | approx | other
    continued: bool = False      # began with "=": its first side is the previous row's last


def _rel_kind(op: str) -> str:
    if op == "=":
        return "eq"
    if op == ":=":
        return "def"
    if op in ("≈", "\\approx"):
        return "approx"
    return "other"


def chains(line: str) -> list:
    """The equation chains of one line: `A = B = C` -> sides A, B, C with their positions."""
    out, depth, i = [], 0, 0
    sides, rels, start = [], [], 0

    def close_segment(end):
        nonlocal sides, rels
        piece = line[start:end]
        sides.append(_side(start, piece))
        if rels:
            continued = sides[0].text == "" and rels[0] == "eq"
            if continued or sides[0].text:
                out.append(Chain(sides, rels, continued))
        sides, rels = [], []

    while i < len(line):
        ch = line[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 or line.startswith("\\\\", i) or line.startswith("$", i):
            m = _SEP.match(line, i)
            if m and m.end() > i:
                close_segment(i)
                i = start = m.end()
                depth = 0
                continue
            m = _REL.match(line, i)
            if m and depth == 0:
                sides.append(_side(start, line[start:i]))
                rels.append(_rel_kind(m.group(0)))
                i = start = m.end()
                continue
        i += 1
    close_segment(len(line))
    return out


def _side(start: int, piece: str) -> Side:
    lead = len(piece) - len(piece.lstrip())
    text = piece.strip()
    return Side(start + lead, start + lead + len(text), text)


# ---------------------------------------------------------------------------
# per problem: what its symbols are
# ---------------------------------------------------------------------------
N_ROWS, D_COLS, BATCH = 3, 5, 2
MATRIX_PROBLEMS = {"csc413-a2/1.1.1", "csc413-a2/2.2.1", "csc413-a2/2.2.3", "csc413-a2/2.3.1", "csc413-a2/2.3.2"}
PROBLEM_WORDS = {"csc413-a2/4.3": {"NIC", "NF", "NC"}}
# names a trace may introduce freely (an abbreviation or a chosen value): their first definition is no claim
FREE_NAMES = {"a", "b", "c", "g", "r", "u", "v", "s", "z", "m", "S", "W", "F", "P", "w1", "w2"}
CASE_NAMES = {"K"}                    # `K = 3: ...` names the case, wherever it appears
# values the working chooses (any that satisfy the conditions are right): restating one is no claim
CHOICES = {"dl-principles/1d": {"w1", "w2", "b"}}
_DEFINING = re.compile(r"\blet\b|\bLet\b|:=|\bdefine|\bdenote|\bWriting\b|\bwrite\b|\bname\b|\btry\b|\bTake\b|\btake\b|"
                       r"\bpick\b|\bchoose\b|\bsuppose\b|\bassume\b", re.I)


def base_env(problem: str, draw: int, seed: str) -> dict:
    """Random values for the problem's declared symbols (one draw)."""
    rng = np.random.default_rng(int(hashlib.sha256(f"{seed}/{draw}".encode()).hexdigest()[:12], 16))
    env = {"e": np.array([[math.e]]), "pi": np.array([[math.pi]])}
    if problem in MATRIX_PROBLEMS:
        n, d = N_ROWS, D_COLS
        col = lambda k: rng.normal(size=(k, 1))                       # noqa: E731
        scalar = lambda lo, hi: np.array([[rng.uniform(lo, hi)]])    # noqa: E731
        X, t, w0, w = rng.normal(size=(n, d)), col(n), col(d), col(d)
        env.update(X=X, t=t, w0=w0, w=w, wk=col(d), n=np.array([[float(n)]]), d=np.array([[float(d)]]),
                   eta=scalar(0.2, 0.9), lambda_=scalar(0.1, 0.5), lamt=scalar(0.1, 0.5), I=np.eye(n), In=np.eye(n))
        env["lambda"] = env.pop("lambda_")
        env["a"] = X @ w0 - t
        grad = lambda v: 2.0 / n * X.T @ (X @ v - t)                  # noqa: E731
        env["gradL(w)"], env["gradL(w0)"] = grad(w), grad(w0)
        env["gradLt(w)"] = grad(w) + 2 * env["lamt"] * w
        env["gradLt(w0)"] = grad(w0) + 2 * env["lamt"] * w0
        if problem == "csc413-a2/1.1.1":
            S = np.zeros((n, BATCH))
            S[0, 0] = S[2, 1] = 1.0
            env.update(S=S, XB=S.T @ X, tB=S.T @ t, b=np.array([[float(BATCH)]]), c=col(n), ck=col(n))
    if problem == "csc413-a2/4.3":
        for name in ("k", "NIC", "NF", "NC"):
            env[name] = np.array([[float(rng.integers(2, 9))]])
    if problem == "csc413-a2/1.2.1":
        env.update(X=np.array([[2.0, 1.0]]), t=np.array([[2.0]]), n=np.array([[1.0]]))
    return env


class Reader:
    """Sides of one problem's working -> numbers."""

    def __init__(self, problem: str):
        self.problem = problem
        self.words = frozenset(PROBLEM_WORDS.get(problem, ()))
        self.functions: set = set()          # names the working defines with arguments: r(eta), L1(eta)

    def _calls(self, tokens: list) -> list:
        """f(args) for a name the working defines with arguments is one name: L1(eta)."""
        out, i = [], 0
        while i < len(tokens):
            kind, text = tokens[i]
            if kind == "id" and text in self.functions and i + 1 < len(tokens) and tokens[i + 1] == ("op", "("):
                close = next((k for k in range(i + 2, len(tokens)) if tokens[k] == ("op", ")")), None)
                inner = tokens[i + 2:close] if close else None
                if inner is not None and all(k in ("id", "num") or t == "," for k, t in inner):
                    out.append(("id", f"{text}({_args(inner)})"))
                    i = close + 1
                    continue
            out.append(tokens[i])
            i += 1
        return out

    def tree(self, text: str):
        tokens = self._calls(tokenize(normalize(text), self.words))
        if not tokens:
            raise ReadError("empty")
        return _Parser(tokens).parse()

    def value(self, text: str, env: dict):
        return evaluate(self.tree(text), env)

    def head(self, text: str):
        """(key, args) when the side is a bare name (w1, L_1(\\eta), dr/deta), else None."""
        try:
            tokens = tokenize(normalize(text), self.words)
        except ReadError:
            return None
        if len(tokens) == 1 and tokens[0][0] == "id":
            return tokens[0][1], None
        if len(tokens) >= 3 and tokens[0][0] == "id" and tokens[1] == ("op", "(") and tokens[-1] == ("op", ")") \
                and all(k in ("id", "num") or t == "," for k, t in tokens[2:-1]):
            return tokens[0][1], _args(tokens[2:-1])
        return None


def _args(tokens: list) -> str:
    return ",".join(f"{t:g}" if isinstance(t, float) else t for k, t in tokens if t != ",")


def _prose(removed: str) -> bool:
    """What a window may leave out: words (`50 hours`, `try w1`, `(a) w1`, `t (zero loss)`), nothing mathematical."""
    if not removed.strip():
        return True
    if not re.fullmatch(r"[\sA-Za-z()'’.,:-]*", removed):
        return False
    words = re.findall(r"[A-Za-z]+", re.sub(r"\(\s*[A-Za-z]\s*\)", " ", removed))
    return all(len(w) >= 2 for w in words)


def _cuts(text: str, left_free: bool, right_free: bool):
    """Windows (a, b) of a side, widest first: an edge next to a relation stays, a free edge may drop prose words."""
    starts = [0] + ([m.end() for m in re.finditer(r"\s+", text)] if left_free else [])
    ends = [len(text)] + ([m.start() for m in re.finditer(r"\s+", text)] if right_free else [])
    pairs = [(a, b) for a in starts for b in ends if b > a and _prose(text[:a]) and _prose(text[b:])]
    return sorted(set(pairs), key=lambda p: p[0] - p[1])


@dataclass
class Analysis:
    """A sound trace read once: its chains per line, its definitions, the values per draw."""
    trace: Trace
    reader: Reader
    lines: list
    chains: list                                   # per line: [Chain]
    envs: list                                     # per draw: {name: array}
    first_definition: dict = field(default_factory=dict)   # name -> (line, chain index)


DRAWS = 3


def analyse(trace: Trace) -> Analysis:
    reader = Reader(trace.problem)
    lines = trace.lines
    per_line = [chains(line) for line in lines]
    for line_chains in per_line:
        for chain in line_chains:
            if not chain.continued:
                head = reader.head(chain.sides[0].text)
                if head and head[1] is not None:
                    reader.functions.add(head[0])
    envs = [base_env(trace.problem, k, trace.id) for k in range(DRAWS)]
    first: dict = {}
    for _ in range(2):                                 # a name defined after its first use still reads
        for li, line_chains in enumerate(per_line):
            for ci, chain in enumerate(line_chains):
                if chain.continued:
                    continue
                _define(reader, chain, envs, first, (li, ci))
    return Analysis(trace, reader, lines, per_line, envs, first)


def _define(reader: Reader, chain: Chain, envs: list, first: dict, where) -> None:
    heads = []
    for j, side in enumerate(chain.sides):
        if j > 0 and chain.rels[j - 1] not in ("eq", "def"):
            break
        head = reader.head(_trim_head(side.text, reader))
        if head is None:
            continue
        heads.append((j, head))
    for j, (name, args) in heads:
        keys = [name] + ([f"{name}({args})"] if args is not None else [])
        if all(k in envs[0] for k in keys):
            for key in keys:                 # a problem's own name stated first here (a = Xw0 - t): noted all the same
                first.setdefault(key, where)
            continue
        for k, side in enumerate(chain.sides):
            if k == j or (k > 0 and chain.rels[k - 1] not in ("eq", "def")):
                continue
            try:
                values = [reader.value(side.text, env) for env in envs]
            except (ReadError, ShapeClash, ValueError, ArithmeticError, np.linalg.LinAlgError):
                continue
            for env, v in zip(envs, values):
                for key in keys:
                    env.setdefault(key, v)
            for key in keys:
                first.setdefault(key, where)
            break


def _trim_head(text: str, reader: Reader) -> str:
    """The longest tail of a first side that is a name: "(a) w1" -> "w1", "try w1" -> "w1"."""
    words = text.split()
    for k in range(len(words)):
        tail = " ".join(words[k:])
        if _prose(" ".join(words[:k])) and reader.head(tail):
            return tail
    return text


_FAILS = (ReadError, ShapeClash, ValueError, ArithmeticError, np.linalg.LinAlgError, RecursionError, OverflowError)


def _values(analysis: Analysis, text: str):
    with np.errstate(all="ignore"):
        values = [analysis.reader.value(text, env) for env in analysis.envs]
    if any(not np.all(np.isfinite(v)) for v in values):
        raise ShapeClash("not finite")
    return values


def side_values(analysis: Analysis, chain: Chain, j: int, text: str | None = None, must=(0, 0)):
    """Values of side j per draw (widest readable window; `must` is a span that window keeps),
    with the window used. A side next to a relation keeps that edge; prose is dropped only at a free end."""
    side = chain.sides[j]
    text = side.text if text is None else text
    left_free = j == 0 and not chain.continued
    right_free = j == len(chain.sides) - 1
    last_error = None
    for a, b in _cuts(text, left_free, right_free):
        if not (a <= must[0] and must[1] <= b):
            continue
        try:
            return _values(analysis, text[a:b]), (a, b)
        except _FAILS as exc:
            last_error = exc
            if isinstance(exc, ShapeClash) and (a, b) == (0, len(text)):
                raise
    raise last_error or ReadError("no readable window")


def previous_side(analysis: Analysis, li: int) -> str | None:
    """The last side of the nearest earlier row (for a row that begins with "=")."""
    for k in range(li - 1, -1, -1):
        line = analysis.lines[k].strip()
        if analysis.chains[k]:
            return analysis.chains[k][-1].sides[-1].text
        if line and not re.fullmatch(r"\$\$|\\\[|\\\]|\\begin\{\w+\*?\}|\\end\{\w+\*?\}", line):
            return None
    return None


def partner_values(analysis: Analysis, li: int, chain: Chain, j: int):
    """Values of side j as a partner (None when unreadable)."""
    if j == 0 and chain.continued:
        text = previous_side(analysis, li)
        if text is None:
            return None
        try:
            return _values(analysis, text)
        except _FAILS:
            return None
    try:
        return side_values(analysis, chain, j)[0]
    except _FAILS:
        return None


def is_definition(analysis: Analysis, li: int, ci: int, chain: Chain, j: int) -> bool:
    """Side j is the name a chain introduces (an abbreviation, a setting or a choice): no claim to check against.
    In `w1 = w2 = 2` both leading names are."""
    if chain.continued:
        return False
    head = analysis.reader.head(_trim_head(chain.sides[0].text, analysis.reader))
    if head is None:
        return False
    name = head[0]
    chosen = CHOICES.get(analysis.trace.problem, set())
    if j > 0:                              # `w1 = w2 = 2`: every leading name chosen or introduced here
        names = [name] + [(analysis.reader.head(s.text) or ("",))[0] for s in chain.sides[1:j + 1]]
        return all(n in chosen or n in FREE_NAMES and analysis.first_definition.get(n) == (li, ci) for n in names)
    if name in CASE_NAMES or name in chosen:
        return True
    if analysis.first_definition.get(name) != (li, ci):
        return False
    if chain.rels[0] == "def" or name in FREE_NAMES:
        return True
    if _DEFINING.search(analysis.lines[li]) and re.fullmatch(r"[A-Za-z]\d?", name):
        return True
    if len(chain.sides) != 2:
        return False
    try:                                   # a setting: `beta = 0.9`, `eta = 10^{-3}`, `X = [2, 1]`
        return not symbols(analysis.reader.tree(chain.sides[1].text)) - {"e", "pi"}
    except _FAILS:
        return False


def relation_checks(analysis: Analysis):
    """(line, chain, j, holds) for every readable `=`/`≈` relation of the trace: the reader's self-check."""
    for li, line_chains in enumerate(analysis.chains):
        for ci, chain in enumerate(line_chains):
            for j, rel in enumerate(chain.rels):
                if rel not in ("eq", "approx") or is_definition(analysis, li, ci, chain, j):
                    continue
                left = partner_values(analysis, li, chain, j)
                right = partner_values(analysis, li, chain, j + 1)
                if left is None or right is None:
                    continue
                rtol, atol = tolerance(chain.sides[j].text, chain.sides[j + 1].text, approx=rel == "approx")
                holds = all(close(u, v, rtol, atol) for u, v in zip(left, right))
                yield li, chain, j, holds


# ---------------------------------------------------------------------------
# mutation operators: text edits inside one side of an equation
# ---------------------------------------------------------------------------
OPERATORS = ("drop_factor", "double_factor", "flip_sign", "transpose", "swap_operands", "derivative_rule",
             "arithmetic_slip", "final_transcription", "compensating")


@dataclass(frozen=True)
class Edit:
    line: int           # 0-based
    start: int
    end: int
    new: str
    kind: str           # what the edit does, for the report

    def apply(self, text: str) -> str:
        return text[:self.start] + self.new + text[self.end:]


def _tidy(line: str, start: int, end: int, new: str):
    """Keep the edited text well formed: `X^\\top` + `X` gets a space, a dropped coefficient no double space."""
    if re.search(r"\\[A-Za-z]+$", new) and re.match(r"[A-Za-z]", line[end:end + 1]):
        new += " "
    if re.search(r"\\[A-Za-z]+$", line[:start]) and re.match(r"[A-Za-z]", new[:1]):
        new = " " + new
    if new == "" and line[end:end + 1] == " " and (start == 0 or line[start - 1] in " ("):
        end += 1
    return start, end, new


_T = r"(?:\^\{\\top\}|\^\\top|\^\{T\}|\^T(?![A-Za-z])|ᵀ)"
_NOT_IN_NAME = r"(?<![\w.^_}⟩'\\])(?<!\^\{)(?<!_\{)"
_SYMBOL_NEXT = r"(?=\s*(?:\\eta|\\tilde|\\lambda|\\frac|\\\||\\nabla|\\left|[A-Za-zηλ∇‖(|√]))"
_TIMES = r"(?:\*|·|\\cdot|×|\\times)"
_DERIV = re.compile(r"\\nabla|∇|\bgrad\b|\\partial|∂|\\frac\{d|d/d|\bd\w+/d\w+")
_SUP_DOWN = {"²": "", "³": "²", "⁴": "³"}
_SUP_UP = {"²": "³", "³": "⁴"}


def _mark(line: str, style: str) -> str:
    if "\\top" in line or (style == "chatgpt" and "^T" not in line and "ᵀ" not in line):
        return "^\\top"
    if "ᵀ" in line or (style == "mixed" and "^T" not in line):
        return "ᵀ"
    return "^T"


def _minus(line: str) -> str:
    return "−" if "−" in line else "-"


def _sq(line: str) -> str:
    return "²" if any(c in line for c in "²³ᵀ‖η") else "^2"


def _half(k: str) -> str | None:
    v = int(k)
    return None if v % 2 or v == 0 else ("" if v == 2 else str(v // 2))


def _edits_drop_factor(line: str, style: str, problem: str):
    for m in re.finditer(_NOT_IN_NAME + r"(\d+)" + _SYMBOL_NEXT, line):        # 2η -> η, 8η -> 4η
        new = _half(m.group(1))
        if new is not None:
            yield m.start(1), m.end(1), new, f"drop a factor 2 ({m.group(1)} -> {new or '1'})"
    for m in re.finditer(_NOT_IN_NAME + r"(\d+)(?=\s*/\s*[A-Za-z(\\])", line):   # 2/n -> 1/n
        new = _half(m.group(1))
        if new is not None:
            yield m.start(1), m.end(1), new or "1", f"drop a factor 2 ({m.group(1)}/ -> {new or '1'}/)"
    for m in re.finditer(r"(?<=\\frac\{)(\d+)(?=\})", line):
        new = _half(m.group(1))
        if new is not None:
            yield m.start(1), m.end(1), new or "1", "drop a factor 2 in a fraction"
    for m in re.finditer(r"\\frac\{1\}\{n\}\s*|\(1/n\)\s*|(?<![\w)(/.])1/n\s+(?=[^\s\d*/+\-−=])", line):
        yield m.start(), m.end(), "", "drop the factor 1/n"
    for m in re.finditer(r"(?<=[\w}⟩ηλ])/n(?![\w^²³{(])", line):
        yield m.start(), m.end(), "", "drop the factor 1/n"
    for m in re.finditer(r"\\frac\{([^{}]+)\}\{n\}", line):
        if m.group(1) != "1":
            yield m.start(), m.end(), "{" + m.group(1) + "}", "drop the factor 1/n"
    for m in re.finditer(r"(?<=[\w)}⟩‖|])\^\{?([2-9])\}?", line):
        k = int(m.group(1))
        yield m.start(), m.end(), "" if k == 2 else f"^{k - 1}", f"drop a power (^{k} -> ^{k - 1})"
    for m in re.finditer(r"[²³⁴]", line):
        yield m.start(), m.end(), _SUP_DOWN[m.group(0)], f"drop a power ({m.group(0)})"
    for m in re.finditer(_NOT_IN_NAME + r"(\d+(?:\.\d+)?)\s*" + _TIMES + r"\s*(?=[\d(\\])", line):
        if m.group(1) not in ("0", "1"):
            yield m.start(), m.end(), "", f"drop the factor {m.group(1)}"
    for m in re.finditer(r"(?<=[\d)])\s*" + _TIMES + r"\s*(\d+(?:\.\d+)?)(?![\d.\w])", line):
        if m.group(1) not in ("0", "1"):
            yield m.start(), m.end(), "", f"drop the factor {m.group(1)}"
    for m in re.finditer(r"\\frac14\s*|\\frac\{1\}\{4\}\s*|\(1/4\)\s*", line):
        yield m.start(), m.end(), "", "drop the factor 1/4"


def _edits_double_factor(line: str, style: str, problem: str):
    for m in re.finditer(_NOT_IN_NAME + r"(\d+)" + _SYMBOL_NEXT, line):
        k = int(m.group(1))
        if k:
            yield m.start(1), m.end(1), str(2 * k), f"double a factor ({k} -> {2 * k})"
    for m in re.finditer(_NOT_IN_NAME + r"(\d+)(?=\s*/\s*[A-Za-z(\\])", line):
        k = int(m.group(1))
        if k:
            yield m.start(1), m.end(1), str(2 * k), f"double a factor ({k}/ -> {2 * k}/)"
    for m in re.finditer(r"(?<=\\frac\{)(\d+)(?=\})", line):
        yield m.start(1), m.end(1), str(2 * int(m.group(1))), "double a factor in a fraction"
    for m in re.finditer(r"(?<=\\frac\{)([^{}]+)(?=\}\{n\})", line):
        yield m.end() + 2, m.end() + 3, "n^2", "1/n counted twice (1/n -> 1/n^2)"
    for m in re.finditer(r"(?<![\w)(/.])1/n(?![\w^²³{(])|(?<=[\w}⟩ηλ])/n(?![\w^²³{(])", line):
        yield m.start(), m.end(), m.group(0) + _sq(line), "1/n counted twice (1/n -> 1/n^2)"
    for m in re.finditer(r"(?<=[\w)}⟩‖|])\^\{?([2-9])\}?", line):
        k = int(m.group(1))
        yield m.start(), m.end(), f"^{k + 1}", f"one factor too many (^{k} -> ^{k + 1})"
    for m in re.finditer(r"[²³]", line):
        yield m.start(), m.end(), _SUP_UP[m.group(0)], f"one factor too many ({m.group(0)} -> {_SUP_UP[m.group(0)]})"
    for m in re.finditer(_NOT_IN_NAME + r"(\d+)(?=\s*" + _TIMES + r")|" + _TIMES + r"\s*(\d+)(?![\d.\w])", line):
        g = 1 if m.group(1) else 2
        digits = m.group(g)
        if int(digits) > 1:
            yield m.start(g), m.end(g), str(2 * int(digits)), f"double a factor ({digits} -> {2 * int(digits)})"
    for m in re.finditer(r"\\frac14|\(1/4\)", line):
        yield m.start(), m.end(), m.group(0).replace("4", "2"), "double the factor 1/4"


def _edits_flip_sign(line: str, style: str, problem: str):
    for m in re.finditer(r"(?<=[\w)\]}'ᵀ²³‖|⟩])(\s*)([-+−])(?=\s*[\w(\\\[‖|√ηλ∇])", line):
        pos = m.start(2)
        before, after = line[:pos], line[pos + 1:]
        if re.search(r"\de$", before) or after.startswith(">") or line[pos - 1:pos] == "-":
            continue
        if not m.group(1) and not after[:1].isspace() and (re.search(r"[A-Za-z]{2,}$", before)
                                                            or re.match(r"[A-Za-z]{2,}", after)):
            continue                                                              # a hyphen: row-space, 1-D
        new = "+" if m.group(2) in "-−" else _minus(line)
        yield pos, pos + 1, new, f"flip a sign ({m.group(2)} -> {new})"
    for m in re.finditer(r"(?:(?<==)|(?<=\())(\s*)([-−])(?=\s*[\w\\(√])", line):
        yield m.start(2), m.end(2), "", "drop a leading minus"


def _edits_transpose(line: str, style: str, problem: str):
    for m in re.finditer(r"(?<=[A-Za-z)}])" + _T, line):
        yield m.start(), m.end(), "", "drop a transpose"
    if problem in MATRIX_PROBLEMS:
        for m in re.finditer(r"X(?![\^ᵀ_\w'])", line):
            yield m.end(), m.end(), _mark(line, style), "transpose X (X -> Xᵀ)"
    for m in re.finditer(r"X(\s*)X(" + _T + r")", line):
        gap = m.group(1) or (" " if m.group(2)[-1].isalpha() else "")
        yield m.start(), m.end(), "X" + m.group(2) + gap + "X", "XXᵀ -> XᵀX"
    for m in re.finditer(r"X(" + _T + r")(\s*)X(?![\^ᵀ])", line):
        yield m.start(), m.end(), "X" + m.group(2) + "X" + m.group(1), "XᵀX -> XXᵀ"


_OPERAND = r"(?:\d+(?:\.\d+)?|[A-Za-z](?:_\{?\w+\}?|\d)?|\([^()]*\))"


def _balanced(line: str, i: int) -> int | None:
    """End of the (...) group that starts at i (also \\left( ... \\right))."""
    depth = 0
    for j in range(i, len(line)):
        if line[j] == "(":
            depth += 1
        elif line[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return None


def _edits_swap_operands(line: str, style: str, problem: str):
    for m in re.finditer(r"(?<![\w.)^}])(" + _OPERAND + r")(\s*)/(\s*)(" + _OPERAND + r")(?![\w(^²³])", line):
        a, b = m.group(1), m.group(4)
        if a != b and not (a == "d" or b.startswith("d")):
            yield m.start(), m.end(), b + m.group(2) + "/" + m.group(3) + a, f"swap a quotient ({a}/{b} -> {b}/{a})"
    for m in re.finditer(r"\\[dt]?frac(?![A-Za-z])", line):
        try:
            a, mid = _group(line, m.end())
            b, end = _group(line, mid)
        except ReadError:
            continue
        if a != b:
            yield m.start(), end, f"{m.group(0)}{{{b}}}{{{a}}}", "swap a fraction"
    if problem in MATRIX_PROBLEMS:
        for m in re.finditer(r"X" + _T + r"?", line):
            rest = line[m.end():]
            gap = len(rest) - len(rest.lstrip(" "))
            i = m.end() + gap
            v = re.match(r"[abgtwrcz](?:_\{?\w+\}?|[₀₁]|\d)?(?![A-Za-z(])", line[i:])
            if v:
                end = i + v.end()
            elif line.startswith("\\left(", i) or line.startswith("(", i):
                end = _balanced(line, i + (5 if line.startswith("\\left(", i) else 0))
                if end is None:
                    continue
            else:
                continue
            b = line[i:end]
            yield m.start(), end, b + line[m.end():i] + m.group(0), f"swap a product ({m.group(0)}·{b.strip()[:12]})"
    for m in re.finditer(r"(?<![\w.^_{])(\d+(?:\.\d+)?)(\s*)([-−])(\s*)(\d+(?:\.\d+)?)(?![\w.^])", line):
        if m.group(1) == m.group(5):
            continue
        if re.search(r"(?:[*·/^×]|\\cdot|\\times)\s*$", line[:m.start()]) \
                or re.match(r"\s*(?:[*·/^×]|\\cdot|\\times)", line[m.end():]):
            continue                                                  # 3·7 − 1: not the operands of the minus
        yield m.start(), m.end(), m.group(5) + m.group(2) + m.group(3) + m.group(4) + m.group(1), "swap a difference"


def _edits_derivative_rule(line: str, style: str, problem: str):
    if not _DERIV.search(line):
        return
    for m in re.finditer(r"X" + _T + r"\s*(?=\\left\(|\()", line):
        yield m.start(), m.end(), "", "drop the chain-rule factor Xᵀ"
    for m in re.finditer(r"\s*dr/deta", line):
        yield m.start(), m.end(), "", "drop the inner derivative dr/dη"
    for m in re.finditer(r"\\frac14\s*|\\frac\{1\}\{4\}\s*|\(1/4\)\s*", line):
        yield m.start(), m.end(), "", "drop the chain-rule factor ∂y/∂O = 1/4"
    for m in re.finditer(_NOT_IN_NAME + r"(\d+)" + _SYMBOL_NEXT + r"|" + _NOT_IN_NAME + r"(\d+)(?=\s*/\s*[A-Za-z(\\])"
                         r"|(?<=\\frac\{)(\d+)(?=[}\\])", line):
        group = next(g for g in (1, 2, 3) if m.group(g))
        new = _half(m.group(group))
        if new is not None:
            new = new or ("1" if group != 1 else "")
            yield m.start(group), m.end(group), new, "power rule without its factor (d/dx x² = x)"


def _edits_arithmetic_slip(line: str, style: str, problem: str, rng: random.Random, reader: Reader):
    allowed = {"e", "pi"} | set(PROBLEM_WORDS.get(problem, ())) | ({"k"} if problem == "csc413-a2/4.3" else set())
    for chain in chains(line):
        for side in chain.sides:
            try:
                if not symbols(reader.tree(side.text)) <= allowed:
                    continue
            except _FAILS:
                continue
            for m in re.finditer(_NOT_IN_NAME + r"(?<!\^-)(\d{1,3}(?:\{,\}\d{3})+|\d+(?:\.\d+)?)(?![\d.])", side.text):
                start = side.start + m.start()
                new = _slip(m.group(0), rng)
                if new != m.group(0):
                    yield start, start + len(m.group(0)), new, f"arithmetic slip ({m.group(0)} -> {new})"


def _slip(number: str, rng: random.Random) -> str:
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    if "." in number:                                  # the first two significant digits only
        significant = [i for i in digits if number[i] != "0" or any(number[k] not in "0." for k in range(i))]
        digits = significant[:2]
    if len(digits) == 1 and "." not in number:
        v = int(number)
        return str(v + 1 if v == 0 or rng.random() < 0.5 else v - 1)
    pos = rng.choice(digits)
    first = pos == next(i for i, c in enumerate(number) if c.isdigit() and c != "0") if number.strip("0.") else False
    choices = [d for d in "0123456789" if d != number[pos] and not (first and d == "0")]
    return number[:pos] + rng.choice(choices) + number[pos + 1:]


_GENERATORS = {"drop_factor": _edits_drop_factor, "double_factor": _edits_double_factor,
               "flip_sign": _edits_flip_sign, "transpose": _edits_transpose, "swap_operands": _edits_swap_operands,
               "derivative_rule": _edits_derivative_rule}
_BASIC = ("drop_factor", "double_factor", "flip_sign", "transpose", "swap_operands", "derivative_rule",
          "arithmetic_slip")


def edits(analysis: Analysis, op: str, rng: random.Random, lines=None) -> list:
    """Every candidate edit of one operator (inside a side of an equation), in line order."""
    out = []
    style, problem = analysis.trace.style, analysis.trace.problem
    for li, line in enumerate(analysis.lines):
        if lines is not None and li not in lines:
            continue
        sides = [s for c in analysis.chains[li] for s in c.sides]
        found = (_edits_arithmetic_slip(line, style, problem, rng, analysis.reader) if op == "arithmetic_slip"
                 else _GENERATORS[op](line, style, problem))
        for start, end, new, kind in found:
            word = re.match(r"\s+([A-Za-z]{3,})", line[end:])
            if word and word.group(1) not in WORDS and re.search(r"\d$", line[start:end]):
                continue                                      # a count in prose: "1/4 for all four outputs"
            start, end, new = _tidy(line, start, end, new)
            if line[start:end] != new and any(s.start <= start and end <= s.end for s in sides) and "\n" not in new:
                out.append(Edit(li, start, end, new, f"{op}: {kind}"))
    return out


def final_line(analysis: Analysis) -> int | None:
    """The last line that states an equation: where the answer is written down."""
    return max((li for li, cs in enumerate(analysis.chains) if cs), default=None)


# ---------------------------------------------------------------------------
# confirming a mutated step wrong
# ---------------------------------------------------------------------------
def locate(analysis: Analysis, edit: Edit):
    for ci, chain in enumerate(analysis.chains[edit.line]):
        for j, side in enumerate(chain.sides):
            if side.start <= edit.start and edit.end <= side.end:
                return ci, chain, j
    return None


def confirm(analysis: Analysis, edit: Edit):
    """('strong' | 'weak' | 'shape', '') when the edited step is shown wrong, else (None, why not).

    strong: the reader checks the original relation true and the mutated one false;
    weak:   the mutated side differs from the original side at every draw, and the side it is
            equated with is a claim (so the original relation being right, the new one is not);
    shape:  the mutated side no longer type-checks (Xᵀ X a with a in Rⁿ)."""
    found = locate(analysis, edit)
    if found is None:
        return None, "not inside an equation"
    ci, chain, j = found
    li = edit.line
    if is_definition(analysis, li, ci, chain, j):
        return None, "edits the name a definition introduces"
    partners = []
    if j > 0 and chain.rels[j - 1] in ("eq", "approx", "def"):
        partners.append((j - 1, chain.rels[j - 1]))
    if j < len(chain.sides) - 1 and chain.rels[j] in ("eq", "approx", "def"):
        partners.append((j + 1, chain.rels[j]))
    partners = [(k, rel) for k, rel in partners if not is_definition(analysis, li, ci, chain, k)
                and not (k == 0 and chain.continued and previous_side(analysis, li) is None)]
    if not partners:
        return None, "no claim to break (a definition, a setting or a choice)"
    side = chain.sides[j]
    a, b = edit.start - side.start, edit.end - side.start
    new_text = side.text[:a] + edit.new + side.text[b:]
    try:
        before, (wa, wb) = side_values(analysis, chain, j, must=(a, b))
    except _FAILS:
        return None, "the reader cannot read the side"
    try:
        after = _values(analysis, new_text[wa:wb + len(edit.new) - (b - a)])
    except ShapeClash:
        return "shape", ""
    except _FAILS:
        return None, "the reader cannot read the mutated side"
    approx = any(rel == "approx" for _, rel in partners)
    rtol, atol = tolerance(side.text, new_text, approx=approx)
    if any(close(u, v, rtol, atol) for u, v in zip(before, after)):
        return None, "still true (the edit keeps the identity)"
    status = "weak"
    for k, _rel in partners:
        values = partner_values(analysis, li, chain, k)
        if values is None:
            continue
        if all(close(v, np.zeros_like(v), 0, 1e-9) for v in values) and all(_scalar(x) for x in before + after):
            ratios = [float(y[0, 0] / x[0, 0]) for x, y in zip(before, after) if abs(x[0, 0]) > 1e-12]
            if ratios and max(ratios) - min(ratios) < 1e-6 * max(1.0, abs(ratios[0])):
                return None, "scales one side of `... = 0` (the root survives)"
        head = analysis.reader.head(_trim_head(chain.sides[k].text, analysis.reader)) if k == 0 else None
        derived_here = head is not None and analysis.first_definition.get(head[0]) == (li, ci)
        if not derived_here and all(close(p, v, rtol, atol) for p, v in zip(values, before)) \
                and not any(close(p, v, rtol, atol) for p, v in zip(values, after)):
            status = "strong"
    return status, ""


# ---------------------------------------------------------------------------
# mutants
# ---------------------------------------------------------------------------
@dataclass
class Tally:
    """What the generator tried: confirmed mutants and discards by reason, per operator and problem."""
    kept: dict = field(default_factory=dict)          # (op, problem) -> n
    discarded: dict = field(default_factory=dict)     # (op, reason) -> n
    by_problem: dict = field(default_factory=dict)    # (op, problem) -> discards

    def keep(self, op, problem):
        self.kept[(op, problem)] = self.kept.get((op, problem), 0) + 1

    def discard(self, op, problem, reason):
        self.discarded[(op, reason)] = self.discarded.get((op, reason), 0) + 1
        self.by_problem[(op, problem)] = self.by_problem.get((op, problem), 0) + 1


def _occurrences(lines: list, key: str, after: int) -> list:
    return [k for k in range(after + 1, len(lines)) if key in lines[k]]


def _build(analysis: Analysis, edit: Edit, op: str, status: str, index: int, propagate: str):
    """The mutant's text. propagate: none (this line only) | all (every later line with the same
    expression gets the same change) | compensate (carried on, then undone at its last occurrence)."""
    lines = list(analysis.lines)
    side = next(s for c in analysis.chains[edit.line] for s in c.sides if s.start <= edit.start and edit.end <= s.end)
    lo, hi = max(side.start, edit.start - 3), min(side.end, edit.end + 3)
    key = lines[edit.line][lo:hi]
    replaced = lines[edit.line][lo:edit.start] + edit.new + lines[edit.line][edit.end:hi]
    lines[edit.line] = edit.apply(lines[edit.line])
    later = _occurrences(analysis.lines, key, edit.line) if propagate != "none" and key.strip() else []
    if propagate == "compensate":
        if not later:
            return None
        later = later[:-1]
    for k in later:
        lines[k] = lines[k].replace(key, replaced)
    text = "\n".join(lines)
    final = final_line(analysis)
    kept = final is not None and lines[final] == analysis.lines[final]
    if propagate == "compensate" and not kept:
        return None
    trace = analysis.trace
    before = analysis.lines[edit.line].strip()
    after = lines[edit.line].strip()
    return Trace(trace.problem, f"{trace.id}~{op}~{index}", text, False, edit.line + 1, trace.style, op, trace.id,
                 f"{edit.kind}; line {edit.line + 1}: {before[:90]!r} -> {after[:90]!r}"
                 + (f"; carried to lines {[k + 1 for k in later]}" if later else ""), status, kept)


def mutants_of(trace: Trace, seed: int = 15, per_op: int = 3, operators=OPERATORS, tally: Tally | None = None) -> list:
    """Up to `per_op` confirmed-wrong mutants of one sound trace per operator, on distinct lines where possible."""
    analysis = analyse(trace)
    tally = tally if tally is not None else Tally()
    out = []
    final = final_line(analysis)
    for op in operators:
        rng = random.Random(f"{seed}/{trace.id}/{op}")
        if op == "final_transcription":
            if final is None:
                continue
            pool = [e for basic in _BASIC for e in edits(analysis, basic, rng, lines={final})]
            propagate = "none"
        elif op == "compensating":                         # only edits whose expression comes back later
            pool = [e for basic in ("drop_factor", "double_factor", "flip_sign", "transpose", "swap_operands")
                    for e in edits(analysis, basic, rng) if final is not None and e.line < final
                    and _build(analysis, e, op, "", 0, "compensate") is not None]
            propagate = "compensate"
        else:
            pool = edits(analysis, op, rng)
            propagate = "all"
        rng.shuffle(pool)
        chosen, texts, used_lines = [], set(), set()
        for second_pass in (False, True):
            for edit in pool:
                if len(chosen) >= per_op:
                    break
                if edit in chosen or (not second_pass and edit.line in used_lines):
                    continue
                status, reason = confirm(analysis, edit)
                if status is None:
                    if not second_pass:
                        tally.discard(op, trace.problem, reason)
                    continue
                mutant = _build(analysis, edit, op, status, len(chosen), propagate)
                if mutant is None:
                    if not second_pass:
                        tally.discard(op, trace.problem, "nothing later to compensate it")
                    continue
                if mutant.text in texts:
                    continue
                assert len(mutant.lines) == len(trace.lines)
                chosen.append(edit)
                texts.add(mutant.text)
                used_lines.add(edit.line)
                tally.keep(op, trace.problem)
                out.append(mutant)
    return out


def make_mutants(traces: list, seed: int = 15, per_op: int = 3, operators=OPERATORS):
    """Mutants of every sound trace, and the tally of what was kept and discarded."""
    tally = Tally()
    out = []
    for trace in traces:
        if trace.sound:
            out.extend(mutants_of(trace, seed, per_op, operators, tally))
    return out, tally


# ---------------------------------------------------------------------------
# scoring (ProcessBench: the earliest wrong step, or none)
# ---------------------------------------------------------------------------
@dataclass
class Prediction:
    trace: Trace
    line: int | None             # the earliest WRONG step's own line (see aligned_line), None: no WRONG step
    raw_line: int | None         # StepCheck.line as the audit reports it
    span: tuple | None           # the lines that step's row covers
    statuses: dict               # status -> number of steps
    seconds: float
    reason: str = ""             # the audit's reason for its earliest WRONG step
    steps: list = field(default_factory=list)    # [(first line, last line, status, reason, text)] per step

    @property
    def correct(self) -> bool:
        if self.trace.sound:
            return self.line is None
        return self.span is not None and self.span[0] <= self.trace.wrong_line <= self.span[1]

    @property
    def raw_correct(self) -> bool:
        return self.raw_line is None if self.trace.sound else self.raw_line == self.trace.wrong_line


def _squash(text: str) -> str:
    text = re.sub(r"\\(?:text|textrm|textbf|mbox|mathrm)\{([^{}]*)\}", " ", text)
    return re.sub(r"[\s&$]|\\\\", "", text)


def aligned_line(step_line: int, step_text: str, trace_lines: list):
    """(first, last) line of the trace that hold a step's row. The audit reports the line where the
    row's text begins in its own scan, which for a display can be the `$$` / `\\[` line or the row
    before (after a `\\\\`); the row's own line is the first at or after it that holds the row's text."""
    target = _squash(step_text)
    if not target:
        return step_line, step_line
    lo = max(1, step_line)
    for size in (16, 10, 6, 3):
        head = target[:size].lstrip("=")
        if not head:
            continue
        for k in range(lo, min(len(trace_lines), lo + 40) + 1):
            if head in _squash(trace_lines[k - 1]):
                tail = target[-min(size, len(target)):]
                end = next((e for e in range(k, min(len(trace_lines), k + 40) + 1)
                            if tail in _squash("".join(trace_lines[k - 1:e]))), k)
                return k, end
    return step_line, step_line


def predict(audit, trace: Trace, seconds: float) -> Prediction:
    steps = [(*aligned_line(s.line, s.text, trace.lines), s.status, s.reason, s.text) for s in audit.steps]
    wrong = audit.earliest_wrong
    statuses = dict(audit.counts)
    if wrong is None:
        return Prediction(trace, None, None, None, statuses, seconds, steps=steps)
    span = aligned_line(wrong.line, wrong.text, trace.lines)
    return Prediction(trace, span[0], wrong.line, span, statuses, seconds, wrong.reason, steps)


OUTCOMES = ("exact", "earlier", "later", "missed")
STEP_VERDICTS = ("wrong", "ok", "given", "undecided", "not read")


def outcome(p: Prediction) -> str:
    """A flawed trace: exact | earlier (a false alarm before the error) | later (a consequence caught) | missed."""
    if p.correct:
        return "exact"
    if p.line is None:
        return "missed"
    return "earlier" if p.line < p.trace.wrong_line else "later"


def labelled_step(p: Prediction) -> str:
    """What the audit said about the wrong line itself: the worst status of the steps read there, or `not read`."""
    here = [s[2] for s in p.steps if s[0] <= p.trace.wrong_line <= s[1]]
    for status in ("wrong", "undecided", "ok", "given"):
        if status in here:
            return status
    return "not read"


def breakdown(predictions: list) -> dict:
    flawed = [p for p in predictions if not p.trace.sound]
    out = {k: sum(1 for p in flawed if outcome(p) == k) for k in OUTCOMES}
    out.update({f"step {k}": sum(1 for p in flawed if labelled_step(p) == k) for k in STEP_VERDICTS})
    return out


def run_audit(traces: list, bank=None, simulate: bool = True) -> list:
    """Audit every trace with dlcheck (imported here, not at module level: the reader above stays independent)."""
    import time

    from dlcheck.bank import Bank
    from dlcheck.reference import references, working_values
    from dlcheck.trace import audit_trace

    bank = bank or Bank()
    refs, out = {}, []
    for trace in traces:
        problem = bank.problem(trace.problem)
        if trace.problem not in refs:
            refs[trace.problem] = references(problem, bank)
        sim = (lambda settings, p=problem: working_values(p, bank, settings)) if simulate else None
        start = time.perf_counter()
        audit = audit_trace(problem, trace.text, refs[trace.problem], simulate=sim)
        out.append(predict(audit, trace, time.perf_counter() - start))
    return out


def metrics(predictions: list, raw: bool = False) -> dict:
    """ProcessBench's F1 (harmonic mean of exact earliest-line accuracy on flawed traces and the
    no-flag rate on sound ones) and trace-level precision / recall of "flawed"."""
    import statistics

    sound = [p for p in predictions if p.trace.sound]
    flawed = [p for p in predictions if not p.trace.sound]
    ok = (lambda p: p.raw_correct) if raw else (lambda p: p.correct)
    flagged = lambda p: p.line is not None                                     # noqa: E731
    acc_flawed = sum(map(ok, flawed)) / len(flawed) if flawed else None
    acc_sound = sum(map(ok, sound)) / len(sound) if sound else None
    f1 = (2 * acc_flawed * acc_sound / (acc_flawed + acc_sound) if acc_flawed is not None and acc_sound is not None
          and acc_flawed + acc_sound > 0 else (0.0 if acc_flawed is not None and acc_sound is not None else None))
    tp = sum(map(flagged, flawed))
    fp = sum(map(flagged, sound))
    recall = tp / len(flawed) if flawed else None
    precision = tp / (tp + fp) if tp + fp else None
    fpr = fp / len(sound) if sound else None
    balanced = recall / (recall + fpr) if recall is not None and fpr is not None and recall + fpr > 0 else None
    steps = sum(sum(p.statuses.values()) for p in predictions)
    undecided = sum(p.statuses.get("undecided", 0) for p in predictions)
    return {"sound": len(sound), "flawed": len(flawed), "exact": acc_flawed, "no_flag": acc_sound, "f1": f1,
            "precision": precision, "precision_balanced": balanced, "recall": recall,
            "exact_if_flagged": sum(map(ok, flawed)) / tp if tp else None,
            "undecided": undecided / steps if steps else None, "steps": steps,
            "median_ms": 1000 * statistics.median(p.seconds for p in predictions) if predictions else None}


def table(rows: list, title: str) -> str:
    """rows: [(label, metrics)] -> a fixed-width table."""
    cols = [("n flawed", "flawed", "{:d}"), ("F1", "f1", "{:.2f}"), ("exact", "exact", "{:.2f}"),
            ("no-flag", "no_flag", "{:.2f}"), ("prec", "precision", "{:.2f}"),
            ("prec(bal)", "precision_balanced", "{:.2f}"),
            ("recall", "recall", "{:.2f}"), ("exact|flag", "exact_if_flagged", "{:.2f}"),
            ("undecided", "undecided", "{:.2f}"), ("ms/trace", "median_ms", "{:.1f}")]
    width = max([len(title)] + [len(label) for label, _ in rows]) + 2
    out = [title.ljust(width) + "".join(f"{c[0]:>11}" for c in cols)]
    for label, m in rows:
        out.append(label.ljust(width) + "".join(f"{(c[2].format(m[c[1]]) if m[c[1]] is not None else '-'):>11}"
                                                 for c in cols))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# where the audit fails: a coarse kind per miss, for the audit's owner
# ---------------------------------------------------------------------------
_REASON_KINDS = [
    (r"^shapes: cannot (multiply|add|invert)", lambda m: f"shape clash on a correct expression (cannot {m.group(1)})"),
    (r"cannot read .*unexpected character '(.)'", lambda m: f"cannot read the character {m.group(1)!r}"),
    (r"cannot read .*unexpected '(.)'", lambda m: f"cannot read {m.group(1)!r} (e.g. 73{{,}}856)"),
    (r"derivative notation", lambda m: "derivative notation (∇, ∂) not read"),
    (r"an equation to solve", lambda m: "a false relation taken for an equation to solve"),
    (r"not equal if .* scalars|reading .* as scalars",
     lambda m: "letters the problem does not declare, read as scalars"),
    (r"with values not stated here", lambda m: "evaluates with values not stated here"),
    (r"^defines ", lambda m: "first statement of a name taken as its definition"),
    (r"^restates .* new case", lambda m: "restatement taken as a new case"),
    (r"^names it", lambda m: "a chain's last side taken as a new name"),
    (r"^arithmetic", lambda m: "arithmetic on values from elsewhere in the trace"),
    (r"every value is .*× the expected", lambda m: "off by a constant factor from the reference"),
    (r"does not satisfy", lambda m: "an equation the reference does not satisfy"),
    (r"cannot read", lambda m: "cannot read a side"),
]


def reason_kind(reason: str) -> str:
    for pattern, build in _REASON_KINDS:
        m = re.search(pattern, reason)
        if m:
            return build(m)
    words = re.sub(r"'[^']*'|\d+(?:\.\d+)?", "…", reason).split()
    return " ".join(words[:6])


def line_kind(line: str) -> str:
    """Why a line may go unread, by the benchmark's own look at it."""
    if re.search(r"≈|\\approx|≥|≤|>=|<=|\\geq?(?![A-Za-z])|\\leq?(?![A-Za-z])|(?<![-=])>|<", line):
        return "a row with ≈, ≥ or ≤ in it"
    if "$" not in line and not line.lstrip().startswith("\\"):
        words = {w for w in re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}(?![A-Za-z])", line)} - WORDS - {"eta", "lambda"}
        terse = {w for w in words if w.lower() in ("lam", "grad", "relu", "floor", "sqrt", "log", "odds", "hat")}
        if words and words <= terse | {"lam"}:
            return f"a plain line whose only words are names ({', '.join(sorted(words))})"
        if words:
            return "a plain line with a word in it (a label or a unit)"
        return "a plain line"
    if re.search(r"\\text\{[^}]*\}\s*&?=", line):
        return "a row whose left side is \\text{...}"
    return "a math row"


def failure_kind(p: Prediction) -> str | None:
    """None for a correct prediction, else a short description of what went wrong."""
    if p.correct:
        return None
    if p.trace.sound or outcome(p) == "earlier":
        return "false alarm: " + reason_kind(p.reason)
    verdict = labelled_step(p)
    here = [s for s in p.steps if s[0] <= p.trace.wrong_line <= s[1]]
    if verdict == "not read":
        return "wrong line not read: " + line_kind(p.trace.lines[p.trace.wrong_line - 1])
    reason = next((s[3] for s in here if s[2] == verdict), "")
    return f"wrong step {verdict}: " + reason_kind(reason)


def failures(predictions: list) -> list:
    """[(kind, count, shortest example)] most common first."""
    groups: dict = {}
    for p in predictions:
        kind = failure_kind(p)
        if kind:
            groups.setdefault(kind, []).append(p)
    out = []
    for kind, members in groups.items():
        example = min(members, key=lambda q: (len(q.trace.text), q.trace.id))
        out.append((kind, len(members), example))
    return sorted(out, key=lambda r: (-r[1], r[0]))
