"""A small, safe evaluator of arithmetic for numeric answers.

Students write "5/7", "37.75%", "122,304", "21 024", "sqrt(10)", "3*3*32*64",
"2^10", "3.2M", "1.11 billion", "\\frac{1}{4}", "e^{0.5}", "√2" or "¼". We
tokenize and parse that text ourselves (never eval): numbers, + - * / ^ **,
parentheses and braces, sqrt, exp, pi, e, a trailing %, multiplier words after
a number (K, M, B, thousand, million, billion, lakh, crore) and the homework
LaTeX for all of these (\\frac, \\dfrac, \\sqrt, \\cdot, \\times, \\left( …).
Results stay exact (Fraction) while they can and become floats only through
sqrt, exp, pi or e. Every limit (length, nesting, exponent size) is a clear
error, so "10**100000" is refused rather than computed.

Digit grouping: commas (122,304 and the lakh style 1,22,304), spaces, no-break
and thin spaces (21 024, 138 344 128) group thousands in threes; several dot
groups of exactly three digits (14.838.529) do too. Two numbers side by side
("23 30", "1 2") are never multiplied: that is an error, not a product."""
from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction

MAX_LENGTH = 256
MAX_DEPTH = 40
MAX_LITERAL_DIGITS = 100
MAX_RESULT_DIGITS = 1000   # exact results larger than this are refused
MAX_FLOAT = 1e300          # "inf" is not an answer

Number = Fraction | float

_GAP = "[ \u00a0\u2009\u202f]"     # a space, no-break space, thin space or narrow no-break space
_GROUPED = (rf"\d{{1,3}}(?:,\d{{3}})+(?!\d)"            # 122,304
            rf"|\d{{1,2}}(?:,\d{{2}})+,\d{{3}}(?!\d)"    # 1,22,304 (lakh)
            rf"|\d{{1,3}}(?:{_GAP}\d{{3}})+(?!\d)")      # 21 024, 138 344 128
_DOT_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}")
_TOKEN = re.compile(
    rf"(?P<num>(?:{_GROUPED})(?:\.\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<latex>\\[A-Za-z]+|\\[^A-Za-z])"
    r"|(?P<name>[A-Za-z]+|π|√)"
    r"|(?P<vfrac>[¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])"
    r"|(?P<sup>⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"|(?P<op>\*\*|[-+*/^()\[\]{}%×·÷−⋅∙])",
    re.ASCII,  # ASCII digits and letters only: no look-alike digits from other scripts
)
_OPS = {"×": "*", "·": "*", "⋅": "*", "∙": "*", "÷": "/", "−": "-", "[": "(", "]": ")", "{": "(", "}": ")"}
_CLOSING = {"(": ")", "[": "]", "{": "}"}
_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
FUNCTIONS = {"sqrt": "sqrt", "√": "sqrt", "exp": "exp"}
CONSTANTS = {"pi": math.pi, "π": math.pi, "e": math.e}
# words that scale the number before them: "3.2M", "800K", "1.11 billion", "2 lakh"
MULTIPLIERS = {"k": 10**3, "K": 10**3, "thousand": 10**3, "M": 10**6, "million": 10**6, "mn": 10**6,
               "B": 10**9, "bn": 10**9, "billion": 10**9, "lakh": 10**5, "lakhs": 10**5, "lac": 10**5,
               "crore": 10**7, "crores": 10**7}
# LaTeX read in numbers; anything else is named in the error
_TEX_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "%": "%"}
_TEX_SKIP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
             "quad", "qquad", ";", ":", "!", " ", ","}
_TEX_WRAPPERS = {"mathrm", "text", "operatorname", "mathit", "textrm"}   # \mathrm{e} is e
_TEX_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}


def multiplier(word: str) -> int | None:
    """The factor a word after a number stands for (case-insensitive for the words, not for k/M/B)."""
    return MULTIPLIERS.get(word, MULTIPLIERS.get(word.casefold()) if len(word) > 2 else None)


