"""`bigO`: asymptotic growth in the part's variable, e.g. "O(t)", "O(1)", "O(t*d)".

The text inside O(...) is read by a small parser into a growth class
base^v · v^p · (log v)^q in the variable v; constants and other variables
drop, so O(t·d) = O(t) in t, and a sum keeps its fastest-growing term.
Letters are symbols, words never are: "O(number of steps)" is refused, not
read as a product of constants. Words around the O(...) are read as for every
kind (_prose): "O(1) (not O(t))" is O(1); "O(1) or O(t)" states two values."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from dlcheck.kinds._prose import opening, read, with_notes
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('variable',)   # spec keys beyond every part's (spec.COMMON_KEYS)
_WORDS = {"constant": "1", "linear": "v", "quadratic": "v^2", "cubic": "v^3", "logarithmic": "log(v)"}
_FUNCS = ("log", "ln", "lg", "sqrt", "exp")
_O = re.compile(r"(?:\\mathcal\s*\{\s*O\s*\}|\\mathcal\s*O|\\operatorname\s*\{\s*O\s*\}|\\Theta"
                r"|[OΘ𝒪𝑂𝓞Ο])\s*")      # O, Θ, \mathcal{O}, and the look-alikes 𝒪 𝑂 𝓞 Ο
# letter runs that are words, never a product of symbols (with the runs of 4 or more letters)
_WORDS_NOT_SYMBOLS = {"or", "and", "not", "vs", "for", "of", "the", "to", "per", "if", "is", "at", "in", "on", "by",
                      "as", "an", "no", "are", "its", "one", "two", "all", "any", "but", "nor", "yes", "with"}
_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|\*\*|[A-Za-z]|[-+*/^(){}·×]|\\cdot|\\times|\\log|\\sqrt|\\ln)")


@dataclass(frozen=True, order=True)
class Growth:
    base: float = 1.0                 # exponential part base^v
    power: Fraction = Fraction(0)     # v^power
    log: Fraction = Fraction(0)       # (log v)^log

    def times(self, other: "Growth") -> "Growth":
        return Growth(self.base * other.base, self.power + other.power, self.log + other.log)

    def raised(self, k: Fraction) -> "Growth":
        return Growth(self.base ** float(k), self.power * k, self.log * k)

    @property
    def constant(self) -> bool:
        return self == Growth()


@dataclass(frozen=True)
class BigO:
    """A parsed answer: its growth class and that class written canonically."""

    growth: Growth
    text: str
    written: str = ""
    note: str = ""


def parse(raw, part):
    if not isinstance(raw, str) or len(raw) > 400:
        raise InvalidAnswer('expected big-O text such as "O(t)"')

    def strict(text: str) -> BigO:
        growth = _growth(text, part)
        return BigO(growth, show_growth(growth, part.variable), text.strip())

    value, note = read(raw, strict, show, same=lambda a, b: a.growth == b.growth)
    return BigO(value.growth, value.text, value.written, note)


def _growth(raw, part) -> Growth:
    if not isinstance(raw, str) or len(raw) > 200:
        raise InvalidAnswer('expected big-O text such as "O(t)"')
    text = raw.strip().strip("$").strip()
    text = _O.sub("", text, count=1) if _O.match(text) else text
    word = text.strip("() ").casefold()
    if word in _WORDS:
        return _Parser(_WORDS[word], "v").parse()
    if not (text.startswith("(") and text.endswith(")") and opening(text) == 0):
        raise InvalidAnswer(f'expected one big-O such as "O({part.variable})", got {raw.strip()[:60]!r}')
    return _Parser(_rename(text, part.variable), "v").parse()


_LATEX = {"cdot": "*", "times": "*", "log": "log", "ln": "ln", "sqrt": "sqrt", "left": "", "right": ""}


def _rename(text: str, variable: str) -> str:
    """Swap the growth variable for 'v' and other letters for 'c' (constants)."""
    out, i = [], 0
    while i < len(text):
        command = re.match(r"\\([A-Za-z]+)", text[i:])
        if command:
            if command.group(1) not in _LATEX:
                raise InvalidAnswer(f"unsupported LaTeX command \\{command.group(1)} in a big-O expression")
            out.append(f" {_LATEX[command.group(1)]} ")
            i += command.end()
            continue
        if text[i].isalpha() and (i == 0 or not text[i - 1].isalpha()):
            _no_words(re.match(r"[A-Za-z]*", text[i:]).group(), variable)
        fn = next((f for f in _FUNCS if text.startswith(f, i)), None)
        if fn:
            out.append(fn)
            i += len(fn)
        elif text.startswith(variable, i) and variable:
            out.append(" v ")
            i += len(variable)
        elif text[i].isalpha():
            out.append(" c ")
            i += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _no_words(run: str, variable: str) -> None:
    """"td" is t·d, but "steps" or "or" is a word, and words are never factors."""
    pieces = re.split("|".join(_FUNCS), run.replace(variable, " ") if variable else run)
    if any(len(p.strip()) > 3 for p in pieces) or run.casefold() in _WORDS_NOT_SYMBOLS:
        raise InvalidAnswer(f"{run!r} is a word, not a factor: write only the growth, e.g. O({variable})")


class _Parser:
    def __init__(self, text: str, var: str):
        self.tokens, pos = [], 0
        text = text.replace("{", "(").replace("}", ")")
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m:
                raise InvalidAnswer(f"cannot read {text[pos:pos + 10]!r} in a big-O expression")
            self.tokens.append(m.group(1).lstrip("\\"))
            pos = m.end()
        # multi-letter function names were kept whole by _rename; re-join their letters
        self.tokens = _join_names(self.tokens)
        self.i, self.var = 0, var

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else ""

    def _ahead(self, k: int) -> str:
        return self.tokens[self.i + k] if self.i + k < len(self.tokens) else ""

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self) -> Growth:
        g = self.sum()
        if self.peek():
            raise InvalidAnswer(f"unexpected {self.peek()!r} in a big-O expression")
        return g

    def sum(self) -> Growth:
        g = self.product()
        while self.peek() in ("+", "-"):
            self.take()
            g = max(g, self.product())
        return g

    def product(self) -> Growth:
        g = self.power()
        while self.peek() and self.peek() not in ("+", "-", ")"):
            op = self.peek()
            if op in ("*", "·", "×", "cdot", "times"):
                self.take()
                g = g.times(self.power())
            elif op == "/":
                self.take()
                g = g.times(self.power().raised(Fraction(-1)))
            else:  # implicit product: "t d", "t log t"
                g = g.times(self.power())
        return g

    def power(self) -> Growth:
        base_tok = self.peek()
        g = self.atom()
        if self.peek() in ("^", "**"):
            self.take()
            exponent_tok = self.peek()
            if exponent_tok == "(" and _is_number(self._ahead(1)) and self._ahead(2) == ")":
                self.i += 1
                exponent_tok = self.peek()
                self.i += 2
                return g.raised(Fraction(exponent_tok))
            if _is_number(exponent_tok):
                self.take()
                return g.raised(Fraction(exponent_tok))
            exponent = self.atom()
            if _is_number(base_tok) and exponent == Growth(power=Fraction(1)):
                return Growth(base=float(base_tok))
            if exponent.constant:
                return g
            raise InvalidAnswer("only numeric powers, or a number to the power of the variable, are supported")
        return g

    def atom(self) -> Growth:
        tok = self.take()
        if tok == "(":
            g = self.sum()
            if self.take() != ")":
                raise InvalidAnswer("unbalanced parentheses in a big-O expression")
            return g
        if _is_number(tok) or tok == "c":
            return Growth()
        if tok == "v":
            return Growth(power=Fraction(1))
        if tok in ("log", "ln", "lg"):
            inner = self.atom()
            if inner.base > 1:
                return Growth(power=Fraction(1))
            return Growth() if inner.constant else Growth(log=Fraction(1))
        if tok == "sqrt":
            return self.atom().raised(Fraction(1, 2))
        if tok == "exp":
            inner = self.atom()
            return Growth(base=2.718281828459045) if inner == Growth(power=Fraction(1)) else Growth()
        raise InvalidAnswer(f"unexpected {tok or 'end'!r} in a big-O expression")


def _join_names(tokens: list) -> list:
    out, i = [], 0
    while i < len(tokens):
        for fn in _FUNCS:
            if "".join(tokens[i:i + len(fn)]) == fn:
                out.append(fn)
                i += len(fn)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _is_number(tok: str) -> bool:
    return bool(tok) and tok.replace(".", "", 1).isdigit()


def compare(expected, got, part) -> Outcome:
    want = _growth(expected, part)
    if got.growth == want:
        return with_notes(Outcome(CORRECT, decided_by="exact"), got)
    direction = "faster" if got.growth > want else "slower"
    return with_notes(Outcome(INCORRECT, f"{got.text} grows {direction} than the expected "
                                         f"{show_growth(want, part.variable)}", decided_by="exact"), got)


def show_growth(g: Growth, var: str) -> str:
    factors = []
    if g.base > 1:
        factors.append(f"{g.base:g}^{var}")
    if g.power:
        p = g.power
        factors.append(var if p == 1 else f"sqrt({var})" if p == Fraction(1, 2) else f"{var}^{p}")
    if g.log:
        factors.append(f"log {var}" if g.log == 1 else f"(log {var})^{g.log}")
    return f"O({' '.join(factors) or '1'})"


def show(value) -> str:
    if isinstance(value, BigO):
        same = value.written.replace(" ", "") == value.text.replace(" ", "")
        return value.text if same or not value.written else f"{value.written} = {value.text}"
    return str(value)
