"""Markdown working -> steps.

A step is one equation chain (`A = B = C`, also `≈ ≤ ≥ < >`), judged link by
link. Chains are found in every line: display rows (`$$…$$`, `\\[…\\]`,
`aligned`, split at `\\\\`; a row that starts with `=` continues the row
before), inline `$…$`, plain lines, table cells and bullet points. A line is
cut into clauses at separators (`;`, `:`, `,`, `→`, `⇒`, `\\quad`, words such
as *so*, *then*, *with*), and a chain's outer sides drop the words around
them: `one filter: 5*5*3 = 75 weights` reads `5*5*3 = 75`, `params
16*(3*7+1) = 352` reads `16*(3*7+1) = 352`, while `total = …` and `naive ops =
…` name something. Each step keeps the line where its own text is (a row
inside a display, not the `$$` line), the words before it on its line (its
label: `(b)`, `wd:`, `conv1:`), the heading it sits under, and whether the
prose defines (*let*, *where*, `:=`) or supposes (*if*, *suppose*, *try*).
Lines that look like mathematics but give no step are listed as unread."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

MAX_TRACE = 50_000          # characters of working read; the rest is ignored (and said so)
MAX_STEPS = 400

_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\begin\{(aligned|align\*?|equation\*?|gather\*?|split)\}(.+?)"
                      r"\\end\{\3\}", re.S)
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_RELATION = re.compile(r":=|≡|\\equiv(?![A-Za-z])|==|<=(?!>)|>=|≤|≥|≠|≈|\\approx(?![A-Za-z])|\\neq?(?![A-Za-z])|"
                       r"\\leq?(?![A-Za-z])|\\geq?(?![A-Za-z])|\\leqslant|\\geqslant|(?<![<>!:=\\])=(?![=>])|"
                       r"(?<![-<\\])<(?![=-])|(?<![-=<])>(?!=)")
_REL_NAMES = {":=": ":=", "≡": ":=", "\\equiv": ":=", "==": "=", "<=": "≤", ">=": "≥", "≤": "≤", "≥": "≥", "≠": "≠",
              "≈": "≈", "\\approx": "≈", "\\ne": "≠", "\\neq": "≠", "\\le": "≤", "\\leq": "≤", "\\ge": "≥",
              "\\geq": "≥", "\\leqslant": "≤", "\\geqslant": "≥", "=": "=", "<": "<", ">": ">"}
_CONNECTIVES = (r"so|then|and|with|where|hence|thus|since|gives|giving|needs?|because|therefore|i\.e\.|e\.g\.|is|are|"
                r"for|when|iff|if|check|try|take|here|vs|of|which|while|whereas|means|becomes|yields|get|gets|using|"
                r"or|but|also|at|from|by|to|as|implies|we|on|in|over|after|under|into|than|not|all|every|each|both|only")
_SEPARATOR = re.compile(r"\t|\\\\|\\q?quad(?![A-Za-z])|\\in(?![A-Za-z])|∈|\\(?:Longrightarrow|Rightarrow|implies|iff|Longleftrightarrow|"
                        r"Leftrightarrow|Leftarrow|longrightarrow|rightarrow|to|mapsto|leftarrow|text\{\s*(?:"
                        + _CONNECTIVES + r")\s*[.,]?\s*\})(?![A-Za-z])|;|:(?!=)|(?<!\\)(?<!\d,\d\d),(?!\d{3}(?!\d)|\d\d,\d)|⇒|⟹|⟺|⇔|<=>|=>|"
                        r"→|->|←|✓|✗|\\checkmark|\*\*|\.(?=\s+[A-Z*($\\])|\.\s*$|"
                        r"(?<![\\A-Za-z])(?:" + _CONNECTIVES + r")(?![A-Za-z])", re.I)
_CONDITIONAL = re.compile(r"<=>|⟺|⇔|\\iff|\\Leftrightarrow|\\Longleftrightarrow|iff\b|when\b|if\b|exactly|whenever", re.I)
# "S ∈ {0,1}^{n×b}", "g = Xᵀa ∈ ℝ^d", "w ∈ \\mathbb{R}^{d}": the shape of a letter the working introduces
_DECLARATION = re.compile(r"(?<![\\\w])((?:\\?[A-Za-z]+)(?:_\{?\w+\}?)?)\s*\$?\s*(?:\\in(?![A-Za-z])|∈)\s*\$?\s*"
                          r"(?:\\mathbb\s*\{\s*R\s*\}|ℝ|\\R(?![A-Za-z])|R|\\\{\s*0\s*,\s*1\s*\\\}|\{0,\s*1\})\s*"
                          r"\^\s*(\{[^{}$]*\}|\w)")
_MATRIX_BEGIN = re.compile(r"\\begin\{([bpvV]?matrix|array|cases)\}")
_DEFINING = re.compile(r"\b(?:let|define|defines|defined|denote|denoted|where|with|write|writing|set|setting|name|call|"
                       r"abbreviate|introduce)\b|:=|≡|\\equiv", re.I)
_SUPPOSING = re.compile(r"\b(?:suppose|assume|assuming|if|try|take|pick|choose|say|e\.g\.|for example|for instance|"
                        r"consider|hypothetically|show|prove|claim|goal|want|whether)\b", re.I)
_ANNOUNCING = re.compile(r"\b(?:is|are|be|get|gets|gives|give|becomes|simplif\w*|expand\w*|writ\w*|rewrit\w*|"
                         r"substitut\w*|plug\w*|obtain\w*|have|has|yields|follows|as|we|by|from)\s*:?$|"
                         r"\b(?:we|us|let's|note|recall|since|because|then|so|thus|hence)\b", re.I)
_STOPWORDS = {"is", "of", "by", "to", "in", "on", "at", "as", "if", "or", "an", "we", "be", "so", "it", "no", "vs"}
_HEADING = re.compile(r"^\s*(?:[-*+]\s+)?(?:\d{1,2}[.)]\s+\S|#{1,6}\s|\*\*|__|\(?[a-z]\)\s|\(?[ivx]+\)\s|part\b|step\b|case\b|question\b|problem\b)", re.I)
_PROSE_WORD = re.compile(r"(?<![\\A-Za-z_])[A-Za-z]{3,}(?![A-Za-z_(])")


@dataclass
class Step:
    line: int                     # 1-based line of the trace where the chain's own text is
    text: str                     # the chain as written
    sides: list                   # [A, B, C] for A = B ≈ C (words around the outer sides dropped)
    rels: list = field(default_factory=list)    # relations between the sides: "=", ":=", "≈", "≤", "≥", "<", ">", "≠"
    label: str = ""               # the words before the chain on its line: "(b)", "wd", "conv1", "naive 3x3"
    section: str = ""             # the heading the step sits under
    context: str = ""             # the prose just before the chain (its sentence)
    continued: bool = False       # began with "=": its first side is the previous step's last
    head: str = ""                # for a continued step: the first side of the chain it continues
    defining: bool = False        # let / where / := …: the chain introduces a name
    supposing: bool = False       # if / suppose / try …: a value for the sake of the argument
    sentence: str = ""            # the prose of the sentence the chain ends ("The total number of … is")

    @property
    def relations(self) -> list:
        return list(zip(self.sides, self.sides[1:]))


@dataclass
class Unread:
    line: int
    text: str
    why: str


@dataclass
class Declaration:
    line: int
    name: str                     # as written
    dims: tuple                   # ("n", "b") for S ∈ {0,1}^{n×b}; ("d",) for g ∈ ℝ^d


@dataclass
class Extracted:
    steps: list = field(default_factory=list)
    unread: list = field(default_factory=list)
    declarations: list = field(default_factory=list)
    truncated: bool = False


def extract(trace: str) -> Extracted:
    """Steps of a markdown trace, in reading order, with what could not be read."""
    out = Extracted(truncated=len(trace) > MAX_TRACE)
    text = trace[:MAX_TRACE]
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    scanner = _Scanner(text, starts, out)
    pos = 0
    for match in _DISPLAY.finditer(text):
        scanner.prose(pos, match.start())
        group = next(g for g in (1, 2, 4) if match.group(g) is not None)
        scanner.display(match.start(group), match.end(group))
        pos = match.end()
    scanner.prose(pos, len(text))
    for m in _DECLARATION.finditer(text):
        dims = tuple(d.strip("{} ") for d in re.split(r"\\times|×|\*|(?<=\w)\s*x\s*(?=\w)", m.group(2)) if d.strip("{} "))
        before = text[max(0, m.start() - 40):m.start()].rstrip()
        alone = not before or before[-1] in "$(,:;\n" or re.search(r"(?<![\\A-Za-z])[a-z]{2,}$", before)
        if alone and 1 <= len(dims) <= 2 and all(re.fullmatch(r"[A-Za-z]|\d{1,3}", d) for d in dims):
            out.declarations.append(Declaration(scanner.line_of(m.start()), m.group(1), dims))
    out.steps.sort(key=lambda s: s.line)
    del out.steps[MAX_STEPS:]
    return out


def split_sides(row: str) -> list:
    """`A = B = C` -> [A, B, C], splitting only at top-level relations."""
    chain = _chains(row, 0, False)
    return [s for _, s in chain[0][0]] if chain else [row.strip()]


class _Scanner:
    """Walks the trace once, turning display rows and prose lines into steps."""

    def __init__(self, text: str, starts: list, out: Extracted):
        self.text, self.starts, self.out = text, starts, out
        self.section = ""
        self.previous_last: str | None = None     # the last side of the previous chain (for "= …" rows)
        self.previous_head: str = ""              # the first side of that chain
        self.previous_line = 0                    # the line that chain ended on

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def display(self, start: int, end: int) -> None:
        context = self._sentence_before(start)
        for row_start, row_end in _rows(self.text, start, end):
            self._chains(row_start, row_end, context, display=True)

    def prose(self, start: int, end: int) -> None:
        pos = start
        while pos < end:
            stop = self.text.find("\n", pos, end)
            stop = end if stop < 0 else stop
            self._line(pos, stop)
            pos = stop + 1

    def _line(self, start: int, end: int) -> None:
        raw = self.text[start:end]
        if not raw.strip():
            return
        found = self._chains(start, end, "", display=False)
        stripped = raw.strip()
        if not found and _looks_mathematical(stripped):
            self.out.unread.append(Unread(self.line_of(start), stripped[:160], "no equation read"))

    def _chains(self, start: int, end: int, context: str, display: bool) -> int:
        segment = self.text[start:end]
        table = segment.lstrip().startswith("|") and not segment.lstrip().startswith("||")
        if table and re.fullmatch(r"\s*\|[\s:|-]*\|?\s*", segment):
            return 0
        chains = _chains(segment, start, table)
        first = chains[0][0][0][0] - start if chains else len(segment)
        if display and not chains:
            row = _side(start, segment)[1]
            if row and re.search(r"[\dA-Za-z]", row):
                self.previous_last = row               # "&1024·(…) \\ &= …": the next row continues it
                self.previous_head = row
                self.previous_line = self.line_of(end)
        if not display and (_HEADING.match(segment) or not chains and _colon_heading(segment)):
            self.section = _words_only(segment[:first])[:120] or self.section     # "In total, for Block 5:"
        found = 0
        for sides, rels, lead, trail in chains:
            row_start = not re.sub(r"[\s&$*\-+]|\\\[|^\d+\.", "", self.text[start:sides[0][0]])
            step = self._step(sides, rels, lead, context, row_start)
            if step is not None and _CONDITIONAL.match(trail.strip(" $*,") or " "):
                step.supposing = True                  # "p = 0.5 <=> …", "P = 0.5 when z = 0"
            if step is not None:
                self.out.steps.append(step)
                self.previous_last = step.sides[-1]
                self.previous_head = step.head or step.sides[0]
                self.previous_line = self.line_of(sides[-1][0])
                found += 1
            elif any(s for _, s in sides):
                self.out.unread.append(Unread(self.line_of(sides[0][0]), _join(sides, rels)[:160],
                                              "a chain whose sides are not read"))
        return found

    def _step(self, sides, rels, pieces, context, row_start) -> Step | None:
        texts = [_plain_text(s) for _, s in sides]
        lead = " ".join(pieces)
        continued = texts[0] == "" and row_start and rels[0] in ("=", "≈") and self.previous_last is not None \
            and self._adjacent(sides[0][0])
        head = ""
        if continued:
            texts[0], head = self.previous_last, self.previous_head
        elif texts[0] == "":
            name = _trim_left(_words_only(pieces[-1])) if pieces else ""
            if name and _all_words(name):
                texts[0] = name                    # "params $= 16(3·7 + 1) = 352$": params is what it names
            else:
                sides, rels, texts = sides[1:], rels[1:], texts[1:]
                if not rels:
                    return None
        else:
            texts[0] = _trim_left(texts[0])
            if re.fullmatch(r"\(\s*-?\d+(?:\s*,\s*-?\d+)+\s*\)", texts[0]):
                lead = (lead + " " + texts[0]).strip()       # "(2,1) = 0 − 1 = −1": a position, not a value
                sides, rels, texts = sides[1:], rels[1:], texts[1:]
                if not rels:
                    return None
        texts[-1] = _trim_right(texts[-1])
        if any(not t for t in texts):
            return None
        at = sides[1][0] if continued else sides[0][0]
        before = " ".join(p for p in (context, lead) if p)
        return Step(self.line_of(at), _join(sides, rels).strip(), texts, list(rels), lead.strip(), self.section,
                    before[-200:], continued, head, bool(_DEFINING.search(lead)) or ":=" in rels,
                    bool(_SUPPOSING.search(lead)), self._sentence_of(sides[0][0]) or context)

    def _adjacent(self, pos: int) -> bool:
        """A row starting with "=" goes on from the chain that ended just before it (blank
        lines and display fences between them allowed), not from one several sentences back."""
        line = self.line_of(pos)
        between = self.text[self.starts[self.previous_line - 1]:self.starts[line - 1]].split("\n")[1:] \
            if 0 < self.previous_line < line else []
        return all(not b.strip() or re.fullmatch(r"\s*(?:\$\$|\\\[|\\\]|\\(?:begin|end)\{\w+\*?\})\s*", b)
                   for b in between)

    def _sentence_of(self, pos: int) -> str:
        """The words on the chain's line before it, from where its sentence starts."""
        line = self.text[self.starts[self.line_of(pos) - 1]:pos]
        return " ".join(re.split(r"(?<=[.!?])\s+(?=[A-Z*])", line)[-1].replace("$", " ").split())[-200:]

    def _sentence_before(self, pos: int) -> str:
        before = self.text[max(0, pos - 300):pos]
        before = _DISPLAY.sub(" … ", before.replace("$$", ""))
        parts = [p for p in re.split(r"(?<=[.!?])\s+|\n\s*\n", before) if p.strip()]
        return " ".join(parts[-1].split())[-200:] if parts else ""


