"""Answers with words around the value: "= 608 parameters", "P ≈ 0.3775",
"Y = Green", "Green (nearest point is observation 5)", "No: every hidden ReLU
outputs 0 …", "352 + 2592 + 10304 = 13248".

One rule for every kind. Where the value is unambiguous it is read, and a note
says so ("read as 608 from '= 608 parameters'"); where it is not, the answer is
invalid with "write only the value". Never a guess between two values: an
answer that offers two ("0.3 or 0.4", "O(1) or O(t)") is invalid, and so is a
statement whose sides differ ("2 + 2 = 5").

What may be peeled off a value, each piece checked not to be a value itself:
- a remark in parentheses after it: "Green (distance √2)", "O(1) (not O(t))";
- a leading name and =, :, ≈ or "is": "X1 = 50", "Total params: 14,838,529";
- an explanation after , ; : or a dash that starts with a word: "Yes, the claim holds: …";
- a qualifier after "with", "having" or "containing" that names no other value:
  "the first fully connected layer with 120 neuron units";
- unit words after it, and up to three words before it: "50 hours", "degree 2", "layer C5".
Words that negate or join alternatives ("not", "or", "and", …) are never peeled
off, so "not Green" and "yes and no" stay unread.

A kind calls `read(text, strict, show)` with its strict reader (which raises
InvalidAnswer or MathError) and stores the note on the value it returns, so
that its `compare` can add it (`with_notes`)."""
from __future__ import annotations

import re
from typing import Callable

from dlcheck.safemath import MathError
from dlcheck.verdict import InvalidAnswer, Outcome

