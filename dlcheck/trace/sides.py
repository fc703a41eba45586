"""One side of a step -> a whitelisted tree plus the atoms the parser cannot
read by itself, or why it cannot be read.

Working is written more loosely than answers, so a side is prepared first
(`{,}` and `1,024` thousands, `lam~`, `w^*`, `3x3`, `⌊x⌋`, `\\text{…}`), then the
pieces mathexpr's parser has no node for are lifted out as *atoms*, each
replaced by a placeholder name the parser reads as one symbol:

    ∇L(w₀), grad L~, ∇_w(λ̃‖w‖²), ∇²L        gradients (numeric, in numeric.py)
    dL1/deta, \\frac{\\partial y}{\\partial F}, L'(α)  derivatives
    L(w₀ − ηg), relu(x), ⌊x⌋, r(eta)        function applications
    [0.8, 0.4], \\begin{bmatrix}…             vector and matrix literals
    total, naive ops, w₁(L2), w_1^{(a)}      names made of words or cases

Nothing here evaluates text: every piece ends in mathexpr's whitelisting
parser, and an atom's arguments are read the same way."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dlcheck.mathexpr import nodes as N
from dlcheck.mathexpr.context import GREEK, UNICODE_GREEK, MathContext, SymbolInfo
from dlcheck.mathexpr.errors import ExprError

BUILTINS = {"relu": "relu", "ReLU": "relu", "floor": "floor", "ceil": "ceil", "mean": "mean", "sum": "sum",
            "softmax": "softmax"}
# words that are mathematics, not prose (besides the problem's own names)
MATH_WORDS = set(GREEK) | {"exp", "log", "ln", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "max", "min", "norm",
                           "tr", "grad", "lam", "eps", "pi", "frac", "dfrac", "tfrac", "cdot", "times", "left",
                           "right", "top", "hat", "tilde", "bar", "mathbf", "mathrm", "text", "operatorname",
                           "boldsymbol", "bm", "sum", "prod", "partial", "nabla", "star", "ast", "begin", "end",
                           "bmatrix", "pmatrix", "matrix", "quad", "qquad", "big", "Big", "bigg", "Bigg", "lVert",
                           "rVert", "Vert", "lfloor", "rfloor", "lceil", "rceil", "boxed", "underbrace", "mathcal",
                           "approx", "displaystyle", "tfrac", "sigma", "varepsilon", "epsilon", "intercal", "bigl",
                           "bigr", "Bigl", "Bigr", "ldots", "cdots", "dots", "limits", "mathit", "mathsf", "textbf",
                           "textrm", "mbox", "widetilde", "widehat", "overline", "prime"} | set(BUILTINS)
_PLACEHOLDER = "Zq"
# commands an atom may start with (others, such as \\top or \\left, are the parser's)
_ATOM_COMMANDS = {"nabla", "frac", "dfrac", "tfrac", "tilde", "hat", "widetilde", "widehat", "partial", "bar", "mathrm"} | set(GREEK)
_STOPWORDS = {"is", "of", "by", "to", "in", "on", "at", "as", "if", "or", "an", "we", "be", "so", "it", "no", "vs"}
_MATRIX_ENV = re.compile(r"\\begin\{([bpvV]?matrix|array)\}(?:\{[^{}]*\})?(.*?)\\end\{\1\}", re.S)
_GREEK_WORDS = "|".join(sorted(GREEK, key=len, reverse=True))
_NAME = (r"(?:\\(?:tilde|hat|widetilde|widehat|bar)\s*\{\s*\\?[A-Za-z]+\s*\}|\\(?:tilde|hat)\s*\\?[A-Za-z]+"
         r"|\\[A-Za-z]+|(?:" + _GREEK_WORDS + r")(?![a-z])|[A-Za-zα-ωΑ-Ω]\d*)"
         r"(?:_\{[^{}]*\}|_[A-Za-z0-9]+|[₀-₉]+)?(?:\u0303)?")
_TERSE = [(r"(?<![A-Za-z\\])lam~|(?<![A-Za-z\\])lambda~|λ~", r"\\tilde{\\lambda}"),
          (r"(?<![A-Za-z\\])L~", r"\\tilde{L}"), (r"(?<![A-Za-z\\])lam(?:bda)?(?![A-Za-z~])", r"\\lambda "),
          (r"(?<![A-Za-z\\])eps(?![A-Za-z])", r"\\epsilon "), (r"ŵ", r"\\hat{w}"), (r"L̃|\\mathcal\{L\}\u0303", r"\\tilde{L}"),
          (r"\\mathcal\{L\}", "L"), (r"\\varepsilon", r"\\epsilon"), (r"\\lambda_\{?t\}?(?![A-Za-z])", r"\\tilde{\\lambda}")]
_STYLE = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathit|mathsf)\s*\{([^{}]*)\}")
_STAR = re.compile(r"(?<=[A-Za-z0-9}α-ω])(?:\s*\^\s*\{\s*(?:\*|\\ast|\\star)\s*\}|\s*\^\s*(?:\*|\\ast|\\star)"
                   r"|_\s*\{\s*(?:\*|\\ast)\s*\}|_\s*\*|\*(?=\s*(?:$|[=),\]/:])|\s+[A-Za-z(\\]))")   # w*, η*/n; not n * X
# a function's name set as a word: \text{Log}, \mathrm{exp}, \operatorname{ln}
_FUNCTION_WORD = re.compile(r"\\(?:text|textrm|mathrm|operatorname)\s*\{\s*(log|ln|exp|sin|cos|tanh)\s*\}|"
                            r"(?<![\\A-Za-z])(Log|LOG|Ln|Exp)(?=\s*(?:\\left\s*)?\()", re.I)
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:,\d{3})+|(?:,\d{2})+,\d{3})(?![\d])(?!\.\d)")   # 1,024; 1,22,304


@dataclass
class Atom:
    kind: str                   # literal | apply | grad | deriv | name
    key: str                    # as the working names it: "∇L(w_0)", "dL_1/deta", "total"
    func: str = ""              # apply: the function; grad/deriv: the function or name differentiated
    args: tuple = ()            # apply: argument Sides; grad/deriv: the point (Sides) when written
    wrt: str = ""               # the variable of a derivative ("" for ∇ without a subscript)
    order: int = 1
    body: object = None         # grad/deriv of an expression: its Side; literal: rows of entry Sides


@dataclass
class Side:
    text: str
    tree: object = None                         # a whitelisted tree over names and placeholders
    atoms: dict = field(default_factory=dict)   # placeholder -> Atom
    error: str = ""                             # why it cannot be read
    key: str | None = None                      # the name it states, when it is one
    params: tuple = ()                          # L(w) as a head: ("w",)
    words: bool = False                         # made of words only ("naive ops"): a label-name

    @property
    def readable(self) -> bool:
        return self.tree is not None

    def names(self) -> set:
        """Every name the side uses, inside atoms too (placeholders excluded)."""
        if self.tree is None:
            return set()
        out = {n for n in N.symbols(self.tree) if not n.startswith(_PLACEHOLDER + "_")}
        for atom in self.atoms.values():
            out |= atom_names(atom)
        return out


def atom_names(atom: Atom) -> set:
    out = set()
    if atom.kind == "name":
        out.add(atom.key)
    if atom.kind in ("apply", "grad", "deriv") and atom.func:
        out.add(atom.func)
    for side in (*atom.args, *( [atom.body] if isinstance(atom.body, Side) else [])):
        out |= side.names()
    if atom.kind == "literal":
        for row in atom.body:
            for cell in row:
                out |= cell.names()
    return out


# -- preparing the text ------------------------------------------------------------
def matrix_literal(body: str) -> str:
    """\\begin{bmatrix} 2 \\\\ 1 \\end{bmatrix} -> [[2], [1]]; one row -> [[2, 1]] (a row)."""
    rows = [r for r in (row.strip() for row in re.split(r"\\\\(?:\[[^\]]*\])?", body)) if r]
    cells = [[c.strip() for c in row.split("&")] for row in rows]
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in cells) + "]"


def prepare(text: str) -> str:
    """Loose spellings of working -> what the parser and the atom finder read."""
    text = _MATRIX_ENV.sub(lambda m: matrix_literal(m.group(2)), text)
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u00a0", " ").replace("{,}", "")
    text = re.sub(r"\\(?:[,;:! ]|q?quad(?![A-Za-z])|displaystyle|textstyle)", " ", text)
    text = re.sub(r"\\(?:text|textbf|textrm|mbox)\s*\{\s*\}", " ", text)
    text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)
    text = _STYLE.sub(r" \1", text)
    text = _FUNCTION_WORD.sub(lambda m: "\\" + (m.group(1) or m.group(2)).lower() + " ", text)   # \text{Log}(…) is log(…)
    text = re.sub(r"\\(?:mathrm|operatorname)\s*\{\s*([A-Za-z]{2,})\s*\}", r" \1", text)   # \mathrm{ReLU}
    text = re.sub(r"\\mathrm\s*\{\s*d\s*\}", "d", text)
    for pattern, repl in _TERSE:
        text = re.sub(pattern, repl, text)
    text = _STAR.sub("_star ", text)
    # a/bᵀb and gᵀg/gᵀHg: a quadratic form after "/" is the whole denominator
    text = re.sub(r"/\s*(\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*(?:\^\s*\{?\s*(?:T|\\top)\s*\}?|ᵀ)(?:\s*\\?[A-Za-z]+(?:_\{?\w+\}?)?(?![(\w]))+)(?=\s*(?:$|[-+=),]))",
                  lambda m: "/(" + m.group(1) + ")", text)
    text = re.sub(r"(?<=[A-Za-z])_\{\s*(-?\d+)\s*,\s*(-?\d+)\s*\}",
                  lambda m: "_{" + m.group(1).replace("-", "m") + "_" + m.group(2).replace("-", "m") + "}", text)  # X_{1,1}
    text = re.sub(r"(?<=[A-Za-z])_\{\s*([A-Za-z0-9]+)\s*([+-])\s*([A-Za-z0-9]+)\s*\}",
                  lambda m: f"_{{{m.group(1)}{'plus' if m.group(2) == '+' else 'minus'}{m.group(3)}}}", text)   # w_{k+1}
    text = re.sub(r"(?<=\d)x(?=[\d(])|(?<=\d)\s*×\s*(?=[\d(])", "*", text)     # 3x3, 32 × 32, 32x(…), not 0.05 x1
    text = re.sub(r"\\lfloor|⌊", " floor(", text)
    text = re.sub(r"\\rfloor|⌋", ")", text)
    text = re.sub(r"\\lceil|⌈", " ceil(", text)
    text = re.sub(r"\\rceil|⌉", ")", text)
    text = re.sub(r"(?<=\d)\s*\\?%", "/100", text)
    text = _unwrap(text, "boxed", lambda a: "(" + a + ")")
    text = _underbraces(text)
    text = re.sub(r"\\(?:left|right)\s*\.", " ", text)
    text = re.sub(r"\\(?:bigl|bigr|Bigl|Bigr|big|Big|bigg|Bigg)(?![A-Za-z])", "", text)
    text = re.sub(r"\\(?:cdots|ldots|dots)", " … ", text)
    return " ".join(text.split()).strip(" .,;:")


def _group(text: str, i: int):
    """The balanced {...} at text[i:] (after spaces) -> (inside, end), else a single token."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return None, i
    if text[i] == "{":
        depth = 0
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                return text[i + 1:j], j + 1
        return None, i
    m = re.match(r"\\[A-Za-z]+|.", text[i:])
    return m.group(), i + m.end()