def _rows(text: str, start: int, end: int):
    """(start, end) of each row of a display: split at \\\\ outside matrices, and at line
    breaks that begin a new relation row (a row's own line is where its text is)."""
    depth, row_start, i = 0, start, start
    while i < end:
        m = _MATRIX_BEGIN.match(text, i)
        if m:
            close = text.find("\\end{" + m.group(1) + "}", i, end)
            i = close + 6 + len(m.group(1)) if close >= 0 else end
            continue
        if text.startswith("\\\\", i):
            yield row_start, i
            i += 2
            extra = re.match(r"\[[^\]]*\]", text[i:end])
            i += extra.end() if extra else 0
            row_start = i
            continue
        i += 1
    yield row_start, end


def _chains(segment: str, offset: int, table: bool):
    """[(sides [(abs start, text)], rels, lead)] of one line or row; `lead` is the
    prose between the previous chain (or the line's start) and this one."""
    out, sides, rels, lead = [], [], [], []
    start = depth = i = dollars = 0

    def close(end):
        piece = segment[start:end]
        if rels:
            sides.append(_side(offset + start, piece))
            out.append((list(sides), list(rels), list(lead), ""))
            lead.clear()
        elif piece.strip():
            lead.append(piece.strip())
        sides.clear()
        rels.clear()

    while i < len(segment):
        ch = segment[i]
        m = _MATRIX_BEGIN.match(segment, i)
        if m:
            stop = segment.find("\\end{" + m.group(1) + "}", i)
            i = stop + 6 + len(m.group(1)) if stop >= 0 else len(segment)
            continue
        boundary = None
        if ch == "(" and depth == 0 and _remark_at(segment, i):
            boundary = i + 1                           # "t = 2 (so n = 1, d = 2)": a remark with equations
        elif ch == ")" and depth == 0:
            boundary = i + 1
        elif ch in _OPENERS or segment.startswith("\\left", i):
            depth += 1
        elif ch in ")]}" or segment.startswith("\\right", i):
            depth = max(0, depth - 1)
        if boundary is not None:
            pass
        elif ch == "$":
            dollars += 1
            boundary = None if _joins_relation(segment, i, dollars % 2 == 1) else i + 1
            if boundary is None:
                i += 1
                continue
        elif table and ch == "|" and depth == 0:
            boundary = i + 1
        elif segment.startswith(("\\,", "\\;", "\\!", "\\ "), i):
            i += 2
            continue
        elif depth == 0:
            sep = _SEPARATOR.match(segment, i)
            if sep and sep.end() > i and not _inside_name(segment, i, sep):
                boundary = sep.end()
            else:
                rel = _RELATION.match(segment, i)
                if rel:
                    sides.append(_side(offset + start, segment[start:i]))
                    rels.append(_REL_NAMES.get(rel.group(), "="))
                    i = start = rel.end()
                    continue
        if boundary is not None:
            count = len(out)
            close(i)
            if len(out) > count:                       # what ends a chain: "<=>" or "when" make it a supposition
                out[-1] = out[-1][:3] + (segment[i:boundary] + segment[boundary:boundary + 12],)
            i = start = boundary
            depth = 0
            continue
        i += 1
    close(len(segment))
    return out


