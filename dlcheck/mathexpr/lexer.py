"""Tokens of plain math and homework LaTeX, with positions for error carets.

LaTeX is read directly (no rewriting pass): \\frac, \\sqrt, \\cdot, \\left( and
friends, Greek letters, \\tilde{x}, norms \\| \\lVert \\rVert, transposes ^T ^\\top
^{T} .T ᵀ, \\sum and \\prod with bounds, \\operatorname{tr}. Names are canonical:
w0, w_0, w_{0} and w₀ are all "w_0"; \\tilde{\\lambda}, λ̃ and lambda_tilde are all
"lambda_tilde". A run of letters (XX, Xw_0) stays one token: only the parser,
which knows the declared symbols, can split it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from dlcheck.mathexpr.names import GREEK, UNICODE_GREEK
from dlcheck.mathexpr.errors import ExprError

MAX_LENGTH = 2000
MAX_DIGITS = 50
MAX_DECORATION_DEPTH = 8      # \bm{\bm{…}}: each level is lexed by a nested call

# words that name a function, written plain (exp(x), tr(A)) or as LaTeX (\exp, \operatorname{tr})
FUNCTION_WORDS = {"exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs", "sin": "sin",
                  "cos": "cos", "tanh": "tanh", "sigmoid": "sigmoid", "max": "max", "min": "min",
                  "norm": "norm", "tr": "tr", "Tr": "tr", "trace": "tr", "tan": "tan", "cot": "cot",
                  "sec": "sec", "csc": "csc", "cosec": "csc", "sinh": "sinh", "cosh": "cosh", "asin": "asin",
                  "arcsin": "asin", "acos": "acos", "arccos": "acos", "atan": "atan", "arctan": "atan"}
_FUNC_COMMANDS = {"exp", "log", "ln", "sin", "cos", "tanh", "max", "min", "tr", "Tr", "tan", "cot", "sec", "csc",
                  "sinh", "cosh", "arcsin", "arccos", "arctan"}
_SKIP_COMMANDS = {"middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                  "quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits", "(", ")", "[", "]",
                  ",", ";", "!", ":", " "}
_DECORATIONS = {"tilde": "_tilde", "widetilde": "_tilde", "hat": "_hat", "widehat": "_hat", "bar": "_bar",
                "overline": "_bar"}
_STYLE_COMMANDS = {"mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "operatorname", "text", "textbf"}
_SIMPLE = {"cdot": ("op", "*"), "times": ("op", "*"), "ast": ("op", "*"), "div": ("op", "/"),
           "top": ("name", "T"), "intercal": ("name", "T"), "|": ("norm", "‖"), "lVert": ("norm", "\\lVert"),
           "rVert": ("norm", "\\rVert"), "Vert": ("norm", "‖"), "lvert": ("op", "|"), "rvert": ("op", "|"),
           "vert": ("op", "|"), "frac": ("frac", "frac"), "dfrac": ("frac", "frac"), "tfrac": ("frac", "frac"),
           "cfrac": ("frac", "frac"), "sqrt": ("sqrt", "sqrt"), "pi": ("name", "pi"), "{": ("op", "("),
           "}": ("op", ")"), "sum": ("bigop", "sum"), "prod": ("bigop", "prod")}
# standard commands we do not read, with what they are, so the message names them
_UNSUPPORTED = {"int": "an integral", "iint": "an integral", "oint": "an integral", "lim": "a limit",
                "partial": "a derivative", "nabla": "a gradient", "infty": "infinity", "det": "a determinant",
                "binom": "a binomial coefficient", "mathbb": "a set such as ℝ", "in": "set membership",
                "leq": "an inequality", "geq": "an inequality", "le": "an inequality", "ge": "an inequality",
                "neq": "an inequality", "approx": "≈", "to": "an arrow", "rightarrow": "an arrow",
                "cdots": "an ellipsis", "ldots": "an ellipsis", "dots": "an ellipsis", "star": "a star",
                "prime": "a prime", "odot": "an elementwise product", "otimes": "a Kronecker product",
                "circ": "a composition or elementwise product", "argmin": "an argmin", "argmax": "an argmax",
                "\\": "a line break"}
_UNICODE_OPS = {"·": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "÷": "/", "⋅": "*"}
_UNICODE_BIGOPS = {"∑": "sum", "∏": "prod"}
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "0123456789aeoxhklmnpstijruv"))
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
# one run of letters, digits and subscripts (w0, Xw_0, w_0Xw_0): the parser splits it into names
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*", re.ASCII)
# a subscript: _0, _{0}, and _{\text{opt}} (a subscript written as text)
_SUFFIX = re.compile(r"_(?:\{\s*\\(?:text|mathrm)\s*\{\s*(\w+)\s*\}\s*\}|\{\s*(\w+)\s*\}|([A-Za-z0-9]+))", re.ASCII)
_DIGITS = "0123456789"   # str.isdigit() also accepts ² and other scripts' digits
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# what may follow ^ to make a transpose: T (not Theta, Tau, T_1, T2), \top, \intercal, ⊤, \mathsf{T}
_T = r"(?:\\top|\\intercal|⊤|\\math(?:sf|rm|bf|it)\s*\{\s*T\s*\})"
_TRANSPOSE = re.compile(rf"\^\s*(?:\{{\s*(?:{_T}|T)\s*\}}|{_T}|T(?!heta|au|[0-9_]))")


@dataclass(frozen=True)
class Token:
    kind: str     # num, name, func, frac, sqrt, norm, transpose, bigop, op, end
    value: str
    pos: int


def canonical_name(raw: str) -> str:
    """w0, w_0, w_{0}, w₀ -> w_0; λ -> lambda; λ̃ -> lambda_tilde."""
    raw = raw.strip().replace("{", "").replace("}", "").replace(" ", "")
    tilde = "\u0303" in raw
    raw = raw.replace("\u0303", "")
    subscript = "".join(_SUBSCRIPTS.get(ch, "") for ch in raw)
    raw = "".join(UNICODE_GREEK.get(ch, ch) for ch in raw if ch not in _SUBSCRIPTS)
    raw = raw.lstrip("\\") + (f"_{subscript}" if subscript else "")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", raw)
    if m:
        raw = f"{m.group(1)}_{m.group(2)}"
    if tilde and not raw.endswith("_tilde"):
        raw += "_tilde"
    return raw


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExprError(f"too long ({len(text):,} characters; the limit is {MAX_LENGTH:,})")
    return _Lexer(text).run()


class _Lexer:
    def __init__(self, text: str, depth: int = 0):
        self.text = text
        self.depth = depth      # how many decorations (\tilde{…}, \mathbf{…}) enclose this text
        self.pos = 0
        self.out: list[Token] = []

    def fail(self, message: str, pos: int | None = None):
        raise ExprError(message, self.text, self.pos if pos is None else pos)

    def emit(self, kind: str, value: str, pos: int):
        self.out.append(Token(kind, value, pos))

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            start = self.pos
            if ch.isspace() or ch in "$~&":
                self.pos += 1
            elif ch == "\\":
                self.command()
            elif ch in _DIGITS or (ch == "." and text[self.pos + 1:self.pos + 2] in tuple(_DIGITS)):
                self.number()
            elif ch == "." and text[self.pos + 1:self.pos + 2] == "T" and not text[self.pos + 2:self.pos + 3].isalnum():
                self.emit("transpose", ".T", start)
                self.pos += 2
            elif ch.isascii() and ch.isalpha():
                self.pos = _IDENT.match(text, self.pos).end()
                self.name(text[start:self.pos], start)
            elif ch in UNICODE_GREEK:
                self.pos += 1
                self.name(UNICODE_GREEK[ch], start)
            elif ch in "ᵀ⊤":
                self.emit("transpose", "ᵀ", start)
                self.pos += 1
            elif ch in "‖":
                self.emit("norm", "‖", start)
                self.pos += 1
            elif ch in _SUPERSCRIPTS:
                self.superscript()
            elif ch in _SUBSCRIPTS:       # ‖v‖₂: a subscript after something other than a name
                sub = self.suffix()
                self.emit("op", "_", start)
                self.emit("num" if sub[1:].isdigit() else "name", sub[1:], start)
            elif ch == "√":
                self.emit("sqrt", "√", start)
                self.pos += 1
            elif ch in _UNICODE_BIGOPS:
                self.emit("bigop", _UNICODE_BIGOPS[ch], start)
                self.pos += 1
            elif ch in _UNICODE_OPS:
                self.emit("op", _UNICODE_OPS[ch], start)
                self.pos += 1
            elif text.startswith("**", self.pos):
                self.emit("op", "^", start)
                self.pos += 2
            elif text.startswith("||", self.pos):
                self.emit("norm", "‖", start)
                self.pos += 2
            elif ch == "^":
                self.caret()
            elif ch in "+-*/()[]{}=,|@_":
                self.emit("op", ch, start)
                self.pos += 1
            else:
                self.fail(f"unexpected character {ch!r}")
        self.emit("end", "", len(text))
        return self.out

    def number(self):
        start = self.pos
        m = _NUMBER.match(self.text, self.pos)
        digits, _, exponent = m.group().lower().partition("e")
        if len(digits.replace(".", "")) > MAX_DIGITS:
            self.fail(f"number with more than {MAX_DIGITS} digits")
        if exponent and abs(int(exponent)) > 300:
            self.fail(f"exponent e{exponent} is out of range (limit e±300)")
        self.emit("num", m.group(), start)
        self.pos = m.end()

    def name(self, name: str, start: int):
        """A name and what decorates it: a tilde (λ̃), a subscript (w_0, w_{0}, w₀)."""
        if self.text[self.pos:self.pos + 1] == "\u0303":
            self.pos += 1
            name += "_tilde"
        self.emit("name", name + self.suffix(), start)

    def suffix(self) -> str:
        """"_0" for _0, _{0} or ₀ at the current position (consumed), else ""."""
        m = _SUFFIX.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return "_" + next(g for g in m.groups() if g)
        end = self.pos
        while end < len(self.text) and self.text[end] in _SUBSCRIPTS:
            end += 1
        sub, self.pos = "".join(_SUBSCRIPTS[ch] for ch in self.text[self.pos:end]), end
        return f"_{sub}" if sub else ""

    def superscript(self):
        """x² x³ x⁻¹ x¹⁰: a power with a whole-number exponent."""
        start = end = self.pos
        while end < len(self.text) and self.text[end] in _SUPERSCRIPTS:
            end += 1
        exponent = "".join(_SUPERSCRIPTS[ch] for ch in self.text[start:end])
        if not re.fullmatch(r"[-+]?\d+", exponent):
            self.fail("a superscript must be a whole number (x², x⁻¹)")
        self.emit("op", "^", start)
        self.emit("num", exponent.lstrip("+"), start)
        self.pos = end

    def caret(self):
        """^T, ^\\top, ^{T}, ^{\\top}, ^⊤ are transposes; any other ^ is a power."""
        # a^Ta is aᵀa as in LaTeX, where ^ takes one character; ^Theta and ^Tau are not transposes
        m = _TRANSPOSE.match(self.text, self.pos)
        self.emit("transpose" if m else "op", "^T" if m else "^", self.pos)
        self.pos = m.end() if m else self.pos + 1

    def command(self):
        start = self.pos
        m = re.match(r"\\([A-Za-z]+|.)", self.text[self.pos:])
        if not m:
            self.fail("a lone backslash")
        name = m.group(1)
        self.pos += m.end()
        if name in ("left", "right"):
            self.sized_delimiter(name, start)
        elif name in _SKIP_COMMANDS:
            pass
        elif name in GREEK:
            self.name(name, start)
        elif name in ("epsilon", "varepsilon"):
            self.name("epsilon", start)
        elif name in _FUNC_COMMANDS:
            self.emit("func", FUNCTION_WORDS[name], start)
        elif name in _SIMPLE:
            kind, value = _SIMPLE[name]
            self.emit(kind, value, start)
        elif name in _DECORATIONS or name in _STYLE_COMMANDS:
            self.decorated(name, start)
        elif name == "begin":
            self.fail(_begin_message(self.text[self.pos:]), start)
        elif name in _UNSUPPORTED:
            self.fail(f"\\{name} ({_UNSUPPORTED[name]}) is not supported in a formula answer", start)
        else:
            self.fail(f"the LaTeX command \\{name} is not supported (dlcheck reads \\frac, \\sqrt, \\cdot, "
                      f"\\left( \\right), \\|…\\|, \\sum, Greek letters, \\exp, \\log, \\operatorname{{tr}}, …)",
                      start)

    def sized_delimiter(self, side: str, start: int):
        """\\left( is (, \\left. is nothing, and \\left\\| … \\right\\| is a norm whose two ends
        are told apart, so norms inside it read unambiguously (as with \\lVert … \\rVert)."""
        m = re.match(r"\s*(\\\||\\[lr]?Vert(?![A-Za-z])|‖|\|\||\.)", self.text[self.pos:])
        if m:
            self.pos += m.end()
            if m.group(1) != ".":
                self.emit("norm", "\\lVert" if side == "left" else "\\rVert", start)

    def decorated(self, command: str, start: int):
        """\\tilde{\\lambda} -> lambda_tilde; \\mathbf{X} -> X (style only); \\operatorname{tr} -> tr."""
        inner = self.argument()
        if self.depth >= MAX_DECORATION_DEPTH:
            self.fail(f"nested too deeply (more than {MAX_DECORATION_DEPTH} decorations such as "
                      f"\\{command}{{…}})", start)
        inner_tokens = _Lexer(inner, self.depth + 1).run()[:-1]
        single_name = len(inner_tokens) == 1 and inner_tokens[0].kind == "name"
        if command in _STYLE_COMMANDS and single_name and inner_tokens[0].value in FUNCTION_WORDS:
            self.emit("func", FUNCTION_WORDS[inner_tokens[0].value], start)   # \operatorname{tr}, \mathrm{exp}
            return
        if command in _STYLE_COMMANDS and not single_name:
            for tok in inner_tokens:  # \mathrm{d} x or \text{...}: keep the inside as it is
                self.out.append(Token(tok.kind, tok.value, start + 1 + tok.pos))
            return
        if not single_name:
            self.fail(f"\\{command} must decorate a single symbol", start)
        self.emit("name", inner_tokens[0].value + _DECORATIONS.get(command, "") + self.suffix(), start)

    def argument(self) -> str:
        """The text of a LaTeX argument: {…} (balanced) or one token (\\lambda, x)."""
        text = self.text
        while self.pos < len(text) and text[self.pos].isspace():
            self.pos += 1
        if text[self.pos:self.pos + 1] != "{":
            m = re.match(r"\\[A-Za-z]+|[A-Za-z]|.", text[self.pos:])
            inner = m.group() if m else ""
            self.pos += len(inner)
            return inner
        depth, end = 0, self.pos
        while end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        inner, self.pos = text[self.pos + 1:end], end + 1
        return inner


def _begin_message(rest: str) -> str:
    env = re.match(r"\s*\{(\w+\*?)\}", rest)
    name = env.group(1) if env else "…"
    if name.endswith("matrix"):
        return (f"\\begin{{{name}}}: explicit matrices are not read in a formula answer; "
                "write the formula with the problem's symbols (X, w_0, …)")
    return f"\\begin{{{name}}} is not supported in a formula answer: give one expression"