def _unwrap(text: str, command: str, build) -> str:
    for _ in range(20):
        m = re.search(r"\\" + command + r"(?![A-Za-z])", text)
        if not m:
            return text
        inner, end = _group(text, m.end())
        if inner is None:
            return text
        text = text[:m.start()] + build(inner) + text[end:]
    return text


def _underbraces(text: str) -> str:
    """\\underbrace{A}_{label} -> (A): the label is a remark."""
    for _ in range(20):
        m = re.search(r"\\underbrace(?![A-Za-z])", text)
        if not m:
            return text
        inner, end = _group(text, m.end())
        if inner is None:
            return text
        label = re.match(r"\s*_\s*", text[end:])
        if label:
            _, end = _group(text, end + label.end())
        text = text[:m.start()] + "(" + inner + ")" + text[end:]
    return text


def _balanced(text: str, i: int, opener: str = "(", closer: str = ")") -> int | None:
    """Index just past the bracket that closes the one at text[i]."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == opener:
            depth += 1
        elif text[j] == closer:
            depth -= 1
            if depth == 0:
                return j + 1
    return None


def _bracket_at(text: str, i: int):
    """(inside, end) of a bracket group starting at text[i]: (…), [...], {…}, \\left(…\\right)."""
    m = re.match(r"\\left\s*([(\[]|\\\{|\\\||\\lVert)", text[i:])
    if m:
        depth, j = 0, i
        while j < len(text):
            if text.startswith("\\left", j):
                depth += 1
                j += 5
                continue
            if text.startswith("\\right", j):
                depth -= 1
                if depth == 0:
                    close = re.match(r"\\right\s*(\)|\]|\\\}|\\\||\\rVert)", text[j:])
                    end = j + (close.end() if close else 6)
                    inner = text[i + m.end():j]
                    return (("\\|" + inner + "\\|") if m.group(1) in ("\\|", "\\lVert") else inner), end, m.group(1)
                j += 6
                continue
            j += 1
        return None
    if i < len(text) and text[i] in "([{":
        end = _balanced(text, i, text[i], {"(": ")", "[": "]", "{": "}"}[text[i]])
        if end is not None:
            return text[i + 1:end - 1], end, text[i]
    return None


# -- reading -------------------------------------------------------------------------
class SideReader:
    """Reads sides for one trace: knows the problem's names (so `XX` is X·X and
    `NICk` is NIC·k), the functions the working and the problem define (so
    `L(w₀)` applies L while `X(Xw − t)` multiplies), and the word-names the
    working has introduced (`total`, `naive ops`)."""

    def __init__(self, ctx: MathContext, functions=(), words=()):
        self.base = ctx
        self.functions = set(functions)         # names applied to arguments: L, r, L_1, L_tilde
        self.word_names = set(words)            # multi-letter names made of words: total, weights
        self._cache: dict = {}

    def known_words(self) -> set:
        return {w for name in self.word_names for w in re.findall(r"[A-Za-z]+", name)}

    def read(self, raw: str) -> Side:
        if raw in self._cache:
            return self._cache[raw]
        side = self._read(raw)
        self._cache[raw] = side
        return side

    def _read(self, raw: str) -> Side:
        text = prepare(raw)
        side = Side(raw)
        if not text:
            side.error = "empty"
            return side
        if len(text) > 1500:
            side.error = "too long"
            return side
        if self.is_word_name(text):
            key = word_key(text)
            side.tree, side.key, side.words = N.Sym(self._placeholder(side, Atom("name", key))), key, True
            return side
        try:
            body = _Lifter(self, side).lift(text)
            side.tree = self.parse(body, side)
        except (ExprError, RecursionError, _Refused) as exc:
            side.error = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
            side.tree = None
            return side
        self._key(side)
        return side

    def parse(self, text: str, side: Side):
        from dlcheck.mathexpr.parser import parse

        symbols = dict(self.base.symbols)
        for name in side.atoms:
            symbols[name] = SymbolInfo(name)
        ctx = MathContext(symbols, {k: v for k, v in self.base.aliases.items()}, dict(self.base.dims), (), True)
        for alias in ctx.aliases:
            ctx.symbols.setdefault(alias, SymbolInfo(alias))
        ctx.aliases = {}
        words = _words(text, self.base, self.known_words())
        if words:
            raise _Refused(f"words in the mathematics ({', '.join(words[:3])})")
        return parse(text, ctx)

    def is_word_name(self, text: str) -> bool:
        """`total`, `naive ops`, `CNN neurons`, `connections per unit`: a name made of words."""
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\- ]*", text) or len(text) > 60 or re.search(r"\s-|-\s", text):
            return False                         # "Xw0 - t" is a difference, "log-odds" a word
        if not re.search(r"[a-z]{3,}", text):
            return False                         # a word-name has a word in it: total, CNN neurons, dense128
        if text in self.base.symbols or text in self.base.aliases:
            return False
        pieces = [p.split("_")[0] for p in text.replace("-", " ").split()]
        return word_key(text) in self.word_names or any(
            len(p) >= 3 and p.lower() not in MATH_WORDS and not _segments_into_names(p, self.base) for p in pieces)

    def _placeholder(self, side: Side, atom: Atom) -> str:
        name = f"{_PLACEHOLDER}_{len(side.atoms) + 1}"
        side.atoms[name] = atom
        return name

    def _key(self, side: Side) -> None:
        """The name a side states when it is one: a symbol, a word-name, a head `L(w)`, `∇L(w₀)`, `dL/dη`."""
        tree = side.tree
        if isinstance(tree, N.Sym):
            atom = side.atoms.get(tree.name)
            if atom is None:
                side.key = tree.name
            elif atom.kind == "name":
                side.key = atom.key
            elif atom.kind == "apply" and atom.func not in BUILTINS.values():
                params = [a.key for a in atom.args]
                if all(p is not None and not a.atoms for p, a in zip(params, atom.args)):
                    side.key, side.params = atom.func, tuple(params)
            elif atom.kind == "grad" and atom.func and atom.body is None and "_" not in atom.wrt:
                plain = [a.key for a in atom.args]
                if all(p is not None and not a.atoms for p, a in zip(plain, atom.args)):
                    side.key, side.params = "∇" + atom.func, tuple(plain)     # ∇L(w₀) states ∇L at w₀
            elif atom.kind == "deriv" and atom.func and atom.args:
                plain = [a.key for a in atom.args]
                if all(p is not None and not a.atoms for p, a in zip(plain, atom.args)):
                    side.key, side.params = atom.func + "'" * atom.order, tuple(plain)   # L'(α)
            elif atom.kind in ("grad", "deriv"):
                side.key = atom.key


class _Refused(Exception):
    pass


def word_key(text: str) -> str:
    """One key for a name made of words, however spaced or capitalised: `CNN neurons`,
    `cnn  neurons` and the spec's `CNNneurons` are all `cnnneurons`."""
    return loose("".join(text.replace("-", " ").split()))