def _colon_heading(line: str) -> bool:
    """`In total, for Block 5:` heads a section; `which simplifies to:` or `The gradient is:` only
    announce the next formula."""
    text = _words_only(line).strip()
    return text.endswith(":") and len(text) < 100 and text[:1].isupper() and not _ANNOUNCING.search(text)


def _remark_at(segment: str, i: int) -> bool:
    """A bracket that holds prose and an equation: `(so n = 1, d = 2)`, `(with a = Xw₀ − t)`."""
    depth = 0
    for j in range(i, min(len(segment), i + 200)):
        depth += {"(": 1, ")": -1}.get(segment[j], 0)
        if depth == 0:
            inner = segment[i + 1:j]
            return bool(_RELATION.search(inner)) and bool(re.match(r"\s*(?:" + _CONNECTIVES + r"|[a-z]{3,})\b", inner))
    return False


def _side(at: int, piece: str):
    """(where its text starts, text) of a side, without alignment marks and environment wrappers."""
    wrapper = re.match(r"(?:\s|&|\\(?:begin|end)\{(?:aligned|align\*?|equation\*?|gather\*?|split)\})*", piece)
    text = re.sub(r"\\(?:begin|end)\{(?:aligned|align\*?|equation\*?|gather\*?|split)\}", " ", piece[wrapper.end():])
    return at + wrapper.end(), text.replace("$", " ").strip().strip("&").strip()


