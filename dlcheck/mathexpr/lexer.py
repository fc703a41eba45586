"""Tokens of plain math and homework LaTeX, with positions for error carets.

LaTeX is read directly (no rewriting pass): \\frac, \\sqrt, \\cdot, \\left( and
friends, Greek letters, \\tilde{x}, norms \\| \\lVert \\rVert, transposes ^T ^\\top
^{T} .T ᵀ. Names are canonical: w0, w_0 and w_{0} are all "w_0"; \\tilde{\\lambda},
λ̃ and lambda_tilde are all "lambda_tilde"."""
from __future__ import annotations

import re
from dataclasses import dataclass

from dlcheck.mathexpr.context import GREEK, UNICODE_GREEK
from dlcheck.mathexpr.errors import ExprError

MAX_LENGTH = 2000
MAX_DIGITS = 50
MAX_DECORATION_DEPTH = 8      # \bm{\bm{…}}: each level is lexed by a nested call

_FUNC_COMMANDS = {"exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tanh": "tanh",
                  "max": "max", "min": "min"}
_SKIP_COMMANDS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                  "quad", "qquad", "displaystyle", "limits"}
_DECORATIONS = {"tilde": "_tilde", "widetilde": "_tilde", "hat": "_hat", "widehat": "_hat", "bar": "_bar",
                "overline": "_bar"}