def loose(name: str) -> str:
    return name.lower() if re.fullmatch(r"[A-Za-z][A-Za-z0-9]+", name) else name


def _segments_into_names(run: str, ctx: MathContext) -> bool:
    """Xw, XX, NICk, eta: a run of letters read as names side by side; `total` or `params`
    (three or more single letters, or more than two in a longer run) is a word."""
    names = sorted({n for n in (*ctx.symbols, *ctx.aliases, *GREEK) if len(n) > 1 and n.isalpha()},
                   key=len, reverse=True)
    i, pieces, singles = 0, 0, 0
    while i < len(run):
        name = next((n for n in names if run.startswith(n, i)), None)
        i += len(name) if name else 1
        pieces += 1
        singles += name is None
    return not ((len(run) >= 3 and singles == pieces) or (len(run) >= 4 and singles > 2))


def _words(text: str, ctx: MathContext, extra: set) -> list:
    """Runs of letters that are prose in a side (not commands, names or functions)."""
    out = []
    for m in re.finditer(r"(?<![\\A-Za-z])[A-Za-z]{2,}(?![A-Za-z])", text):
        run = m.group()
        if text[max(0, m.start() - 1):m.start()] == "_" or run.startswith(_PLACEHOLDER):
            continue
        if run in MATH_WORDS or run.lower() in MATH_WORDS or run in extra or run in ctx.symbols or run in ctx.aliases:
            continue
        if len(run) == 2:
            if run.lower() in _STOPWORDS:
                out.append(run)
            continue
        if _segments_into_names(run, ctx):
            continue
        out.append(run)
    return out


