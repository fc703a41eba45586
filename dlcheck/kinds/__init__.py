"""Answer kinds: one module per kind, each with `parse`, `compare` and `show`.

A kind module defines:
    AUTOMATIC: bool                      does dlcheck decide it (else: review)
    OPTIONS: tuple                       the spec keys it takes beyond every part's (spec.COMMON_KEYS),
                                         so a spec giving `tolerance` to a label part is an error
    parse(raw, part) -> value | Invalid  read a submitted value; never raises
    compare(expected, got, part) -> Outcome
    show(value) -> str                   how a value is displayed in reports
and may set MEMOIZE (verdicts stored on disk) and PARSE_SHARED (parsed values are
immutable, so one parse serves every submission with the same answer).

A new kind is one new module plus one line in _MODULES. Modules are imported
only when first used, so grading plain numbers never imports sympy or torch.

Shared readers: _numeric (numbers, their stated precision), _array (vectors and
matrices, LaTeX included), _text (labels) and _prose (words around a value, one
rule for every kind). `parse` below refuses, for every kind, strings holding
the control characters that LaTeX becomes in a double-quoted YAML string."""
from __future__ import annotations

import importlib
import re
from types import ModuleType

from dlcheck.safemath import MathError
from dlcheck.verdict import Invalid, InvalidAnswer

_MODULES = {
    "number": "number",
    "integer": "integer",
    "vector": "vector",
    "matrix": "matrix",
    "matrices": "matrices",
    "shape": "shape",
    "shapes": "shapes",
    "label": "label",
    "labels": "labels",
    "bool": "boolean",
    "bigO": "bigo",
    "mapping": "mapping",
    "text": "text",
    "expr": "expr",
    "mexpr": "mexpr",
    "arch": "arch",
    "code": "code",
}
NAMES = tuple(_MODULES)


def module(kind: str) -> ModuleType:
    found = _LOADED.get(kind)
    if found is None:           # asked for every part of every submission: import_module once per kind
        found = _LOADED[kind] = importlib.import_module(f"dlcheck.kinds.{_MODULES[kind]}")
    return found


_LOADED: dict = {}


def is_automatic(kind: str) -> bool:
    return bool(module(kind).AUTOMATIC)


def options(kind: str) -> tuple:
    """The spec keys a kind's parts may carry beyond every part's."""
    return tuple(module(kind).OPTIONS)


def limits(kind: str) -> dict:
    """The kind's own defaults for what one check may use (sandbox/limits.py), if any."""
    return dict(getattr(module(kind), "LIMITS", {}))


def parse(kind: str, raw, part):
    """A kind's parse with every failure turned into `Invalid`."""
    if isinstance(raw, Invalid):    # the submission's reader could not build the value at all
        return raw
    escaped = _escaped_latex(raw, kind)
    if escaped:
        return Invalid(escaped)
    try:
        return module(kind).parse(raw, part)
    except InvalidAnswer as exc:
        return Invalid(str(exc))
    except MathError as exc:
        return Invalid(exc.pointed())
    except RecursionError:
        return Invalid("answer nested too deeply")


# "\frac{1}{2}\eta" in double quotes reaches us as a form feed, "rac{1}{2}", an escape, "ta"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPES = {"\x0c": "\\f became a form feed", "\x1b": "\\e became an escape character",
            "\x07": "\\a became a bell character", "\x08": "\\b became a backspace",
            "\x0b": "\\v became a vertical tab", "\x00": "\\0 became a null character"}
# \t, \n and \r are also escapes there, but tabs and line breaks are fine text: only what is left of a
# LaTeX command after them gives them away (\times, \top, \theta, \tau, \text, \tfrac, \nabla, \right, \rho)
_TEX_REMNANT = re.compile(r"\t(?:imes|op\b|heta|au\b|ext\b|ext\{|frac|ilde)|\n(?:abla|eq\b)|\r(?:ight|ho\b)")
_REMNANT_NAMES = {"\t": "\\t became a tab", "\n": "\\n became a line break", "\r": "\\r became a carriage return"}


def _escaped_latex(raw, kind: str, depth: int = 0) -> str:
    """The message for LaTeX whose backslashes YAML's double quotes turned into control characters."""
    if isinstance(raw, str):
        found = _CONTROL.search(raw)
        what = _ESCAPES.get(found.group(), f"a control character U+{ord(found.group()):04X}") if found else ""
        if not found and kind not in ("code", "text"):
            remnant = _TEX_REMNANT.search(raw)
            what = _REMNANT_NAMES[remnant.group()[0]] if remnant else ""
        if what:
            return (f"this looks like LaTeX in a double-quoted YAML string ({what}): write LaTeX in single "
                    f"quotes or a block scalar")
        return ""
    if depth < 8 and isinstance(raw, (list, dict)):
        for item in (raw.values() if isinstance(raw, dict) else raw):
            message = _escaped_latex(item, kind, depth + 1)
            if message:
                return message
    return ""


def show(kind: str, value) -> str:
    try:
        return module(kind).show(value)
    except Exception:  # display must never break a report
        return _short(repr(value))


def show_expected(part, reference_value, shown: str = "") -> str:
    """A part's reference as reports show it: the reference's own display when it has one
    (a claim's: what to re-run), else its kind's."""
    return shown or show(part.kind, reference_value)


def plain(value):
    """A parsed answer as plain JSON values (for solver checks, claims and their memo)."""
    from fractions import Fraction

    from dlcheck.kinds._numeric import Num

    if isinstance(value, Num):
        value = value.value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
