"""Vectors and matrices: reading (YAML lists or bracket text), shape-first
comparison, and recognising a transposed, negated or scaled answer."""
from __future__ import annotations

from dlcheck.kinds._numeric import Num, fmt, is_close, read_number
from dlcheck.safemath import as_float
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

MAX_ELEMENTS = 10_000
_CLOSE = {"[": "]", "(": ")"}


def read_array(raw, depth: int = 0):
    """Nested lists of Num from a YAML list or text like "[[1, 2], [3, 4]]" or "1 2; 3 4"."""
    if depth > 4:
        raise InvalidAnswer("nested too deeply for a vector or matrix")
    if isinstance(raw, str):
        if len(raw) > 100_000:
            raise InvalidAnswer("too long for a vector or matrix")
        raw = _split_text(raw.strip().strip("$").strip())
    if not isinstance(raw, (list, tuple)):
        return read_number(raw)
    if not raw:
        raise InvalidAnswer("empty list")
    out = [read_array(item, depth + 1) for item in raw]
    if count(out) > MAX_ELEMENTS:
        raise InvalidAnswer(f"more than {MAX_ELEMENTS} elements")
    return out


def _split_text(text: str):
    """Turn bracket text into nested lists of element strings."""
    if not text:
        raise InvalidAnswer("empty answer")
    if text[0] in _CLOSE and _matching(text, 0) == len(text) - 1:
        inner = text[1:-1].strip()
        items = _split_top(inner, ",")
        if len(items) > 1 or (items and items[0][:1] == "["):
            return [_split_text(item) if item[:1] == "[" else item for item in items]
        if text[0] == "[":
            return _split_text(inner) if ";" in inner else [_split_text(inner)] if inner[:1] == "[" else _split_items(inner)
        return text  # a parenthesised number such as "(1/2)"
    if ";" in text:
        return [_split_items(row) for row in _split_top(text, ";") if row.strip()]
    items = _split_items(text)
    return items if len(items) > 1 else text


def _split_items(text: str) -> list:
    items = _split_top(text, ",")
    if len(items) == 1 and " " in text.strip():
        items = text.split()
    return [i for i in (x.strip() for x in items) if i]


def _matching(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "[(":
            depth += 1
        elif text[i] in "])":
            depth -= 1
            if depth == 0:
                return i
    raise InvalidAnswer(f"unbalanced brackets in {text[:60]!r}")


def _split_top(text: str, sep: str) -> list:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                raise InvalidAnswer("unbalanced brackets")
        if ch == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if depth != 0:
        raise InvalidAnswer("unbalanced brackets")
    parts.append("".join(current).strip())
    return parts


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
    return as_float(value.value if isinstance(value, Num) else value)


def flat(value) -> list:
    return [x for v in value for x in flat(v)] if isinstance(value, list) else [value]


def show_shape(s: tuple) -> str:
    return "×".join(str(n) for n in s) if s else "scalar"


def show(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return fmt(value)


def transpose(m: list) -> list:
    return [list(r) for r in zip(*m)]


def compare_arrays(expected, got, tolerance: dict) -> Outcome:
    e, g = floats(expected), floats(got)
    es, gs = shape(e), shape(g)
    if es != gs:
        if len(es) == 2 and gs == es[::-1] and _all_close(e, transpose(g), tolerance):
            return Outcome(INCORRECT, "transposed: your matrix is the transpose of the expected one", decided_by="exact")
        return Outcome(INCORRECT, f"wrong shape: expected {show_shape(es)}, got {show_shape(gs)}", decided_by="exact")
    if _all_close(e, g, tolerance):
        return Outcome(CORRECT, decided_by="numeric")
    return Outcome(INCORRECT, _diagnose(e, g, tolerance), decided_by="numeric")


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
    return (f"element {first} is {fmt(fg[wrong[0]])}, expected {fmt(fe[wrong[0]])}; "
            f"{len(wrong)} of {len(fe)} elements differ")


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