class _Lifter:
    """Replaces, left to right, what the parser has no node for by placeholders."""

    def __init__(self, reader: SideReader, side: Side):
        self.reader = reader
        self.side = side

    def lift(self, text: str) -> str:
        out, i = [], 0
        while i < len(text):
            found = self._at(text, i)
            if found is None:
                out.append(text[i])
                i += 1
                continue
            atom, end = found
            out.append(" " + self.reader._placeholder(self.side, atom) + " ")
            i = end
        return "".join(out)

    def _at(self, text: str, i: int):
        """(atom, end) for an atom starting at text[i], else None."""
        if i > 0 and (text[i - 1] in "^_" or text[i].isalpha() and (text[i - 1].isalpha() or text[i - 1] == "\\")):
            return None              # inside a run of letters, a command, a subscript or a superscript
        command = re.match(r"\\([A-Za-z]+)", text[i:])
        if command and command.group(1) not in _ATOM_COMMANDS:
            return None
        for finder in (self._leibniz_frac, self._leibniz_plain, self._gradient, self._case_name, self._prime,
                       self._application, self._literal, self._word_name):
            found = finder(text, i)
            if found is not None:
                return found
        return None

    # derivatives ------------------------------------------------------------------
    def _leibniz_frac(self, text, i):
        m = re.match(r"\\[dt]?frac(?![A-Za-z])", text[i:])
        if not m:
            return None
        top, mid = _group(text, i + m.end())
        bottom, end = _group(text, mid) if top is not None else (None, mid)
        if top is None or bottom is None:
            return None
        d = r"(?:d|\\partial|∂)"
        num = re.fullmatch(r"\s*" + d + r"\s*(?:\^\s*\{?\s*(\d)\s*\}?)?\s*(.*?)\s*", top)
        den = re.fullmatch(r"\s*" + d + r"\s*(" + _NAME + r")\s*(?:\^\s*\{?\s*\d\s*\}?)?\s*", bottom)
        if not num or not den:
            return None
        order = int(num.group(1) or 1)
        wrt = _canonical(den.group(1))
        of = num.group(2).strip()
        if not of:                                     # \frac{d}{d\eta}(...): an operator on what follows
            group = _bracket_at(text, _skip(text, end))
            if group is None:
                return None
            inner, end, _ = group
            body = self.reader.read(inner)
            return Atom("deriv", f"d({_short(inner)})/d{wrt}", "", (), wrt, order, body), end
        return self._derivative_of(of, wrt, order), end

    def _leibniz_plain(self, text, i):
        m = re.match(r"(d|∂|\\partial(?![A-Za-z]))\s*(?:\^?\s*\{?([2²])\}?)?\s*(" + _NAME + r"(?:\s\d(?!\d))?)\s*/\s*"
                     r"(d|∂|\\partial(?![A-Za-z]))\s*(" + _NAME + r")(?:\s*\^?\s*\{?[2²]\}?)?(?![A-Za-z(])", text[i:])
        if not m or (m.group(1) == "d" and i > 0 and text[i - 1].isalpha()):
            return None
        of = m.group(3).replace(" ", "")             # ∂w 1/∂η: w1
        if of in ("d", "∂"):
            return None
        order = 2 if m.group(2) else 1
        return self._derivative_of(of, _canonical(m.group(5)), order), i + m.end()

    def _derivative_of(self, of: str, wrt: str, order: int) -> Atom:
        name = _canonical(of)
        key = f"d{'^2' if order == 2 else ''}{name}/d{wrt}{'^2' if order == 2 else ''}"
        if re.fullmatch(r"[A-Za-z]+(?:_[A-Za-z0-9]+)?(?:_tilde)?", name):
            return Atom("deriv", key, name, (), wrt, order)
        return Atom("deriv", key, "", (), wrt, order, self.reader.read(of))

    def _gradient(self, text, i):
        m = re.match(r"(?:\\nabla|∇|grad(?![A-Za-z]))\s*(?:_\s*(\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z](?:_?\d)?|\\[A-Za-z]+))?"
                     r"\s*(\^\s*\{?\s*2\s*\}?|²)?\s*", text[i:])
        if not m:
            return None
        wrt = _canonical(m.group(1)[1:-1] if m.group(1) and m.group(1).startswith("{") else m.group(1) or "")
        order = 2 if m.group(2) else 1
        j = i + m.end()
        group = _bracket_at(text, j)
        if group is not None:                        # ∇(λ̃‖w‖²), ∇_w\left(…\right)
            inner, end, opener = group
            return Atom("grad", f"∇{'²' if order == 2 else ''}({_short(inner)})", "", (), wrt, order,
                        self.reader.read(inner)), end
        norm = re.match(r"(‖[^‖]+‖|\\\|.+?\\\|)((?:_\s*\{?2\}?)?(?:\^\s*\{?2\}?|²)?)", text[j:])
        if norm:
            inner = norm.group(0)
            return Atom("grad", f"∇({_short(inner)})", "", (), wrt, order, self.reader.read(inner)), j + norm.end()
        name = re.match(_NAME, text[j:])
        if not name:
            return None
        func = _canonical(name.group())
        end = j + name.end()
        args = ()
        call = _bracket_at(text, end) if end < len(text) and text[end] in "(" or text.startswith("\\left(", end) else None
        if call is not None and call[2] in ("(",):
            args = tuple(self.reader.read(a) for a in _split_args(call[0]))
            end = call[1]
        component = f"_{{{wrt}}}" if "_" in wrt else ""        # ∇_{w_{1,0}}L: one partial, not ∇L
        key = f"∇{component}{'²' if order == 2 else ''}{func}" + (f"({_point_key(args)})" if args else "")
        return Atom("grad", key, func, args, wrt, order), end

    def _prime(self, text, i):
        m = re.match(r"(" + _NAME + r")('+|′+)\s*(?=\(|\\left\()", text[i:])
        if not m:
            return None
        func = _canonical(m.group(1))
        call = _bracket_at(text, i + m.end())
        if call is None:
            return None
        args = tuple(self.reader.read(a) for a in _split_args(call[0]))
        order = len(m.group(2))
        return Atom("deriv", f"{func}{chr(39) * order}({_point_key(args)})", func, args, "", order), call[1]

    # applications and names ---------------------------------------------------------
    def _application(self, text, i):
        m = re.match(r"(" + _NAME + r"|[A-Za-z]{2,}(?:_\{?[A-Za-z0-9]+\}?)?)\s*(?=\(|\\left\()", text[i:])
        if not m:
            return None
        written = m.group(1)
        name = _canonical(written)
        builtin = BUILTINS.get(written.lstrip("\\"))
        if builtin is None and name not in self.reader.functions:
            return None
        if name in self.reader.base.symbols and self.reader.base.info(name).is_matrix:
            return None
        call = _bracket_at(text, i + m.end())
        if call is None:
            return None
        args = tuple(self.reader.read(a) for a in _split_args(call[0]))
        func = builtin or name
        return Atom("apply", f"{func}({_point_key(args)})", func, args), call[1]

    def _case_name(self, text, i):
        """w_1^{(a)}, w_1^{\\mathrm{L2}}, w₁(L2), w₁(WD): one name per case."""
        m = re.match(r"(" + _NAME + r")\s*(?:\^\s*\{\s*(?:\(([A-Za-z0-9]+)\)|\\(?:mathrm|text)\s*\{\s*([A-Za-z0-9]+)\s*\}"
                     r"|([A-Z]{2,}[0-9]?|[A-Z][0-9]))\s*\}|\(\s*([A-Z]{2,}[0-9]?|[A-Z][0-9])\s*\))", text[i:])
        if not m:
            return None
        case = next(g for g in m.groups()[1:] if g)
        if case in self.reader.base.symbols or case in self.reader.functions:
            return None
        return Atom("name", f"{_canonical(m.group(1))}^({case})"), i + m.end()

    def _literal(self, text, i):
        tuple_ = text[i] == "(" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_}^'"))
        if not (text[i] == "[" or tuple_) or (i > 0 and text[i - 1] in "_^"):
            return None
        group = _bracket_at(text, i)
        if group is None:
            return None
        inner, end, opener = group
        if opener == "(" and len(_split_args(inner)) < 2:
            return None                             # a bracket, not a tuple (498, 16)
        rows = _literal_rows(inner)
        if rows is None:
            return None
        cells = tuple(tuple(self.reader.read(c) for c in row) for row in rows)
        if any(not c.readable for row in cells for c in row):
            bad = next(c for row in cells for c in row if not c.readable)
            raise _Refused(f"cannot read an entry of the list: {bad.error}")
        return Atom("literal", "[" + _short(inner) + "]", body=cells), end

    def _word_name(self, text, i):
        for name in sorted(self.reader.word_names, key=len, reverse=True):
            if " " not in name and not re.fullmatch(r"[A-Za-z]{3,}\w*", name):
                continue
            m = re.match(re.escape(name).replace(r"\ ", r"\s+") + r"(?![A-Za-z0-9_])", text[i:], re.I)
            if m:
                return Atom("name", name), i + m.end()
        return None


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] == " ":
        i += 1
    return i