def _joins_relation(segment: str, i: int, opening: bool) -> bool:
    """`$\\beta$ = 0.9` and `= $0.9$`: a dollar next to a relation is not a break."""
    after = segment[i + 1:].lstrip()
    before = segment[:i].rstrip()
    if not opening and _RELATION.match(after or " ") and not after.startswith(("<", ">")):
        return True
    return opening and before.endswith("=") and not before.endswith(("<=", ">="))


def _inside_name(segment: str, i: int, sep) -> bool:
    """A separator word inside a LaTeX command or a name (`\\text{for}` is handled, `form` is not `for`)."""
    word = sep.group()
    if not word[:1].isalpha():
        return False
    return i > 0 and (segment[i - 1].isalpha() or segment[i - 1] in "\\_")


def _join(sides, rels) -> str:
    out = sides[0][1]
    for (_, text), rel in zip(sides[1:], rels):
        out += f" {rel} {text}"
    return out


def _plain_text(side: str) -> str:
    """\\text{CNN neurons} -> CNN neurons (a name made of words, read as such)."""
    return re.sub(r"\\(?:text|textbf|textrm|mbox)\s*\{([^{}]*)\}", lambda m: " " + m.group(1) + " ", side).strip()


def _all_words(text: str) -> bool:
    return bool(text) and all(_is_prose_token(w) or re.fullmatch(r"[A-Za-z]\w*", w) for w in text.split())