class MathError(ValueError):
    """Bad arithmetic text; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.text = text
        self.position = position
        super().__init__(message)

    def pointed(self) -> str:
        """The message with the text and a caret under the offending spot."""
        if self.position is None or not self.text or len(self.text) > 120:
            return str(self)
        return f"{self}\n  {self.text}\n  {' ' * self.position}^"


def evaluate(text: str) -> Number:
    """Evaluate arithmetic text to an exact Fraction or a finite float."""
    if not isinstance(text, str):
        raise MathError("expected text")
    if len(text) > MAX_LENGTH:
        raise MathError(f"too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    stripped = _ungroup_tex(text.strip())
    if not stripped:
        raise MathError("empty answer")
    if dot_grouped(stripped):
        stripped = stripped.replace(".", "")
    try:
        return _Parser(stripped).parse()
    except OverflowError:       # an exact value beyond a float's range met a float: 10^400 * pi
        raise MathError("result is out of range (larger than 1e300)", stripped) from None


def dot_grouped(text: str) -> bool:
    """14.838.529: several dot groups of exactly three digits can only be thousands."""
    return bool(_DOT_GROUPED.fullmatch(text.strip()))


def _ungroup_tex(text: str) -> str:
    """LaTeX digit grouping: 14\\,838\\,529 (thin spaces) and 14{,}838{,}529."""
    text = re.sub(r"(?<=\d)\\,(?=\d)", "\u2009", text)
    return re.sub(r"(?<=\d)\{,\}(?=\d)", ",", text)


def as_float(value: Number) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = self._tokenize(text)
        self.i = 0
        self.depth = 0

    # -- tokens ---------------------------------------------------------
    def _tokenize(self, text: str) -> list[tuple[str, str, int]]:
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos].isspace():
                pos += 1
                continue
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise MathError(f"unexpected character {text[pos]!r}", text, pos)
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "num":
                self._check_number(tokens, value, pos)
            elif kind == "vfrac" and tokens and tokens[-1][0] == "num":   # 1½: 1.5, or 1 × ½? never a guess
                whole = _literal(tokens[-1][1], text, pos) + _vulgar(value)
                raise MathError(f"a mixed number: write {tokens[-1][1]}{value} as {whole} or as a decimal",
                                text, pos)
            elif kind == "op":
                value = _OPS.get(value, value)
            elif kind == "latex":
                kind, value, end = self._latex(value[1:], pos, m.end())
                if kind == "skip":
                    pos = end
                    continue
                tokens.append((kind, value, pos))
                pos = end
                continue
            tokens.append((kind, value, pos))
            pos = m.end()
        tokens.append(("end", "", len(text)))
        return tokens

    def _check_number(self, tokens: list, value: str, pos: int):
        if tokens and tokens[-1][0] == "num":   # "23 30": never a product, never a guess
            before = tokens[-1][1]
            raise MathError(f"two numbers side by side ({before!r} and {value!r}): write one value; "
                            f"a space groups thousands only in threes, as in 21 024", self.text, pos)
        end = pos + len(value)
        if re.match(r"\.\d", self.text[end:end + 2]):
            raise MathError("more than one decimal point (dots group thousands only in threes, "
                            "as in 14.838.529)", self.text, end)

    def _latex(self, command: str, pos: int, end: int) -> tuple[str, str, int]:
        """A LaTeX command as a token (kind, value, where reading goes on); "skip" drops it."""
        if command in _TEX_OPS:
            return "op", _TEX_OPS[command], end
        if command in _TEX_FRACTIONS:
            return "frac", "frac", end
        if command in ("sqrt", "exp", "pi"):
            return "name", command, end
        if command in _TEX_WRAPPERS:       # \mathrm{e}: the letters inside are a name
            m = re.match(r"\s*\{\s*([A-Za-z]+)\s*\}", self.text[end:])
            if not m:
                raise MathError(f"expected {{letters}} after \\{command}", self.text, end)
            return "name", m.group(1), end + m.end()
        if command in _TEX_SKIP:
            dot = command in ("left", "right") and self.text[end:end + 1] == "."   # \left. is no delimiter
            return "skip", command, end + dot
        raise MathError(f"unsupported LaTeX command \\{command} in a number", self.text, pos)

    # -- helpers --------------------------------------------------------
    def peek(self):
        return self.tokens[self.i]

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str):
        kind, got, pos = self.take()
        if got != value:
            found = "the end" if kind == "end" else repr(got)
            raise MathError(f"expected {value!r} but found {found}", self.text, pos)

    def fail(self, message: str):
        raise MathError(message, self.text, self.peek()[2])

    # -- grammar --------------------------------------------------------
    def parse(self) -> Number:
        value = self.sum()
        if self.peek()[0] != "end":
            self.fail(f"unexpected {self.peek()[1]!r}")
        return _finite(value, self.text)

    def sum(self) -> Number:
        value = self.product()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.product()
            value = value + rhs if op == "+" else value - rhs
        return value

    def product(self) -> Number:
        value = self.unary()
        while True:
            kind, tok, pos = self.peek()
            if tok in ("*", "/"):
                self.take()
                rhs = self.unary()
                if tok == "/":
                    if rhs == 0:
                        raise MathError("division by zero", self.text, pos)
                    value = _div(value, rhs)
                else:
                    value = value * rhs
            elif tok == "(" and self._restated_percent(pos):
                self.fail("a percentage in brackets restates the value before it; it is no factor: write one value")
            elif tok == "(" or kind in ("name", "frac", "vfrac"):  # implicit: 2(3), 2 sqrt(10), 2pi; never 2 3
                value = value * self.unary()
            else:
                return value

    def unary(self) -> Number:
        tok = self.peek()[1]
        if tok in ("+", "-"):
            self.take()
            value = self.unary()
            return -value if tok == "-" else value
        return self.power()

    def power(self) -> Number:
        base = self.postfix()
        if self.peek()[1] in ("^", "**"):
            pos = self.take()[2]
            self._enter(pos)
            exponent = self.unary()  # right-associative: 2^3^2 = 2^9
            self.depth -= 1
            return _pow(base, exponent, self.text, pos)
        return base

    def postfix(self) -> Number:
        literal = self.peek()[0] == "num"
        value = self.atom()
        while True:
            kind, tok, pos = self.peek()
            if tok == "%":
                self.take()
                value = _div(value, Fraction(100))
            elif kind == "sup":
                self.take()
                value = _pow(value, Fraction(int(tok.translate(_SUPERSCRIPT))), self.text, pos)
            elif literal and kind == "name" and multiplier(tok):
                self.take()
                value = value * multiplier(tok)
                literal = False
            else:
                return value

    def atom(self) -> Number:
        kind, tok, pos = self.take()
        if kind == "num":
            return _literal(tok, self.text, pos)
        if kind == "vfrac":
            return _vulgar(tok)
        if tok == "(":
            return self._group(pos)
        if kind == "frac":
            num = self._tex_arg()
            den = self._tex_arg()
            if den == 0:
                raise MathError("division by zero", self.text, pos)
            return _div(num, den)
        if kind == "name":
            return self._name(tok, pos)
        found = "the end" if kind == "end" else repr(tok)
        raise MathError(f"expected a number but found {found}", self.text, pos)

    def _group(self, pos: int) -> Number:
        self._enter(pos)
        value = self.sum()
        self.expect(")")
        self.depth -= 1
        return value

    def _name(self, tok: str, pos: int) -> Number:
        if tok in CONSTANTS:
            return CONSTANTS[tok]
        if tok in FUNCTIONS:
            if tok == "sqrt" and self.peek()[1] == "(" and self._bracket_at(self.peek()[2]) == "[":
                return self._root(pos)
            arg = self.atom() if tok == "√" else self._call_arg(pos)
            return _sqrt(arg, self.text, pos) if FUNCTIONS[tok] == "sqrt" else _exp(arg, self.text, pos)
        if multiplier(tok):
            raise MathError(f"{tok!r} must follow a number, as in 3.2{tok}", self.text, pos)
        allowed = ", ".join(sorted(set(FUNCTIONS) | set(CONSTANTS)))
        raise MathError(f"unknown name {tok!r} (numbers may use: {allowed})", self.text, pos)

    def _root(self, pos: int) -> Number:
        """\\sqrt[n]{x}: the n-th root."""
        degree = self._group(self.take()[2])
        if not (isinstance(degree, Fraction) and degree.denominator == 1 and 2 <= degree <= 100):
            raise MathError("a root's degree must be a whole number from 2 to 100", self.text, pos)
        arg = self._tex_arg()
        if degree == 2:
            return _sqrt(arg, self.text, pos)
        return _pow(arg, Fraction(1, int(degree)), self.text, pos)

    def _restated_percent(self, pos: int) -> bool:
        """"0.3775 (37.75%)": a bracketed percentage after a space, which restates a value."""
        if not self.text[pos - 1:pos].isspace():
            return False
        depth, before = 0, ""
        for _, tok, _ in self.tokens[self.i:]:
            depth += (tok == "(") - (tok == ")")
            if depth == 0:
                return before == "%"
            before = tok
        return False

    def _bracket_at(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def _call_arg(self, pos: int) -> Number:
        if self.peek()[1] != "(":
            if self.tokens[self.i - 1][1] in ("sqrt", "exp") and self._is_tex(pos):
                return self._tex_arg()
            self.fail("expected '(' after the function name")
        return self.atom()

    def _is_tex(self, pos: int) -> bool:
        return self.text[pos:pos + 1] == "\\"

    def _tex_arg(self) -> Number:
        """A LaTeX argument: {…}, or one character, so \\frac12 is 1/2 and \\sqrt2 is √2."""
        kind, tok, pos = self.peek()
        if kind == "num" and len(tok) > 1 and tok[0].isdigit():
            self.tokens[self.i] = ("num", tok[1:], pos + 1)
            return Fraction(int(tok[0]))
        return self.atom()

    def _enter(self, pos: int):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathError(f"nested too deeply (limit {MAX_DEPTH})", self.text, pos)


def _literal(tok: str, text: str, pos: int) -> Number:
    tok = re.sub(r"[,\s\u00a0\u2009\u202f]", "", tok)
    mantissa, _, exp = tok.lower().partition("e")
    if len(mantissa) > MAX_LITERAL_DIGITS:
        raise MathError(f"number has too many digits (limit {MAX_LITERAL_DIGITS})", text, pos)
    if exp and abs(int(exp)) > 400:
        raise MathError(f"exponent {exp} is out of range", text, pos)
    return Fraction(tok)


def _vulgar(char: str) -> Fraction:
    """¼ -> 1/4, ⅔ -> 2/3."""
    return Fraction(unicodedata.numeric(char)).limit_denominator(10)


def _div(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a / b
    return as_float(a) / as_float(b)


def _digits(value: Fraction) -> int:
    return max(len(str(abs(value.numerator))), len(str(value.denominator)))


def _pow(base: Number, exponent: Number, text: str, pos: int) -> Number:
    if isinstance(base, Fraction) and isinstance(exponent, Fraction) and exponent.denominator == 1:
        e = exponent.numerator
        if base == 0 and e < 0:
            raise MathError("division by zero", text, pos)
        if base not in (0, 1, -1) and abs(e) * math.log10(max(_digits(base), 1) * 10) > MAX_RESULT_DIGITS:
            raise MathError("power too large", text, pos)
        return base ** e
    b, e = as_float(base), as_float(exponent)
    if b < 0:
        raise MathError("a negative number to a fractional power", text, pos)
    if b == 0 and e < 0:
        raise MathError("division by zero", text, pos)
    try:
        value = b ** e
    except (OverflowError, ZeroDivisionError):
        raise MathError("power out of range", text, pos) from None
    return value


def _sqrt(value: Number, text: str, pos: int) -> Number:
    if value < 0:
        raise MathError("square root of a negative number", text, pos)
    if isinstance(value, Fraction):
        num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
        if num * num == value.numerator and den * den == value.denominator:
            return Fraction(num, den)
    return math.sqrt(as_float(value))


def _exp(value: Number, text: str, pos: int) -> Number:
    try:
        return math.exp(as_float(value))
    except OverflowError:
        raise MathError("exp(…) out of range", text, pos) from None


def _finite(value: Number, text: str) -> Number:
    if isinstance(value, Fraction):
        if abs(value) > MAX_FLOAT:
            raise MathError("result is out of range (larger than 1e300)", text)
        if _digits(value) > MAX_RESULT_DIGITS:
            raise MathError(f"result needs more than {MAX_RESULT_DIGITS} digits", text)
        return value
    if not math.isfinite(value) or abs(value) > MAX_FLOAT:
        raise MathError("result is not a finite number", text)
    return value
