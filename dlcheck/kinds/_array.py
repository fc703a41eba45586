"""Vectors and matrices: reading (YAML lists, bracket text, LaTeX matrices),
shape-first comparison, and recognising a transposed, negated or scaled answer.

Text forms: "[[1, 2], [3, 4]]", "1 2; 3 4", "(0.8, 0.4)", "[0.8, 0.4]ᵀ",
"\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}" (also pmatrix, Bmatrix, matrix,
array), "\\left[\\frac{4}{5}, \\frac{2}{5}\\right]^T", and a scalar in front:
"\\frac{1}{4}\\begin{bmatrix} … \\end{bmatrix}". A trailing ^T transposes a matrix;
a vector has no orientation, so on a vector it changes nothing. A string inside
a YAML list is one number ("18,496", "2 592"), never split. An empty element
in a list (YAML null) is an entry not given: the rest are still checked."""
from __future__ import annotations

import math
import re
from dataclasses import replace
from fractions import Fraction

from dlcheck.kinds import _prose
from dlcheck.kinds._numeric import Num, PARTIAL_CREDIT, fmt, is_close, judge_rounded, printed, read_number
from dlcheck.safemath import as_float
from dlcheck.verdict import CORRECT, INCORRECT, PARTIAL, InvalidAnswer, Outcome

MAX_ELEMENTS = 10_000
_COMMA = re.compile(r",")
_COMMA_SPACE = re.compile(r",(?=\s)")
_SPACE = re.compile(r"\s+")
_T = r"(?:T|\\top|\\intercal|⊤)"
_TRANSPOSED = re.compile(rf"(?<=[\])}}])\s*(?:\^\s*(?:\{{\s*{_T}\s*\}}|{_T})|ᵀ|')\s*$")   # ]^T, }^{\top}, )ᵀ, ]' 
_SIZING = re.compile(r"\\(?:left|right|[bB]igg?[lr]?)\s*(?:\\(?=[{}])|\.)?")
_TIMES = re.compile(r"(?:\*|·|⋅|×|\\cdot|\\times)\s*$")
_SEMICOLON = re.compile(";")
_ENVIRONMENT = re.compile(r"\\begin\{(?P<env>[A-Za-z]*matrix\*?|array)\}(?:\s*\{[^{}]*\}|\s*\[[^\]]*\])?"
                          r"(?P<body>.*?)\\end\{(?P=env)\}", re.S)


class Array(_prose.Noted, list):
    """A vector or matrix read out of words; `note` says how."""


def read_array(raw, depth: int = 0):
    """Nested lists of Num from a YAML list or text (see the module's docstring)."""
    if depth > 4:
        raise InvalidAnswer("nested too deeply for a vector or matrix")
    if isinstance(raw, str):
        if len(raw) > 100_000:
            raise InvalidAnswer("too long for a vector or matrix")
        if depth == 0:
            value, note = _prose.read(raw, _from_text, show, same=_same)
            return _prose.noted(Array, value, note) if isinstance(value, list) else replace(value, note=note)
        if _looks_like_array(raw):
            return _from_text(raw)
    if raw is None and depth > 0:
        return None     # an entry left empty: not given, the others are still judged
    if not isinstance(raw, (list, tuple)):
        return read_number(raw, prose=False)
    if not raw:
        raise InvalidAnswer("empty list")
    out = [read_array(item, depth + 1) for item in raw]
    if count(out) > MAX_ELEMENTS:
        raise InvalidAnswer(f"more than {MAX_ELEMENTS} elements")
    return out


def _looks_like_array(text: str) -> bool:
    """A string in a list is one number, unless it is a bracketed row or a LaTeX matrix."""
    text = text.strip().strip("$").strip()
    return text[:1] == "[" or "\\begin" in text or text[:1] == "(" and "," in text


