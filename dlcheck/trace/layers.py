"""The layer walk: the output shapes a working gives layer by layer, against the solver's.

A network's working walks its layers (`Conv1D(16, 3): 500 − 3 + 1 = 498 ⇒ (498, 16)`,
`MaxPool: 127×127×32`); every step's arithmetic can be right while a shape is not
(⌈245/2⌉ for a pooling that floors, a 'valid' size where the padding is 'same').
The solver's derivation lists the same shapes in order (`Conv1D(16, 3) → 498×16, …`,
`32768 (32×32×32) + …`). A shape the working presents as a layer's output (after an
arrow or a colon) is matched, in order, to the solver's next shapes (dimensions as a
multiset: H×W×C and C×H×W are one shape); one that matches none of them but shares a
dimension with the next one is that layer's output, wrong. The walk stops at the first
shape it cannot place, so a second network or a route the solver does not take is
never judged."""
from __future__ import annotations

import re

from dlcheck.trace.steps import WRONG, StepCheck

_DIM = r"\d{1,5}"
_PRODUCT = re.compile(rf"(?<![\d.^_{{])({_DIM}(?:\s*(?:×|\\times|x|\*)\s*{_DIM}){{1,2}})(?![\d.]|\s*[x×*]\s*\d)")
_TUPLE = re.compile(rf"\(\s*({_DIM}(?:\s*,\s*{_DIM}){{1,2}})\s*\)")
# what presents a layer's output: an arrow, or a colon right after a layer's name
_PRESENTED = re.compile(r"(?:→|->|⇒|=>|\\Rightarrow|\\to|\\rightarrow|\\longrightarrow|(?<![:=]):)\s*\$?\s*(?:\\left)?\s*$")
_LOOKAHEAD = 3                 # solver layers a working may leave out between two it writes


def reference_shapes(refs: dict) -> list:
    """[(dims as a sorted tuple, as written)]: the longest ordered list of shapes one part's
    derivation gives (consecutive repeats once)."""
    best: list = []
    for ref in refs.values():
        found = []
        for line in ref.steps:
            for m in re.finditer(r"→\s*(\d+(?:×\d+)+)|\((\d+(?:×\d+){2})\)", line):
                text = m.group(1) or m.group(2)
                if not found or found[-1][0] != _dims(text):
                    found.append((_dims(text), text))
        if len(found) > len(best):
            best = found
    return best if len(best) >= 3 else []


def shape_checks(trace: str, refs: dict, given_input, line_offset: int = 0) -> list:
    """[StepCheck] WRONG for the first shape of the walk that is not the solver's."""
    walk = reference_shapes(refs)
    if not walk:
        return []
    expected = [dims for dims, _ in walk]
    start = _dims_of_value(given_input)
    at = 0
    for line_no, text, shape in _written_shapes(trace):
        if at == 0 and start is not None and shape == start:
            continue                                      # the input, restated
        window = expected[at:at + _LOOKAHEAD + 1]
        if shape in window:
            at += window.index(shape) + 1
            if at >= len(expected):
                return []
            continue
        if len(shape) == len(expected[at]) and set(shape) & set(expected[at]):
            want = walk[at][1]
            after = f" after {walk[at - 1][1]}" if at else ""
            return [StepCheck(line_no + line_offset, text, WRONG,
                              f"the layer's output{after} is {want} (the solver's walk), not {text}")]
        return []                                          # a shape the walk cannot place: stop judging
    return []


def _written_shapes(trace: str):
    """(line, text, dims) of the shapes the working presents as a layer's output, in order."""
    for line_no, line in enumerate(trace.split("\n"), 1):
        found = [(m.start(), m.group(1)) for m in _PRODUCT.finditer(line)]
        found += [(m.start(), m.group(0)) for m in _TUPLE.finditer(line)]
        for start, text in sorted(found):
            if _PRESENTED.search(line[max(0, start - 24):start]):
                yield line_no, text, _dims(text)


def _dims(text: str) -> tuple:
    return tuple(sorted(int(d) for d in re.findall(r"\d+", text)))


def _dims_of_value(value):
    if isinstance(value, list) and 2 <= len(value) <= 3 and all(isinstance(v, int) for v in value):
        return tuple(sorted(value))
    return None
