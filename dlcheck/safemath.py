"""A small, safe evaluator of arithmetic for numeric answers.

Students write "5/7", "37.75%", "122,304", "sqrt(10)", "3*3*32*64" or "2^10".
We tokenize and parse that text ourselves (never eval): numbers, + - * / ^ **,
parentheses, sqrt, pi and a trailing %. Results stay exact (Fraction) while
they can and become floats only through sqrt or pi. Every limit (length,
nesting, exponent size) is a clear error, so "10**100000" is refused rather
than computed."""
from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_LENGTH = 256
MAX_DEPTH = 40
MAX_LITERAL_DIGITS = 100
MAX_RESULT_DIGITS = 1000   # exact results larger than this are refused
MAX_FLOAT = 1e300          # "inf" is not an answer

Number = Fraction | float

# 122,304 and the South-Asian grouping 1,22,304 (lakh) are both thousands separators
_THOUSANDS = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d+)?%?$")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z]+|π|√)"
    r"|(?P<op>\*\*|[-+*/^()%×·÷−]))",
    re.ASCII,  # ASCII digits and letters only: no look-alike digits from other scripts
)
_OPS = {"×": "*", "·": "*", "÷": "/", "−": "-"}
FUNCTIONS = {"sqrt": "sqrt", "√": "sqrt"}
CONSTANTS = {"pi": math.pi, "π": math.pi}


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
    stripped = text.strip()
    if not stripped:
        raise MathError("empty answer")
    if _THOUSANDS.match(stripped):
        stripped = stripped.replace(",", "")
    return _Parser(stripped).parse()


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
            start = m.start(kind)
            if kind == "op":
                value = _OPS.get(value, value)
            tokens.append((kind, value, start))
            pos = m.end()
        tokens.append(("end", "", len(text)))
        return tokens

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
            elif tok == "(" or kind in ("num", "name"):  # implicit: 2(3), 2 sqrt(10), 2pi
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
        value = self.atom()
        while self.peek()[1] == "%":
            self.take()
            value = _div(value, Fraction(100))
        return value

    def atom(self) -> Number:
        kind, tok, pos = self.take()
        if kind == "num":
            return _literal(tok, self.text, pos)
        if tok == "(":
            self._enter(pos)
            value = self.sum()
            self.expect(")")
            self.depth -= 1
            return value
        if kind == "name":
            if tok in CONSTANTS:
                return CONSTANTS[tok]
            if tok in FUNCTIONS:
                arg = self.atom() if tok == "√" else self._call_arg(pos)
                return _sqrt(arg, self.text, pos)
            allowed = ", ".join(sorted(set(FUNCTIONS) | set(CONSTANTS)))
            raise MathError(f"unknown name {tok!r} (numbers may use: {allowed})", self.text, pos)
        found = "the end" if kind == "end" else repr(tok)
        raise MathError(f"expected a number but found {found}", self.text, pos)

    def _call_arg(self, pos: int) -> Number:
        if self.peek()[1] != "(":
            self.fail("expected '(' after the function name")
        return self.atom()

    def _enter(self, pos: int):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathError(f"nested too deeply (limit {MAX_DEPTH})", self.text, pos)


def _literal(tok: str, text: str, pos: int) -> Number:
    mantissa, _, exp = tok.lower().partition("e")
    if len(mantissa) > MAX_LITERAL_DIGITS:
        raise MathError(f"number has too many digits (limit {MAX_LITERAL_DIGITS})", text, pos)
    if exp and abs(int(exp)) > 400:
        raise MathError(f"exponent {exp} is out of range", text, pos)
    return Fraction(tok)


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


def _finite(value: Number, text: str) -> Number:
    if isinstance(value, Fraction):
        if _digits(value) > MAX_RESULT_DIGITS or abs(value) > MAX_FLOAT:
            raise MathError("result is out of range (larger than 1e300)", text)
        return value
    if not math.isfinite(value) or abs(value) > MAX_FLOAT:
        raise MathError("result is not a finite number", text)
    return value