def _from_text(text: str):
    text = printed(_SIZING.sub("", text.strip().strip("$").strip()))
    if not text:
        raise InvalidAnswer("empty answer")
    m = _TRANSPOSED.search(text)
    transposed, text = (True, text[:m.start()]) if m else (False, text)
    scale, text = _scalar_in_front(text)
    env = _ENVIRONMENT.fullmatch(_unbracket(text))
    if env:
        value = _elements(_environment(env))
    elif "\\begin" in text:
        raise InvalidAnswer("cannot read this LaTeX environment: "
                            "write \\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}")
    else:
        _balanced(text)
        value = _elements(_split_text(text))
    if scale is not None:
        value = _scaled(value, scale)
    if transposed and isinstance(value, list) and len(shape(value)) == 2:
        value = transpose(value)
    return value


def _unbracket(text: str) -> str:
    """\\left[ \\begin{array}…\\end{array} \\right]: the brackets around an environment add nothing."""
    if text[:1] in "[(" and text[-1:] in "])" and text[1:].lstrip().startswith("\\begin"):
        return text[1:-1].strip()
    return text


def _scalar_in_front(text: str) -> tuple:
    """"\\frac{1}{4}\\begin{bmatrix}…", "0.25 * [[…]]", "(1/2)[1, 2]", "-[1, 2]": the scalar
    and the array text after it."""
    if "\\begin" in text:
        start = text.index("\\begin")
    elif text[-1:] in "])":
        start = _prose.opening(text)
        if not start:           # no bracket opens the end, or it opens the whole text: no scalar
            return None, text
    else:
        return None, text
    head = _TIMES.sub("", text[:start].strip()).strip()
    if head in ("-", "−"):
        return Num(Fraction(-1), "-1"), text[start:]
    try:
        return read_number(head, prose=False), text[start:]
    except ValueError:      # not a scalar (empty, or "1 2 sqrt" before "(3)"): the text is read whole
        return None, text


def _scaled(value, scale: Num):
    if isinstance(value, list):
        return [_scaled(v, scale) for v in value]
    if value is None:
        return None
    return Num(value.value * scale.value, f"{scale.text}·{value.text}")


def _environment(m: re.Match) -> list:
    if m.group("env").lower().startswith("v"):
        raise InvalidAnswer("vmatrix is a determinant; write the matrix as bmatrix or pmatrix")
    body = m.group("body").replace("\\hline", "")
    rows = re.split(r"\\\\|\\cr\b", body)
    while rows and not rows[-1].strip():
        rows.pop()
    if not rows:
        raise InvalidAnswer("empty matrix")
    return [[cell.strip() for cell in row.split("&")] for row in rows]


def _elements(tree):
    """The numbers of a tree of element strings (a single string: one number)."""
    if isinstance(tree, list):
        if not tree:
            raise InvalidAnswer("empty list")
        out = [_elements(item) for item in tree]
        if count(out) > MAX_ELEMENTS:
            raise InvalidAnswer(f"more than {MAX_ELEMENTS} elements")
        return out
    if not tree:
        raise InvalidAnswer("an empty element")
    return read_number(tree, prose=False)


def _split_text(text: str):
    """Turn bracket text into nested lists of element strings."""
    if not text:
        raise InvalidAnswer("empty answer")
    if text[0] in "[(" and _prose.opening(text) == 0 and text[-1] in "])":
        inner = text[1:-1].strip()
        if text[0] == "[" and _prose.top_matches(inner, _SEMICOLON):
            return [_split_items(row) for row in _rows(inner)]     # MATLAB's rows: [1, 2; 3, 4], [1 2; 3 4]
        items = _split_commas(inner)
        if len(items) == 1 and items[0][:1] == "[" and _prose.opening(items[0]) != 0:
            return _split_items(inner)          # numpy's print: [[1 2]\n [3 4]], rows apart by spaces only
        if len(items) > 1 or (items and items[0][:1] == "["):
            return [_split_text(item) if item[:1] in "[(" else item for item in items]
        if text[0] == "[":
            return _split_items(inner)
        return text  # a parenthesised number such as "(1/2)"
    if ";" in text:
        return [_split_items(row) for row in _rows(text)]
    items = _split_items(text)
    return items if len(items) > 1 else text


