"""Submitted text on its way out: what every renderer does to a string it did
not write itself (answers, authors, file names, feedback that quotes them).

A terminal obeys escape sequences (ESC[2J clears the screen, ESC]0;…BEL sets
the window title) and C1 controls; a newline lets an answer draw its own
lines ("Score 27 / 27"); bidirectional overrides reorder what is shown; a
file name that is not UTF-8 holds lone surrogates no stream can encode. So
`untrusted` drops every control character and bidi override, shows a newline
as ⏎ and a lone surrogate as �. The format-specific escaping (HTML, markdown, CSV formulas,
XML) is each renderer's, applied on top of this."""
from __future__ import annotations

import re

from dlcheck.cache import json_dumps as json_text  # noqa: F401 - one exact, printable JSON for files and terminals

NEWLINE_MARK = "⏎"
# C0 (tab and newline are handled first), DEL, C1, and the bidirectional controls
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# whole escape sequences go, not only their ESC: CSI (ESC[…m, ESC[2J), OSC (ESC]0;title BEL), C1 CSI
_SEQUENCE = re.compile("(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)")


def untrusted(text, keep_newlines: bool = False) -> str:
    """`text` made inert for a terminal: control characters removed, tabs as
    spaces, line breaks shown as ⏎ (or kept as plain newlines when the output is
    meant to have several lines, e.g. a JUnit failure's body)."""
    text = "" if text is None else str(text)
    text = _SURROGATE.sub("\ufffd", _SEQUENCE.sub("", text).replace("\t", " "))
    text = _NEWLINES.sub("\n" if keep_newlines else f"{NEWLINE_MARK} ", text)
    if keep_newlines:
        return "\n".join(_CONTROL.sub("", line) for line in text.split("\n"))
    return _CONTROL.sub("", text)



def json_file(data) -> str:
    """JSON as the class outputs write it: stable key order, readable, safe to print."""
    return json_text(data, indent=2, sort_keys=True) + "\n"