MAX_PROSE = 400
# words that negate or join alternatives: never set aside, so "not Green" and "yes and no" stay unread
KEEP = {"not", "no", "never", "isn't", "isnt", "aren't", "neither", "nor", "without", "except", "instead",
        "or", "and", "but", "vs", "versus", "either", "unless", "than", "none"}
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
_ALTERNATIVES = re.compile(r"\s+(?:or|vs\.?|versus)\s+", re.IGNORECASE)
_LABEL = re.compile(r"(?P<label>[^\W\d_][^=:≈≃,;]{0,40}?)(?:\s*(?:=|:|≈|≃)|\s+is)\s*(?P<rest>\S.*)", re.S)
_BARE_SIGN = re.compile(r"\s*(?:=|:|≈|≃)\s*(?P<rest>\S.*)", re.S)
_QUALIFIER = re.compile(r"\s+(?:with|having|containing)\s+", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*[,;:]\s*|\s+[-–—]\s+|\s*—\s*|\.\s+")
_CHAIN = "=≈≃"
_OPEN, _CLOSE = "([{", ")]}"

Strict = Callable[[str], object]
_FAIL = (InvalidAnswer, MathError)


class Noted:
    """A value read out of words: `note` says how (a mixin for str, list, int subclasses)."""

    note = ""


def noted(cls, value, note: str):
    """`value` as a `cls` (a Noted subclass of its type) carrying `note`; unchanged without a note."""
    if not note:
        return value
    out = cls(value)
    out.note = note
    return out


def notes_of(value, limit: int = 3) -> list:
    """The reading notes a parsed value carries (on itself or its items)."""
    found: list = []

    def walk(v):
        note = getattr(v, "note", "")
        if note and note not in found:
            found.append(note)
        if isinstance(v, (list, tuple)) and len(found) < limit:
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            for item in v.values():
                walk(item)

    walk(value)
    return found[:limit]


def with_notes(outcome: Outcome, got) -> Outcome:
    """A kind's outcome with the notes saying how its answer was read, first."""
    notes = [n for n in notes_of(got) if n not in outcome.notes]
    outcome.notes[:0] = notes
    return outcome


def quote(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def read(text: str, strict: Strict, show: Callable[[object], str], same=None, is_value=None) -> tuple:
    """(value, note): the value in `text`, with a note when words had to be set aside.

    `same(a, b)` says whether two readings are one value (default ==); `is_value(text)`
    whether a piece to be set aside is itself a value (default: `strict` reads it)."""
    same = same or (lambda a, b: a == b)
    is_value = is_value or (lambda piece: _reads(strict, piece))
    text = text.strip()
    try:
        return strict(text), ""
    except _FAIL as exc:
        first = exc
    if len(text) > MAX_PROSE:
        raise first
    reader = _Reader(strict, same, is_value, show)
    plain = _plain(text)
    value = reader.alternatives(plain)
    if value is _NOTHING:
        value = reader.core(plain)
    if value is _NOTHING:
        if re.search(r"[^\W\d_]{2}", text):
            raise InvalidAnswer(f"write only the value ({_message(first)})")
        raise first
    return value, f"read as {show(value)} from {quote(text)}"


_TEX_SIGNS = {r"\approx": "≈", r"\simeq": "≃", r"\colon": ":"}
_TEX_WRAPPERS = re.compile(r"\\(?:text|textrm|mathrm|mathbf|boldsymbol|mbox|operatorname)\s*\{(?P<inside>[^{}]*)\}")


def _plain(text: str) -> str:
    """The words around a value as a reader sees them: `$h = 50$` without its dollars, \\approx as ≈,
    \\text{ hours} and \\mathbf{d} as their words (the value itself is still read by the kind)."""
    if len(text) > 1 and text[0] == text[-1] == "$":
        text = text[1:-1].strip()
    for command, sign in _TEX_SIGNS.items():
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", sign, text)
    return _TEX_WRAPPERS.sub(lambda m: m.group("inside"), text).strip()


def _message(exc) -> str:
    return str(exc).splitlines()[0]


def _reads(strict: Strict, text: str) -> bool:
    try:
        strict(text)
        return True
    except _FAIL:
        return False


_NOTHING = object()


class _SidesDiffer(InvalidAnswer):
    """"2 + 2 = 5": a statement that contradicts itself is refused, whatever else could be read."""


class _Reader:
    def __init__(self, strict: Strict, same, is_value, show):
        self.strict, self.same, self.is_value, self.show = strict, same, is_value, show

    # -- the two readings that refuse -------------------------------------
    def alternatives(self, text: str):
        """"0.3 or 0.4": two values offered is no answer; "0.25 or 1/4" is one value."""
        pieces = split_top(text, _ALTERNATIVES)
        if len(pieces) < 2:
            return _NOTHING
        values = [self.core(p) for p in pieces]
        readable = [v for v in values if v is not _NOTHING]
        if len(readable) < 2:   # the "or" is part of the words around one value
            return _NOTHING
        if len(readable) == len(values) and all(self.same(readable[0], v) for v in readable[1:]):
            return readable[-1]
        shown = " and ".join(self.show(v) for v in readable[:3])
        raise InvalidAnswer(f"states two values ({shown}): write only the value")

    def chain(self, text: str):
        """"8·(5·5·3 + 1) = 608", "X1 = 2.5/0.05 = 50": every side that is a value must agree."""
        sides = split_top(text, re.compile(f"[{_CHAIN}]"))
        if len(sides) == 1:
            return self.strict(text)
        if not sides[0].strip() or self._label(sides[0]):
            sides = sides[1:]       # "= 608", "X1 = 50": the name is no value
        values = [(side.strip(), self.strict(side.strip())) for side in sides]
        last_text, last = values[-1]
        for side, value in values[:-1]:
            if not self.same(value, last):
                raise _SidesDiffer(f"the two sides differ: {side} is {self.show(value)}, not {last_text}")
        return last

    # -- peeling ----------------------------------------------------------
    def core(self, text: str):
        """The value left once words are peeled off; _NOTHING if none is; two different ones refuse."""
        best = None
        for peels, candidate in self._candidates(text):
            if best is not None and peels > best[0]:
                break
            try:
                value = self.chain(candidate)
            except _SidesDiffer:
                raise
            except _FAIL:
                continue
            if best is None:
                best = (peels, value)
            elif not self.same(best[1], value):
                raise InvalidAnswer(f"states two values ({self.show(best[1])} and {self.show(value)}): "
                                    f"write only the value")
        return _NOTHING if best is None else best[1]

    def _candidates(self, text: str) -> list:
        """(peels, text) for every way of setting words aside, fewest peels first; dropping
        k words counts k peels, so "1.11 Billion computations" reads before "1.11"."""
        found = {text.strip(): 0}
        for peel in (self._remark, self._leading_name, self._explanation, self._qualifier, self._trailing_words,
                     self._leading_words, _unwrap):
            for candidate, peels in list(found.items()):
                for cost, smaller in enumerate(peel(candidate), 1):
                    smaller = smaller.strip()
                    if smaller and peels + cost < found.get(smaller, MAX_PROSE):
                        found[smaller] = peels + cost
        return sorted(((n, c) for c, n in found.items()), key=lambda item: item[0])

    # each peel returns the texts left, the i-th of them costing i peels
    def _remark(self, text: str) -> list:
        """"Green (nearest point is 5)": a remark in parentheses after the value, set apart by a space."""
        if not text.endswith(")"):
            return []
        start = opening(text)
        if start is None or start == 0 or not text[start - 1].isspace():
            return []
        remark = text[start + 1:-1].strip()
        if not re.search(r"[^\W\d_]{2}", remark):
            return self._restated(text[:start], remark)
        if re.match(r"(?:or|either)\b", remark, re.IGNORECASE):
            raise InvalidAnswer(f"offers an alternative ({remark}): write only the value")
        return [text[:start]]

    def _restated(self, value_text: str, remark: str) -> list:
        """"0.3775 (37.75%)": a value in brackets that restates the one before it is set aside;
        one that differs is a contradiction, refused like "2 + 2 = 5"."""
        try:
            value, again = self.strict(value_text.strip()), self.strict(remark)
        except _FAIL:
            return []
        if not self.same(value, again):
            raise _SidesDiffer(f"the value in brackets differs: {remark} is {self.show(again)}, "
                               f"not {value_text.strip()}")
        return [value_text]

    def _leading_name(self, text: str) -> list:
        m = _BARE_SIGN.fullmatch(text)
        if m:
            return [m.group("rest")]
        m = _LABEL.fullmatch(text)
        if m and self._label(m.group("label")):
            return [m.group("rest")]
        return []

    def _label(self, text: str) -> bool:
        """A name before =, : or "is" (X1, Total params, w*, Nearest-1): short, and not a value."""
        words = text.split()
        return (0 < len(words) <= 5 and bool(re.match(r"[^\W\d_]", text.strip()))
                and not _keeps(words) and not self.is_value(text.strip()))

    def _explanation(self, text: str) -> list:
        """"No: every hidden ReLU outputs 0 …": the value, then a sentence that starts with a word."""
        for start, end in top_matches(text, _SEPARATOR):
            rest = text[end:]
            first = _WORD.match(rest)
            if start == 0 or not first:
                return []
            word = first.group().rstrip(".")
            if word.casefold() in KEEP or self.is_value(word) or _reads(self.strict, rest):
                return []       # "Nearest-1: D" is a name and a value, not a value and a sentence
            return [text[:start]]
        return []

    def _qualifier(self, text: str) -> list:
        """"C5 with 120 units": a qualifier after the value, naming no other value of the kind."""
        found = top_matches(text, _QUALIFIER)
        if not found or found[0][0] == 0:
            return []
        rest = text[found[0][1]:]
        if any(self.is_value(chunk.strip(".,;:")) for chunk in _top_chunks(rest)):
            return []
        return [text[:found[0][0]]]

    def _trailing_words(self, text: str) -> list:
        """"1 pixel of zeros on each side": drop 1, 2, … up to six trailing words."""
        chunks = _top_chunks(text)
        return self._drop_words(lambda k: (chunks[-k:], chunks[:-k]), min(len(chunks) - 1, 6))

    def _leading_words(self, text: str) -> list:
        """"degree 2", "layer C5", "about 50": drop up to three leading words."""
        chunks = _top_chunks(text)
        return self._drop_words(lambda k: (chunks[:k], chunks[k:]), min(len(chunks) - 1, 3))

    def _drop_words(self, split, most: int) -> list:
        """The texts left after dropping k = 1 … `most` words, while what is dropped is plain
        words: no negation or alternative, and none a value itself ("Red Green" is two)."""
        out = []
        for k in range(1, most + 1):
            dropped, kept = split(k)
            if (not all(_WORD.fullmatch(c) for c in dropped) or _keeps(dropped)
                    or any(self.is_value(c.rstrip(".")) for c in dropped)):
                break
            out.append(" ".join(kept))
        return out


def _keeps(words) -> bool:
    return any(w.strip(".,;:").casefold() in KEEP for w in words)


def _unwrap(text: str) -> list:
    """"(a)": a value in parentheses."""
    if text[:1] == "(" and text.endswith(")") and opening(text) == 0:
        return [text[1:-1]]
    return []


def opening(text: str) -> int | None:
    """Where the bracket that the last character closes opens."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in _CLOSE:
            depth += 1
        elif text[i] in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def _depths(text: str) -> list:
    """The bracket depth before each character."""
    out, depth = [], 0
    for ch in text:
        if ch in _CLOSE:
            depth -= 1
        out.append(depth)
        if ch in _OPEN:
            depth += 1
    return out


def top_matches(text: str, pattern: re.Pattern) -> list:
    """(start, end) of the matches of `pattern` outside brackets."""
    depths = _depths(text)
    return [(m.start(), m.end()) for m in pattern.finditer(text)
            if all(depths[i] == 0 for i in range(m.start(), m.end()))]


def split_top(text: str, pattern: re.Pattern) -> list:
    pieces, last = [], 0
    for start, end in top_matches(text, pattern):
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return pieces


def _top_chunks(text: str) -> list:
    """Whitespace-separated pieces, a bracketed group staying whole."""
    return [c for c in split_top(text.strip(), re.compile(r"\s+")) if c]