def _rows(text: str) -> list:
    """The rows of "1 2; 3 4": a closing semicolon is allowed (as in MATLAB), an empty row is not,
    so "; 3" is no 1×1 matrix (a lone number is not one either)."""
    rows = _prose.split_top(text, _SEMICOLON)
    if len(rows) > 1 and not rows[-1].strip():
        rows.pop()
    if any(not row.strip() for row in rows):
        raise InvalidAnswer(f"an empty row in {text[:60]!r}: write the rows as 1, 2; 3, 4")
    return rows


def _split_items(text: str) -> list:
    items = _split_commas(text)
    if len(items) == 1:
        items = _prose.split_top(text.strip(), _SPACE)
    return [_split_text(i) if i[:1] == "[" else i for i in (x.strip() for x in items) if i]


def _split_commas(text: str) -> list:
    """Elements are split at commas; where some comma is followed by a space, only those
    split, and a comma between digits groups thousands: "3,211,264, 802,816"."""
    pattern = _COMMA_SPACE if _prose.top_matches(text, _COMMA_SPACE) else _COMMA
    return [p.strip() for p in _prose.split_top(text, pattern)]


def _balanced(text: str):
    depth = 0
    for ch in text:
        depth += (ch in "[({") - (ch in "])}")
        if depth < 0:
            break
    if depth != 0:
        raise InvalidAnswer(f"unbalanced brackets in {text[:60]!r}")


def _same(a, b) -> bool:
    """Two sides of "w = [0.8, 0.4] = [4/5, 2/5]" are one value."""
    try:
        return shape(a) == shape(b) and _all_close(floats(a), floats(b), {"rel": 1e-9})
    except (InvalidAnswer, TypeError):
        return False


def count(value) -> int:
    return sum(count(v) for v in value) if isinstance(value, list) else 1


def shape(value) -> tuple:
    """The shape of a rectangular nested list; InvalidAnswer if ragged."""
    if not isinstance(value, list):
        return ()
    inner = {shape(v) for v in value}
    if len(inner) != 1:
        raise InvalidAnswer("rows of different lengths")
    return (len(value),) + inner.pop()


def floats(value):
    if isinstance(value, list):
        return [floats(v) for v in value]
    if value is None:
        return math.nan
    return as_float(value.value if isinstance(value, Num) else value)


def flat(value) -> list:
    return [x for v in value for x in flat(v)] if isinstance(value, list) else [value]


def show_shape(s: tuple) -> str:
    return "×".join(str(n) for n in s) if s else "scalar"


