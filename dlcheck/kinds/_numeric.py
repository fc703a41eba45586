"""Number reading, closeness, rounding and gap descriptions shared by the numeric kinds."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from dlcheck.kinds import _prose
from dlcheck.safemath import MAX_FLOAT, Number, as_float, dot_grouped, evaluate, multiplier
from dlcheck.verdict import CORRECT, INCORRECT, PARTIAL, InvalidAnswer, Outcome

PARTIAL_CREDIT = 0.5
MIN_FIGURES = 2     # `rounding: stated`: a single figure is right but too coarse to tell a count from a slip


@dataclass(frozen=True)
class Num:
    """A submitted number, the text it was written as (for rounding checks) and,
    when it was read out of words, a note saying how."""

    value: Number
    text: str
    note: str = ""

    def __float__(self) -> float:
        return as_float(self.value)


def read_number(raw, prose: bool = True) -> Num:
    """A number from YAML; text may have words around it ("608 parameters") unless `prose` is off
    (elements of a list are one number each, with nothing around them)."""
    if isinstance(raw, bool):
        raise InvalidAnswer(f"expected a number, got {raw!r} (true/false)")
    if isinstance(raw, int):
        if abs(raw) > MAX_FLOAT:
            raise InvalidAnswer("number is out of range (larger than 1e300)")
        return Num(Fraction(raw), str(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw) or abs(raw) > MAX_FLOAT:
            raise InvalidAnswer(f"{raw!r} is not a finite number in range")
        text = repr(raw)
        return Num(raw, text[:-2] if text.endswith(".0") else text)   # 1.11e+9 states 3 figures, not 11
    if isinstance(raw, str):
        if not prose:
            return _strict(raw)
        num, note = _prose.read(raw, _strict, fmt, same=agree)
        return Num(num.value, num.text, note or _grouping_note(num))
    raise InvalidAnswer(f"expected a number, got {_type_name(raw)}")


def _strict(text: str) -> Num:
    text = printed(text.strip().strip("$").strip())
    return Num(evaluate(text), text)


# what numpy and torch print, pasted as an answer: array([0.8, 0.4]), tensor([[1., 2.]], dtype=torch.float64),
# tensor(608), np.float64(0.5), torch.Size([1, 32, 16, 16])
_PRINTED = re.compile(r"(?:(?:np|numpy|torch)\.)?(?:array|asarray|tensor|Tensor|Size|(?:float|int)(?:16|32|64))\(")
_KEYWORD = re.compile(r",\s*[A-Za-z_]\w*\s*=")


def printed(text: str) -> str:
    """The value inside numpy's or torch's printed form (`tensor([0.8, 0.4], dtype=…)` -> `[0.8, 0.4]`),
    keyword arguments left out; any other text unchanged."""
    m = _PRINTED.match(text)
    if not m or not text.endswith(")") or _prose.opening(text) != m.end() - 1:
        return text
    return _prose.split_top(text[m.end():-1], _KEYWORD)[0].strip()


def _grouping_note(num: Num) -> str:
    return f"read as {fmt(num.value)}: the dots group thousands" if dot_grouped(num.text) else ""


def _type_name(raw) -> str:
    return {list: "a list", dict: "a mapping", type(None): "nothing"}.get(type(raw), type(raw).__name__)


def fmt(value) -> str:
    """A number as a person would write it: 61632, 0.8, 5/7 (≈0.714286)."""
    if isinstance(value, Num):
        value = value.value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        as_dec = float(value)
        if Fraction(repr(as_dec)) == value and len(repr(as_dec)) <= 12:
            return repr(as_dec)
        return f"{value} (≈{as_dec:.6g})"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


def is_close(expected, got, tolerance: dict) -> bool:
    e, g = as_float(expected), as_float(got)
    return abs(g - e) <= max(float(tolerance.get("abs", 0)), float(tolerance.get("rel", 0)) * abs(e))


# -- the precision a number is written with ----------------------------------
@dataclass(frozen=True)
class Stated:
    """What a written number says about its precision: 3.2M has 2 significant
    figures and a unit of 0.1M in its last place; 803K has 3; 800K has 2 (see
    `stated`); 3M has 1; 0.3780 has 4."""

    figures: int
    unit: Fraction          # one unit in the last written place
    decimals: int | None    # digits written after the point (None: no point)
    scale: Fraction         # 10^exponent × multiplier word × (1/100 for %)
    style: str              # how the scale was written: "M", " billion", "e9", "%", ""


_DECIMAL = re.compile(r"[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?"
                      r"(?P<style>\s*(?P<word>[A-Za-z]+)|%)?")
_GROUPING = re.compile(r"(?<=\d)[,\u00a0\u2009\u202f ](?=\d{2,3}(?!\d))")


# 1.116 \times 10^{9}, 1.116 × 10⁹, 3.544*10^8: the figures of e-notation, written as a power of ten
_TIMES_TEN = re.compile(r"(?P<mantissa>[+-]?[\d.]+)\s*(?:\\times|\\cdot|×|·|\*)\s*10\s*"
                        r"(?:\^\s*\{\s*(?P<braced>[+-]?\d+)\s*\}|\^\s*(?P<plain>[+-]?\d+)|(?P<sup>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))")
_SUPERSCRIPT_DIGITS = str.maketrans("⁺⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "+-0123456789")


def _as_e_notation(text: str) -> str:
    m = _TIMES_TEN.fullmatch(text)
    if not m:
        return text
    exponent = m.group("braced") or m.group("plain") or m.group("sup").translate(_SUPERSCRIPT_DIGITS)
    return f"{m.group('mantissa')}e{exponent}"


def stated(num: Num) -> Stated | None:
    """The precision `num` was written with; None for exact forms (5/7, 3*3*64, sqrt(10))."""
    text = _as_e_notation(num.text.strip().strip("$").strip())
    text = text.replace(".", "") if dot_grouped(text) else _GROUPING.sub("", text)
    m = _DECIMAL.fullmatch(text)
    if not m or not (m.group("int") or m.group("frac")):
        return None
    scale, style = Fraction(10) ** int(m.group("exp") or 0), ""
    if m.group("exp"):
        style = f"e{int(m.group('exp'))}"
    if m.group("word"):
        factor = multiplier(m.group("word"))
        if factor is None:
            return None
        scale, style = scale * factor, m.group("style")
    elif m.group("style") == "%":
        scale, style = scale / 100, "%"
    whole, frac = m.group("int"), m.group("frac")
    if frac is not None:
        digits = (whole + frac).lstrip("0")
        return Stated(max(len(digits), 1), scale / 10 ** len(frac), len(frac), scale, style)
    # trailing zeros of a whole number may or may not be figures (800K: 8, 80 or 800 thousands):
    # they count as far as two figures, the precision a rounded count is usually given to
    digits = whole.lstrip("0")
    figures = max(len(digits.rstrip("0")), min(2, len(digits)), 1)
    return Stated(figures, scale * 10 ** (len(digits) - figures) if digits else scale, None, scale, style)


def _within(expected, got, bound: Fraction) -> bool:
    """|got − expected| ≤ bound: exactly for exact values, with a hair of slack for floats."""
    if isinstance(got, Fraction) and isinstance(expected, (int, Fraction)) and not isinstance(expected, bool):
        return abs(got - Fraction(expected)) <= bound
    e = as_float(expected)
    return abs(as_float(got) - e) <= float(bound) + 1e-12 * max(1.0, abs(e))


def rounded_match(expected, got: Num) -> int | None:
    """If `got` is `expected` correctly rounded to the decimals it was written
    with (at least 2 significant digits, a plain decimal), return that number of decimals."""
    s = stated(got)
    if s is None or s.decimals is None or s.scale != 1 or s.figures < 2:
        return None
    return s.decimals if _within(expected, got.value, s.unit / 2) else None


def right_when_rounded(expected, got: Num) -> Stated | None:
    """The stated precision, if `got` is `expected` rounded to it (half a unit in the last place)."""
    s = stated(got)
    return s if s is not None and _within(expected, got.value, s.unit / 2) else None


def judge_rounded(expected, got: Num) -> Outcome | None:
    """For parts that allow rounding (`rounding: stated`): right to the figures written (half
    a unit in the last place) and at least MIN_FIGURES of them is correct, and says so; right
    to fewer ("3.2M" for 3,211,264) earns part: too coarse to tell the right count from a
    slip; anything else is incorrect, saying how far off and what the rounding would be."""
    s = stated(got)
    if s is None:
        return None
    figures = _figures(s)
    if not _within(expected, got.value, s.unit / 2):
        return Outcome(INCORRECT, f"{got.text} is off by {_relative(expected, got)}: {fmt(expected)} to {figures} "
                                  f"is {written_like(expected, s)}", decided_by="numeric")
    if s.figures >= MIN_FIGURES:
        return Outcome(CORRECT, f"rounded: {got.text} is {fmt(expected)} to {figures}", decided_by="numeric")
    return Outcome(PARTIAL, f"rounded to {figures}, too coarse to check: {got.text} stands for {fmt(expected)}, "
                            f"but so would counts with a slip in them (write at least {MIN_FIGURES} figures)",
                   decided_by="numeric", credit=PARTIAL_CREDIT)


def rounding_hint(expected, got: Num) -> str:
    """For parts that need the exact value: say when an answer is that value rounded."""
    s = right_when_rounded(expected, got)
    if s is None:
        return ""
    return f"; {got.text} is {fmt(expected)} rounded to {_figures(s)}, but this part asks for the exact value"


def _figures(s: Stated) -> str:
    return f"{s.figures} significant figure{'s' if s.figures > 1 else ''}"


def written_like(value, s: Stated) -> str:
    """`value` rounded to the unit of `s` and written the same way (1.12 billion, 3.2M, 0.38)."""
    places = s.decimals if s.decimals is not None else -round(math.log10(s.unit / s.scale))
    mantissa = round(Fraction(value) / s.scale, places) if isinstance(value, (int, Fraction)) else \
        round(as_float(value) / float(s.scale), places)
    text = f"{float(mantissa):.{max(places, 0)}f}"
    return f"{text}{s.style}"


def agree(a: Num, b: Num) -> bool:
    """Two sides of "1/(1+e^0.5) = 0.3775" or "224·224·64 = 3.2M" are one value: equal, or one
    is the other rounded, as its decimals or its multiplier word show ("= 13000" for 13248 is not)."""
    if _within(a.value, b.value, Fraction(0)) or is_close(a.value, b.value, {"rel": 1e-9}):
        return True
    return _rounds(a.value, b) or _rounds(b.value, a)


def _rounds(value, num: Num) -> bool:
    s = right_when_rounded(value, num)
    return s is not None and s.figures >= 2 and (s.decimals is not None or s.scale != 1)


def _relative(expected, got) -> str:
    e = as_float(expected)
    return f"{abs(as_float(got) - e) / abs(e):.2%}" if e else f"{abs(as_float(got)):g}"


def describe_gap(expected, got) -> str:
    """Name the relation between a wrong number and the right one, when it is a simple one."""
    e, g = as_float(expected), as_float(got)
    if e == 0:
        return f"expected 0, got {fmt(got)}"
    ratio = g / e
    if abs(ratio + 1) < 1e-9:
        return "right size, wrong sign"
    for k in (2, 3, 4, 8, 9, 10, 100, 1000):
        if abs(ratio - k) < 1e-9 * k:
            return f"{k}× too large"
        if abs(ratio - 1 / k) < 1e-9:
            return f"{k}× too small"
    if abs(g - e) < 5e-4 * abs(e):     # "off by 0.0%" says nothing: give the difference itself
        exact = got.value if isinstance(got, Num) else got
        return f"off by {fmt(abs(exact - expected) if _exact(expected, exact) else abs(g - e))}"
    return f"off by {abs(g - e) / abs(e):.1%}"


def _exact(*values) -> bool:
    return all(isinstance(v, (int, Fraction)) and not isinstance(v, bool) for v in values)
