"""`mapping`: named numeric fields, e.g. a counterexample {eta, beta, eps} or
paddings {conv_padding, convt_padding, convt_output_padding}.

The reference is one mapping or a list of acceptable ones (any matches).
Problems whose answers need a simulation to judge (is this really a
counterexample?) declare `check: solver` and their solver decides."""
from __future__ import annotations

from dlcheck.errors import did_you_mean
from dlcheck.kinds._numeric import fmt, is_close, read_number
from dlcheck.kinds._prose import with_notes
from dlcheck.verdict import CORRECT, INCORRECT, InvalidAnswer, Outcome

AUTOMATIC = True
OPTIONS = ('fields', 'tolerance')   # spec keys beyond every part's (spec.COMMON_KEYS)
_NONE = {"none", "impossible", "no solution", "n/a", "not possible"}


def parse(raw, part):
    if not isinstance(raw, dict):
        names = ", ".join(part.fields) or "name: value"
        raise InvalidAnswer(f"expected a mapping with {names}")
    out = {}
    for key, value in raw.items():
        name = str(key)
        if part.fields and name not in part.fields:
            raise InvalidAnswer(f"unknown field {name!r}{did_you_mean(name, part.fields)}; "
                                f"expected {', '.join(part.fields)}")
        if isinstance(value, str) and value.strip().casefold() in _NONE:
            out[name] = None  # "no such value exists" is an answer too
            continue
        try:
            out[name] = read_number(value)
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"field {name!r}: {exc}") from None
    missing = [f for f in part.fields if f not in out]
    if missing:
        raise InvalidAnswer(f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return out


def compare(expected, got, part) -> Outcome:
    return with_notes(_compare(expected, got, part), got)


def _compare(expected, got, part) -> Outcome:
    options = expected if isinstance(expected, list) else [expected]
    for option in options:
        if all(name in got and _same(option[name], got[name], part) for name in option):
            return Outcome(CORRECT, decided_by="exact")
    if len(options) == 1:
        wrong = [f"{name} should be {'none' if v is None else fmt(v)}" for name, v in options[0].items()
                 if not _same(v, got.get(name, float("nan")), part)]
        return Outcome(INCORRECT, "; ".join(wrong), decided_by="exact")
    return Outcome(INCORRECT, f"not one of the {len(options)} valid settings, e.g. {show(options[0])}",
                   decided_by="exact")


def _same(expected, got, part) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return is_close(expected, got, part.numeric_tolerance)


def show(value) -> str:
    if isinstance(value, list):
        return " or ".join(show(v) for v in value[:3]) + (" …" if len(value) > 3 else "")
    return "{" + ", ".join(f"{k}: {'none' if v is None else fmt(v)}" for k, v in value.items()) + "}"
