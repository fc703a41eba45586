"""Answer kinds: one module per kind, each with `parse`, `compare` and `show`.

A kind module defines:
    AUTOMATIC: bool                      does dlcheck decide it (else: review)
    parse(raw, part) -> value | Invalid  read a submitted value; never raises
    compare(expected, got, part) -> Outcome
    show(value) -> str                   how a value is displayed in reports
and may set MEMOIZE (verdicts stored on disk) and PARSE_SHARED (parsed values are
immutable, so one parse serves every submission with the same answer).

A new kind is one new module plus one line in _MODULES. Modules are imported
only when first used, so grading plain numbers never imports sympy or torch."""
from __future__ import annotations

import importlib
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


def parse(kind: str, raw, part):
    """A kind's parse with every failure turned into `Invalid`."""
    if isinstance(raw, Invalid):    # the submission's reader could not build the value at all
        return raw
    try:
        return module(kind).parse(raw, part)
    except InvalidAnswer as exc:
        return Invalid(str(exc))
    except MathError as exc:
        return Invalid(exc.pointed())
    except RecursionError:
        return Invalid("answer nested too deeply")


def show(kind: str, value) -> str:
    try:
        return module(kind).show(value)
    except Exception:  # display must never break a report
        return _short(repr(value))


def show_expected(part, reference_value) -> str:
    """A part's reference as reports show it (a claim part's reference is what to re-run)."""
    if part.check == "claim" and isinstance(reference_value, dict):
        from dlcheck.claims import describe

        return describe(reference_value)
    return show(part.kind, reference_value)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
