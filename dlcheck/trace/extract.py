"""Markdown working -> steps.

A step is one row of mathematics with the equation chain it states
(`A = B = C` gives the sides [A, B, C], judged as A=B and B=C). Rows come from
`$$...$$`, `\\[...\\]`, `\\begin{aligned}...\\end{aligned}` (split at `\\\\`,
a row that starts with `=` continues the row before), inline `$...$`, and
plain lines that are an equation and nothing else (`w1 = [0.27, 0.13]`).
Values stated in prose (`with beta = 0.9, w0 = [0, 0]`) are kept as givens:
they feed numeric checks but are not judged. The prose before a step is kept
as its context."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TRACE = 50_000          # characters of working read; the rest is ignored (and said so)
MAX_STEPS = 400

_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\begin\{(aligned|align\*?|equation\*?|gather\*?)\}(.+?)"
                      r"\\end\{\3\}|\$([^$\n]+?)\$", re.S)
_MATRIX_ENV = re.compile(r"\\begin\{([bpvV]?matrix)\}(.*?)\\end\{\1\}", re.S)
_ENV_WRAPPER = re.compile(r"\\(?:begin|end)\{(?:aligned|align\*?|equation\*?|gather\*?|split)\}")
_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textbf|mbox|mathrm)\{([^{}]*)\}")
_BREAKS = re.compile(r"\\q?quad|\\Rightarrow|\\implies|\\iff|\\Longrightarrow|;|\\text\{\s*(?:and|or|so|then)\s*\}")
_SETS = re.compile(r"\\in\b|\\subset|\\subseteq|\\forall|\\exists|\\mathbb\{R\}|∈")
_RELATION_WORDS = re.compile(r"\\(?:neq|ne|leq|le|geq|ge|approx|sim|propto|to|rightarrow|mapsto)\b|[<>≤≥≠≈]")
_PROSE_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}(?![A-Za-z(])")
_MATH_WORDS = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "lambda", "theta", "sigma", "sqrt", "exp",
               "log", "tanh", "sin", "cos", "max", "min", "frac", "norm", "tilde", "hat", "star"}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NAME_THEN_VALUE = re.compile(r"\$\s*(\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s*\$(?=\s*=\s*[-+.\d\[])")  # "$\beta$ = 0.9"
_GIVEN = re.compile(r"(?<![\w\\])(\\?[A-Za-z][A-Za-z]*(?:_?\{?\d+\}?)?)\s*=\s*(\[[^\]\n]*\]|" + _NUMBER + r")"
                    r"(?![\w.]*\s*[-+*/^(])")


@dataclass
class Step:
    line: int                     # 1-based line within the trace
    text: str                     # the row as written
    sides: list                   # [A, B, C] for A = B = C
    context: str = ""             # the prose just before it
    continued: bool = False       # the row began with "=": its first side is the previous row's last

    @property
    def relations(self) -> list:
        return list(zip(self.sides, self.sides[1:]))


@dataclass
class Given:
    line: int
    name: str                     # as written (canonicalised by the checker)
    value: str                    # a number or a bracketed list


@dataclass
class Extracted:
    steps: list = field(default_factory=list)
    givens: list = field(default_factory=list)
    truncated: bool = False


def extract(trace: str) -> Extracted:
    """Steps and givens of a markdown trace, in reading order."""
    out = Extracted(truncated=len(trace) > MAX_TRACE)
    text = _NAME_THEN_VALUE.sub(r"\1", trace[:MAX_TRACE])
    starts = _line_starts(text)
    pos, previous_last = 0, None
    for match in _DISPLAY.finditer(text):
        _prose(text[pos:match.start()], _line_at(starts, pos), out)
        body = next(g for g in (match.group(1), match.group(2), match.group(4), match.group(5)) if g is not None)
        context = _last_sentence(text[max(0, match.start() - 200):match.start()])
        for offset, row in _rows(body):
            line = _line_at(starts, match.start() + offset)
            step = _step(row, line, context, previous_last)
            if step is not None:
                out.steps.append(step)
                previous_last = step.sides[-1]
            context = ""
        pos = match.end()
    _prose(text[pos:], _line_at(starts, pos), out)
    out.steps.sort(key=lambda s: s.line)
    del out.steps[MAX_STEPS:]
    return out


def split_sides(row: str) -> list:
    """`A = B = C` -> [A, B, C], splitting only at top-level `=` signs."""
    sides, depth, start, i = [], 0, 0, 0
    while i < len(row):
        ch = row[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == "=" and depth == 0 and row[i - 1:i] not in ("<", ">", "!", ":", "=") and row[i + 1:i + 2] != "=":
            sides.append(row[start:i])
            start = i + 1
        i += 1
    sides.append(row[start:])
    return [s.strip() for s in sides]


# -- math rows ---------------------------------------------------------------
def _rows(body: str):
    """(offset in body, row text) for each row of a display, matrices protected."""
    body = _MATRIX_ENV.sub(lambda m: _matrix_literal(m.group(2)), body)
    body = _ENV_WRAPPER.sub(" ", body)
    offset = 0
    for raw in re.split(r"(\\\\(?:\[[^\]]*\])?)", body):
        if raw.startswith("\\\\"):
            offset += len(raw)
            continue
        for piece in _BREAKS.split(raw):
            yield offset, piece
        offset += len(raw)


def _matrix_literal(body: str) -> str:
    """\\begin{bmatrix} 2 \\\\ 1 \\end{bmatrix} -> [[2], [1]]; a single row -> [2, 1]."""
    rows = [r for r in (row.strip() for row in body.split("\\\\")) if r]
    cells = [[c.strip() for c in re.split(r"&|,", row) if c.strip()] for row in rows]
    if len(cells) == 1:
        return "[" + ", ".join(cells[0]) + "]"
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in cells) + "]"


def _step(row: str, line: int, context: str, previous_last) -> Step | None:
    text = " ".join(_TEXT_COMMAND.sub(" ", row).replace("&", " ").split()).strip(" .,:")
    if not text or "=" not in text or _SETS.search(text) or _RELATION_WORDS.search(text):
        return None
    sides = split_sides(text)
    # "= C" continues the row before; "\text{the total} = C" names nothing we can read
    continued = sides[0] == "" and row.replace("&", " ").strip().startswith("=")
    if sides[0] == "":
        if continued and previous_last is not None:
            sides[0] = previous_last
        else:
            sides, continued = sides[1:], False
    if len(sides) < 2 or any(not s for s in sides):
        return None
    return Step(line, text, sides, context, continued)


# -- prose -------------------------------------------------------------------
def _prose(chunk: str, first_line: int, out: Extracted) -> None:
    """Plain-equation lines become steps; values stated in sentences become givens."""
    for i, raw in enumerate(chunk.split("\n")):
        line = first_line + i
        stripped = raw.strip().strip("-*` ").rstrip(".,;:")
        if _is_plain_equation(stripped) and not _settings_list(stripped):
            step = _step(stripped, line, "", None)
            if step is not None:
                out.steps.append(step)
                continue
        for m in _GIVEN.finditer(raw):
            out.givens.append(Given(line, m.group(1), m.group(2)))


def _settings_list(line: str) -> bool:
    """`beta = 0.9, eta = 0.1, epsilon = 1e-8`: several values set, not a step."""
    found = _GIVEN.findall(line)
    rest = _GIVEN.sub("", line)
    return len(found) > 1 and not re.sub(r"[\s,;]|\band\b", "", rest)


def _is_plain_equation(line: str) -> bool:
    if "=" not in line or len(line) > 300:
        return False
    words = [w for w in _PROSE_WORD.findall(line) if w.lower() not in _MATH_WORDS]
    return not words


def _last_sentence(text: str) -> str:
    text = " ".join(_DISPLAY.sub(" … ", text).split())
    parts = re.split(r"(?<=[.!?])\s+", text)
    return parts[-1][-160:] if parts else ""


def _line_starts(text: str) -> list:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def _line_at(starts: list, pos: int) -> int:
    import bisect

    return bisect.bisect_right(starts, pos)