def show(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return "_" if value is None else fmt(value)


def transpose(m: list) -> list:
    return [list(r) for r in zip(*m)]


def compare_arrays(expected, got, tolerance: dict, rounding: bool = False) -> Outcome:
    """Shape first, then every element within `tolerance`; with `rounding`, elements
    written rounded (3.2M) count when right to the figures they state."""
    e, g = floats(expected), floats(got)
    es, gs = shape(e), shape(g)
    if es != gs:
        if len(es) == 2 and gs == es[::-1] and _all_close(e, transpose(g), tolerance):
            return Outcome(INCORRECT, "transposed: your matrix is the transpose of the expected one", decided_by="exact")
        return Outcome(INCORRECT, f"wrong shape: expected {show_shape(es)}, got {show_shape(gs)}", decided_by="exact")
    missing = [i for i, x in enumerate(flat(got)) if x is None]
    if missing:
        return _incomplete(flat(e), flat(g), missing, tolerance, es)
    if _all_close(e, g, tolerance):
        return Outcome(CORRECT, decided_by="numeric")
    if rounding:
        rounded = _rounded_elements(flat(expected), flat(got), tolerance, es)
        if rounded is not None:
            return rounded
    return Outcome(INCORRECT, _diagnose(e, g, tolerance), decided_by="numeric")


def _rounded_elements(fe: list, fg: list, tolerance: dict, s: tuple) -> Outcome | None:
    """Every element exact or rounded right to enough figures: correct; some right but to too
    few figures: partial, naming the first; None when an element is wrong (the usual diagnosis)."""
    rounded, coarse = [], []
    for i, (e, g) in enumerate(zip(fe, fg)):
        if is_close(e, g, tolerance):
            continue
        outcome = judge_rounded(e, g) if isinstance(g, Num) else None
        if outcome is None or outcome.verdict == INCORRECT:
            return None
        (rounded if outcome.verdict == CORRECT else coarse).append((i, outcome))
    if not coarse:
        i, first = rounded[0]
        return Outcome(CORRECT, f"rounded: {len(rounded)} of {len(fe)} elements are written rounded to their "
                                f"stated figures (element {_index(i, s)}: {first.feedback.removeprefix('rounded: ')})",
                       decided_by="numeric")
    i, first = coarse[0]
    return Outcome(PARTIAL, f"element {_index(i, s)}: {first.feedback}; {len(coarse)} of {len(fe)} elements are "
                            f"given to too few figures", decided_by="numeric", credit=PARTIAL_CREDIT)


def _incomplete(fe: list, fg: list, missing: list, tolerance: dict, s: tuple) -> Outcome:
    """Some entries not given: never correct; say which, and whether the given ones are right."""
    gaps = f"{len(missing)} of {len(fe)} elements not given (element {_index(missing[0], s)} first)"
    wrong = [i for i, (a, b) in enumerate(zip(fe, fg)) if i not in missing and not is_close(a, b, tolerance)]
    if wrong:
        return Outcome(INCORRECT, f"element {_index(wrong[0], s)} is {fmt(fg[wrong[0]])}, expected "
                                  f"{fmt(fe[wrong[0]])}; {len(wrong)} of the given elements differ, and {gaps}",
                       decided_by="numeric")
    return Outcome(INCORRECT, f"{gaps}; the given ones are right", decided_by="numeric")


def _all_close(e, g, tolerance) -> bool:
    return all(is_close(a, b, tolerance) for a, b in zip(flat(e), flat(g)))


def _diagnose(e, g, tolerance) -> str:
    """Name a recognisable mistake, else point at the first differing element."""
    if len(shape(e)) == 2 and shape(e)[0] == shape(e)[1] and _all_close(e, transpose(g), tolerance):
        return "transposed: your matrix is the transpose of the expected one"
    fe, fg = flat(e), flat(g)
    if _all_close(fe, [-x for x in fg], tolerance):
        return "every element has the wrong sign"
    scale = _common_scale(fe, fg, tolerance)
    if scale is not None:
        return f"every element is {fmt(scale)}× the expected value (a missing or extra factor?)"
    if len(shape(e)) == 1 and _all_close(fe, fg[::-1], tolerance):
        return "the elements are in reverse order"
    wrong = [i for i, (a, b) in enumerate(zip(fe, fg)) if not is_close(a, b, tolerance)]
    first = _index(wrong[0], shape(e))
    shown_got, shown_expected = _apart(fg[wrong[0]], fe[wrong[0]])
    return f"element {first} is {shown_got}, expected {shown_expected}; {len(wrong)} of {len(fe)} elements differ"


def _apart(got, expected) -> tuple:
    """Two different values as shown, with the digits it takes to tell them apart (0.2500001
    is not shown as 0.25 next to an expected 0.25)."""
    shown = fmt(got), fmt(expected)
    if shown[0] != shown[1]:
        return shown
    return repr(as_float(got)), repr(as_float(expected))


def _common_scale(fe, fg, tolerance):
    pairs = [(a, b) for a, b in zip(fe, fg) if a != 0]
    if not pairs or any(b != 0 for a, b in zip(fe, fg) if a == 0):
        return None
    c = pairs[0][1] / pairs[0][0]
    if c in (0, 1) or not all(is_close(a * c, b, tolerance) for a, b in pairs):
        return None
    return c


def _index(i: int, s: tuple) -> str:
    """1-based (row, column) position as a person counts."""
    if len(s) == 1:
        return f"{i + 1}"
    idx = []
    for n in reversed(s):
        idx.append(i % n + 1)
        i //= n
    return "(" + ", ".join(str(x) for x in reversed(idx)) + ")"