_STYLE_COMMANDS = {"mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "operatorname", "text", "textbf"}
_SIMPLE = {"cdot": ("op", "*"), "times": ("op", "*"), "ast": ("op", "*"), "top": ("name", "T"),
           "intercal": ("name", "T"), "|": ("norm", "‖"), "lVert": ("norm", "‖"), "rVert": ("norm", "‖"),
           "Vert": ("norm", "‖"), "lvert": ("op", "|"), "rvert": ("op", "|"), "vert": ("op", "|"),
           "frac": ("frac", "frac"), "dfrac": ("frac", "frac"), "tfrac": ("frac", "frac"),
           "sqrt": ("sqrt", "sqrt"), "pi": ("name", "pi"), "{": ("op", "("), "}": ("op", ")")}
_UNICODE_OPS = {"·": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "÷": "/", "⋅": "*"}
_IDENT = re.compile(r"[A-Za-z]+\d+(?![A-Za-z_])|[A-Za-z]+(?:_(?:\{\s*[A-Za-z0-9]+\s*\}|[A-Za-z0-9]+))?", re.ASCII)
_DIGITS = "0123456789"   # str.isdigit() also accepts ² and other scripts' digits
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


@dataclass(frozen=True)
class Token:
    kind: str     # num, name, func, frac, sqrt, norm, transpose, op, end
    value: str
    pos: int


def canonical_name(raw: str) -> str:
    """w0, w_0, w_{0} -> w_0; λ -> lambda; λ̃ -> lambda_tilde."""
    raw = raw.strip().replace("{", "").replace("}", "").replace(" ", "")
    tilde = raw.endswith("\u0303") or "\u0303" in raw
    raw = raw.replace("\u0303", "")
    raw = "".join(UNICODE_GREEK.get(ch, ch) for ch in raw)
    raw = raw.lstrip("\\")
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
            elif ch in _DIGITS or (ch == "." and text[self.pos + 1:self.pos + 2] in _DIGITS and text[self.pos + 1:self.pos + 2]):
                m = _NUMBER.match(text, self.pos)
                digits, _, exponent = m.group().lower().partition("e")
                if len(digits.replace(".", "")) > MAX_DIGITS:
                    self.fail(f"number with more than {MAX_DIGITS} digits")
                if exponent and abs(int(exponent)) > 300:
                    self.fail(f"exponent e{exponent} is out of range (limit e±300)")
                self.emit("num", m.group(), start)
                self.pos = m.end()
            elif ch == "." and text[self.pos + 1:self.pos + 2] == "T" and not text[self.pos + 2:self.pos + 3].isalnum():
                self.emit("transpose", ".T", start)
                self.pos += 2
            elif ch.isascii() and ch.isalpha():
                m = _IDENT.match(text, self.pos)
                self.pos = m.end()
                name = m.group()
                if self.text[self.pos:self.pos + 1] == "\u0303":
                    name += "\u0303"
                    self.pos += 1
                self.emit("name", name, start)
            elif ch in UNICODE_GREEK:
                self.greek(ch, start)
            elif ch == "ᵀ":
                self.emit("transpose", "ᵀ", start)
                self.pos += 1
            elif ch in "‖":
                self.emit("norm", "‖", start)
                self.pos += 1
            elif ch in "⁻¹²³":
                self.superscript()
            elif ch == "√":
                self.emit("sqrt", "sqrt", start)
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

    def greek(self, ch: str, start: int):
        self.pos += 1
        name = UNICODE_GREEK[ch]
        if self.text[self.pos:self.pos + 1] == "\u0303":
            self.pos += 1
            name += "_tilde"
        m = re.match(r"_(?:\{\s*([A-Za-z0-9]+)\s*\}|([A-Za-z0-9]+))", self.text[self.pos:])
        if m:
            name += "_" + (m.group(1) or m.group(2))
            self.pos += m.end()
        self.emit("name", name, start)

    def superscript(self):
        start = self.pos
        if self.text.startswith("⁻¹", self.pos):
            self.emit("op", "^", start)
            self.emit("num", "-1", start)
            self.pos += 2
            return
        value = {"¹": "1", "²": "2", "³": "3"}.get(self.text[self.pos])
        if value is None:
            self.fail("unexpected superscript")
        self.emit("op", "^", start)
        self.emit("num", value, start)
        self.pos += 1

    def caret(self):
        """^T, ^\\top, ^{T}, ^{\\top} are transposes; any other ^ is a power."""
        start = self.pos
        # a^Ta is aᵀa as in LaTeX, where ^ takes one character; ^Theta and ^Tau are not transposes
        m = re.match(r"\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T(?!heta|au|[0-9_])|\\top|\\intercal)", self.text[self.pos:])
        if m:
            self.emit("transpose", "^T", start)
            self.pos += m.end()
            return
        self.emit("op", "^", start)
        self.pos += 1

    def command(self):
        start = self.pos
        m = re.match(r"\\([A-Za-z]+|.)", self.text[self.pos:])
        if not m:
            self.fail("a lone backslash")
        name = m.group(1)
        self.pos += m.end()
        if name in (",", ";", "!", ":", " ") or name in _SKIP_COMMANDS:
            return
        if name in GREEK:
            self.emit("name", name, start)
            m2 = re.match(r"_(?:\{\s*([A-Za-z0-9]+)\s*\}|([A-Za-z0-9]+))", self.text[self.pos:])
            if m2:
                self.out[-1] = Token("name", f"{name}_{m2.group(1) or m2.group(2)}", start)
                self.pos += m2.end()
        elif name in ("epsilon", "varepsilon"):
            self.emit("name", "epsilon", start)
        elif name in _FUNC_COMMANDS:
            self.emit("func", _FUNC_COMMANDS[name], start)
        elif name in _SIMPLE:
            kind, value = _SIMPLE[name]
            self.emit(kind, value, start)
        elif name in _DECORATIONS or name in _STYLE_COMMANDS:
            self.decorated(name, start)
        else:
            self.fail(f"unsupported LaTeX command \\{name}", start)

    def decorated(self, command: str, start: int):
        """\\tilde{\\lambda} -> lambda_tilde; \\mathbf{X} -> X (style only)."""
        text = self.text
        while self.pos < len(text) and text[self.pos].isspace():
            self.pos += 1
        if text[self.pos:self.pos + 1] == "{":
            depth, end = 0, self.pos
            while end < len(text):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            inner, self.pos = text[self.pos + 1:end], end + 1
        else:
            m = re.match(r"\\[A-Za-z]+|[A-Za-z]|.", text[self.pos:])
            inner = m.group() if m else ""
            self.pos += len(inner)
        if self.depth >= MAX_DECORATION_DEPTH:
            self.fail(f"nested too deeply (more than {MAX_DECORATION_DEPTH} decorations such as "
                      f"\\{command}{{…}})", start)
        inner_tokens = _Lexer(inner, self.depth + 1).run()[:-1]
        if command in _STYLE_COMMANDS and not (len(inner_tokens) == 1 and inner_tokens[0].kind == "name"):
            for tok in inner_tokens:  # \mathrm{d} x or \text{...}: keep the inside as it is
                self.out.append(Token(tok.kind, tok.value, start + 1 + tok.pos))
            return
        if len(inner_tokens) != 1 or inner_tokens[0].kind != "name":
            self.fail(f"\\{command} must decorate a single symbol", start)
        name = inner_tokens[0].value
        suffix = _DECORATIONS.get(command, "")
        m = re.match(r"_(?:\{\s*([A-Za-z0-9]+)\s*\}|([A-Za-z0-9]+))", text[self.pos:])
        if m:
            suffix += "_" + (m.group(1) or m.group(2))
            self.pos += m.end()
        self.emit("name", name + suffix, start)