def _trim_left(text: str) -> str:
    """Words before the first side's mathematics: `params 16*(3*7+1)` -> `16*(3*7+1)`,
    `(a) w1` -> `w1`; a side made of words only (`naive ops`) is kept: it is a name."""
    text = re.sub(r"^\s*(?:\(?[a-z]\)|\([ivx]+\)|\(\s*-?\d+(?:\s*,\s*-?\d+)+\s*\))\s+(?=\S)", "", text)   # (a) w1, (0,3,0) d
    words = list(re.finditer(r"\S+", text))
    if not words or not _is_prose_token(words[0].group()):
        return text
    for k, w in enumerate(words):
        if not _is_prose_token(w.group()):
            rest = text[w.start():]
            return rest if not any(_is_prose_token(x) for x in rest.split()) else text
    return text


def _trim_right(text: str) -> str:
    """Words after the last side's mathematics: `75 weights`, `50 hours`, `3  Red`,
    `0.6225 (rounded)`, `(498,16)` after an arrow is another clause."""
    remark = re.search(r"\s*\(([^()]*)\)\s*$", text)                     # a remark in brackets
    if remark and (any(_is_prose_token(w) for w in remark.group(1).split()) or _RELATION.search(remark.group(1))
                   or re.search(r"≪|≫|\\ll|\\gg|∝|\\propto|\\sim|~", remark.group(1))):
        text = text[:remark.start()]
    words = text.split()
    if len(words) < 2 or _is_prose_token(words[0]):
        return text
    k = next((i for i, w in enumerate(words) if i > 0 and _is_prose_token(w)), len(words))
    return " ".join(words[:k]) if k < len(words) else text


def _is_prose_token(token: str) -> bool:
    token = token.strip(".,;:*()")
    from dlcheck.trace.sides import MATH_WORDS

    if token in _STOPWORDS:
        return True
    return bool(re.fullmatch(r"[A-Za-z][a-z]{2,}(?:-[a-z]+)*", token)) and \
        token.lower() not in MATH_WORDS and token.lower() not in ("eta", "lam", "grad")


def _words_only(text: str) -> str:
    text = re.sub(r"\\(?:text|textbf|mathrm|mathbf)\{([^{}]*)\}", r"\1", text)
    return " ".join(re.sub(r"[*_`#$\\]", " ", text).split())


def _looks_mathematical(line: str) -> bool:
    """A line with a relation between mathematical pieces (not a sentence that says 'is')."""
    if not _RELATION.search(line):
        return False
    return bool(re.search(r"[\d=]", line)) and len(_PROSE_WORD.findall(line)) < 12