def _split_args(inner: str) -> list:
    """a, b at the top level of an argument list."""
    out, depth, start = [], 0, 0
    for j, ch in enumerate(inner):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(inner[start:j])
            start = j + 1
    out.append(inner[start:])
    return [a.strip() for a in out if a.strip()]


def _literal_rows(inner: str):
    """[0.8, 0.4] -> [[0.8], [0.4]] (a column); [[2,1],[3,4]] -> rows; [2 1], [2\\ \\ 1] -> a column;
    None for a bracket that groups (1024·[256·320 + …])."""
    inner = inner.strip()
    if inner.startswith("[") and inner.endswith("]"):
        rows = []
        for part in _split_args(inner):
            if not (part.startswith("[") and part.endswith("]")):
                return None
            rows.append(_split_args(part[1:-1]))
        if rows and all(len(r) == len(rows[0]) and r for r in rows):
            return rows
        return None
    parts = _split_args(inner)
    if len(parts) >= 2:
        return [[p] for p in parts]
    spaced = inner.split()
    if len(spaced) >= 2 and all(re.fullmatch(r"[-+]?\d+(?:\.\d+)?(?:/\d+)?", p) for p in spaced):
        return [[p] for p in spaced]
    return None


def _canonical(written: str) -> str:
    from dlcheck.mathexpr.lexer import canonical_name

    written = written.strip()
    tilde = "\u0303" in written or re.match(r"\\(?:wide)?tilde", written) is not None
    hat = re.match(r"\\(?:wide)?hat", written) is not None
    written = re.sub(r"\\(?:tilde|widetilde|hat|widehat|bar)\s*\{?\s*(\\?[A-Za-z]+)\s*\}?", r"\1", written)
    name = canonical_name(written.replace("\u0303", "").replace("\\", ""))
    name = "".join(UNICODE_GREEK.get(ch, ch) for ch in name)
    base, _, sub = name.partition("_")
    for flag, mark in ((tilde, "tilde"), (hat, "hat")):
        if flag and mark not in name:
            name = f"{base}_{mark}" + (f"_{sub}" if sub else "")
    return name


def _point_key(args) -> str:
    return ",".join(a.key if a.key and not a.atoms else "".join(a.text.split()) for a in args)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
