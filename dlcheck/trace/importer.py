"""`dlcheck import`: a markdown write-up -> a submission file.

The write-up's block structure comes from markdown-it (writeup.py): a `# 3.2`
inside a code fence or a `$$` block is never a heading. Headings, and paragraphs
that are a heading of their own (`1.1.1`, `Question 2:`, `3-1:`), are mapped to
the set's ids (labels.py: dotted ids, `Problem N`, `Question 3b`, `Problem 10b`,
`3-1`, `Problem A` under a numbered section, `(b)` or numbered items under a
question whose ids are lettered). A section with no heading of its own (a
reviewed answer that starts with "ChatGPT trace:" right after the previous one's
Solution; the text under a bare `3`) is taken as the one problem of the set that
lies between its neighbours, and said so.

A reviewed write-up (an LLM's answers with a reviewer's critiques, as seed 000)
is split further: the LLM's working becomes the `trace`, the "Solution" that was
submitted becomes the `answer` (its text for a text part, its code for a code
part, named values read from it for the others), and the critique becomes the
`critique`, with a verdict only where the critique states one in words.

Where the working states a part's answer under a name the part declares
(`η = …`, `λ̃ = …`, `w* = …`), the last such statement becomes the part's
`answer`, marked in a comment as extracted so that a TA checks it. Every
section that maps to no problem is listed, with its lines, never dropped.

One numbering everywhere: lines are the write-up's lines (1-based). Each entry
of the generated file carries `source: {file, line}`, the write-up line of its
trace's first line, so that the grader reports the working's lines as the
write-up's. Nothing here evaluates the text: it is only split and copied."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.errors import WriteupFileError
from dlcheck.trace import labels
from dlcheck.trace.extract import extract
from dlcheck.trace.writeup import blocks
from dlcheck.yamlsrc import MAX_FILE_BYTES, YamlError, read_bytes

MAX_SECTION = 20_000                    # characters of one trace, answer or critique copied
MAX_WRITEUP_BYTES = MAX_FILE_BYTES      # the submission it becomes must stay readable
MAX_LINES = 100_000                     # markdown-it reads 10-30k blocks/s: bounds the time of one import
COMMENT_LINES = 12                      # lines of a critique shown as comments
# escape sequences and bidi overrides mean nothing in markdown and would reach terminals; a
# byte-order mark, surrogates and U+FFFE/U+FFFF would make the YAML unreadable
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
_SEPARATORS = re.compile(r"[\u2028\u2029]")     # line breaks to YAML, not to the user's editor
_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
_ROLE_NAMES = {"trace": "working", "critique": "critique", "solution": "Solution"}


@dataclass
class Critique:
    """A reviewer's critique of one answer, as the write-up gives it."""

    text: str
    start: int                    # write-up lines
    end: int
    verdict: str | None = None    # only where the critique states one in words
    stated: str = ""              # the words that state it
    answer: str | None = None     # the reviewer's own answer, for a problem whose one part is text


@dataclass
class Section:
    heading: str                  # as written; "(…)" when the section has no heading of its own
    line: int                     # the section's first line (its heading's)
    problem: str | None           # catalog id within the set, None when unmapped
    text: str = ""                # the working: the problem's `trace`
    text_line: int = 0            # the write-up line of the first line of `text`
    end: int = 0                  # the section's last line
    answers: dict = field(default_factory=dict)   # part -> (value text, write-up line, how it was read)
    spans: dict = field(default_factory=dict)     # working | critique | Solution -> (first, last line)
    critique: Critique | None = None
    note: str = ""                # how its id was inferred, or why it is not graded
    empty: bool = False           # a heading with nothing under it

    @property
    def trace(self) -> str:
        """The working as the submission's `trace` (a text part's section is its answer instead)."""
        return "" if any(how == "text" for _, _, how in self.answers.values()) else self.text


@dataclass
class Imported:
    set: str
    sections: list

    @property
    def mapped(self) -> list:
        return [s for s in self.sections if s.problem and not s.empty]

    @property
    def unmapped(self) -> list:
        return [s for s in self.sections if not s.problem]

    @property
    def unanswered(self) -> list:
        return [s for s in self.sections if s.problem and s.empty]

    @property
    def inferred(self) -> list:
        return [s for s in self.mapped if s.note]


def read_writeup(path: Path) -> str:
    """A write-up's text: a regular file of at most MAX_WRITEUP_BYTES (a FIFO or a device is
    refused before it is read), undecodable bytes replaced."""
    try:
        return read_bytes(path, MAX_WRITEUP_BYTES).decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise WriteupFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise WriteupFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except YamlError as exc:
        raise WriteupFileError(f"{path}: {exc}") from None


def import_writeup(text: str, set_name: str, bank) -> Imported:
    if len(text) > MAX_WRITEUP_BYTES:
        raise WriteupFileError(f"the write-up is {len(text):,} characters; the limit is {MAX_WRITEUP_BYTES:,}")
    text = _SEPARATORS.sub(" ", _CONTROL.sub("", text))   # \r goes too: lines are counted at \n only
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()                                  # the newline that ends the last line starts none
    if len(lines) > MAX_LINES:
        raise WriteupFileError(f"the write-up has {len(lines):,} lines; the limit is {MAX_LINES:,}")
    ids = labels.Ids(pid.split("/", 1)[1] for pid in bank.problem_ids(set_name))
    marks = _marks(blocks(text), lines, ids)
    reviewed = any(m.kind == "role" and m.role == "critique" for m in marks)
    units = _units(marks, lines, reviewed)
    units = _split_families(units, ids)
    _infer_headless(units, ids, lines)
    sections = []
    for unit in _merge(units, lines):
        section = _section(unit, lines)
        if section.problem and not section.empty:
            _read_answers(bank.problem(f"{set_name}/{section.problem}"), section, lines)
        sections.append(section)
    return Imported(set_name, sections)


# -- marks: what each heading or label line says ---------------------------------------------
@dataclass
class _Mark:
    line: int
    kind: str                     # problem | unmapped | group | role | item | sub
    text: str                     # the line as written
    problem: str | None = None
    role: str | None = None       # role: trace | critique | solution
    rest: str = ""                # role: text after the label on its line
    letter: str | None = None     # sub: the subpart letter
    major: str | None = None
    points: bool = False          # item: "1. (5) …"
    family: bool = False          # problem: a bare number mapped to the first of its lettered ids


def _marks(found: list, lines: list, ids: labels.Ids) -> list:
    """Headings, the labels of a reviewed answer, subparts and numbered items, in line order. A
    heading is a markdown heading or a line of a top-level paragraph (an export without blank
    lines runs "b\nQuestion 3:\nc" together); never a line of code, math, a list or a quote."""
    out, state = [], {"major": None}
    for block in found:
        if block.kind == "heading":
            _read_line(block.text, block.start, ids, state, out, markdown=True, alone=True, first=True)
        elif block.kind == "paragraph":
            for line in range(block.start, block.end + 1):
                _read_line(lines[line - 1].strip(), line, ids, state, out, markdown=False,
                           alone=block.start == block.end, first=line == block.start)
        elif block.kind == "list" and block.ordered:
            out.extend(_Mark(line, "item", text, points=labels.points_item(text)) for line, text in block.items)
    return out


def _read_line(raw: str, line: int, ids: labels.Ids, state: dict, out: list, markdown: bool, alone: bool,
               first: bool) -> None:
    head = labels.heading(raw, ids, state["major"], markdown, alone=alone, inside=not first)
    if head is not None and head.kind == "letter":               # "Problem B" under "2 Depth vs. Width"
        found = ids.lettered(head.major, head.letter) if head.major else None
        head = labels.Heading("problem", found, head.major) if found else labels.Heading("unmapped", major=head.major)
    if head is not None and head.kind == "sub":
        out.append(_Mark(line, "sub", raw, letter=head.letter))
    elif head is not None:
        state["major"] = head.major or state["major"]
        if head.kind != "major":
            out.append(_Mark(line, head.kind, raw, problem=head.id, major=head.major, family=head.family))
    elif (role := labels.role(raw)) is not None:
        out.append(_Mark(line, "role", raw, role=role[0], rest=role[1]))
    elif first and not markdown and (letter := labels.subpart(raw)):
        out.append(_Mark(line, "sub", raw, letter=letter))


# -- units: a run of lines that belongs to one heading ----------------------------------------
@dataclass
class _Unit:
    start: int
    end: int
    kind: str                     # problem | unmapped | group | preamble | headless
    heading: str
    problem: str | None = None
    titled: bool = True           # `start` is a heading line: the content starts below it
    marks: list = field(default_factory=list)
    note: str = ""
    major: str | None = None
    family: bool = False
    judged: bool = False          # a critique or a Solution label has been read in it

    @property
    def content_start(self) -> int:
        return self.start + 1 if self.titled else self.start

    def has_content(self, lines: list) -> bool:
        return any(lines[i - 1].strip() for i in range(self.content_start, self.end + 1))


def _units(marks: list, lines: list, reviewed: bool) -> list:
    units = [_Unit(1, len(lines), "preamble", "(before the first heading)", titled=False)]
    for mark in marks:
        current = units[-1]
        if mark.kind in ("problem", "unmapped", "group"):
            current.end = mark.line - 1
            units.append(_Unit(mark.line, len(lines), mark.kind, mark.text, mark.problem, major=mark.major,
                               family=mark.family))
        elif mark.kind == "role":
            if not reviewed:
                continue            # a student's "Solution:" is part of the working
            if mark.role == "trace" and current.judged:
                # the next reviewed answer begins, with no heading of its own
                current.end = mark.line - 1
                units.append(_Unit(mark.line, len(lines), "headless", "(no heading) " + mark.text,
                                   titled=False, marks=[mark], major=current.major))
            else:
                current.marks.append(mark)
                current.judged = current.judged or mark.role != "trace"
        else:
            current.marks.append(mark)
    return units


def _split_families(units: list, ids: labels.Ids) -> list:
    """Under a question whose ids are lettered (p10a, p10b), its numbered items ("1. (5) …" once
    per subpart, or exactly as many items as subparts) or its "(b)" paragraphs start the subparts."""
    out = []
    for unit in units:
        family = ids.family_of(unit.problem) if unit.kind == "problem" else []
        if len(family) < 2:
            out.append(unit)
            continue
        position = family.index(unit.problem)
        items = [m for m in unit.marks if m.kind == "item"]
        starts = []
        if unit.family and items and (len(items) == len(family) or all(m.points for m in items)):
            starts = [(m, family[k]) for k, m in enumerate(items[:len(family)])]
        else:
            for mark in (m for m in unit.marks if m.kind == "sub"):
                found = ids.lettered(unit.major, mark.letter) if unit.major else None
                if found in family and family.index(found) > position:
                    starts.append((mark, found))
                    position = family.index(found)
        pieces = [unit]
        for mark, pid in starts:
            last = pieces[-1]
            piece = _Unit(mark.line, last.end, "problem", mark.text, pid, titled=False, major=unit.major)
            piece.marks = [m for m in last.marks if m.line >= mark.line]
            last.marks = [m for m in last.marks if m.line < mark.line]
            last.end = mark.line - 1
            pieces.append(piece)
        out.extend(pieces)
    return out


def _infer_headless(units: list, ids: labels.Ids, lines: list) -> None:
    """A section with content but no heading of its own (a bare `3` above it, or a reviewed answer
    that starts right after the previous one's Solution) is the one problem between its neighbours."""
    used = {u.problem for u in units if u.problem}
    before_of, last = [], None                       # the nearest unit with a problem on each side
    for unit in units:
        before_of.append(last)
        last = unit if unit.problem else last
    after_of, last = [None] * len(units), None
    for k in range(len(units) - 1, -1, -1):
        after_of[k] = last
        last = units[k] if units[k].problem else last
    for k, unit in enumerate(units):
        if unit.kind not in ("group", "headless") or not unit.has_content(lines):
            continue
        before, after = before_of[k], after_of[k]
        low = ids.index(before.problem) + 1 if before else 0
        high = ids.index(after.problem) if after else len(ids.order)
        between = [pid for pid in ids.order[low:high] if pid not in used]
        if unit.kind == "group" and unit.major:
            between = [pid for pid in between if _under(pid, unit.major)]
        if len(between) != 1:
            unit.note = ("no heading of its own, and " +
                         (f"{len(between)} problems of the set lie between its neighbours"
                          if between else "no unanswered problem lies between its neighbours"))
            continue
        unit.problem, unit.kind = between[0], "problem"
        used.add(between[0])
        around = " and ".join(f"{u.problem} (line {u.start})" for u in (before, after) if u)
        unit.note = (f"no heading of its own: taken as {between[0]}, the one problem of the set "
                     f"between {around or 'the ends of the write-up'}; check it")


def _under(pid: str, major: str) -> bool:
    return pid.startswith(major + ".") or bool(re.fullmatch(rf"[a-z]*{re.escape(major)}[a-z]?", pid, re.I))


def _merge(units: list, lines: list) -> list:
    """Neighbouring units of one problem ("Question 3:" then "3-1:") become one; a problem that
    comes back later is listed, not merged (its lines would not follow on)."""
    out, first_at = [], {}
    for unit in units:
        if unit.kind == "group" and not unit.has_content(lines):
            continue                                 # "### 2.2" above "### 2.2.1": structure only
        if unit.kind == "preamble" and not unit.has_content(lines):
            continue
        previous = out[-1] if out else None
        if unit.problem and previous is not None and previous.problem == unit.problem:
            previous.end = unit.end
            previous.marks += unit.marks
            continue
        if unit.problem and unit.problem in first_at:
            unit.note = f"repeats {unit.problem} (first at line {first_at[unit.problem]}): not merged, not graded"
            unit.problem = None
        elif unit.problem:
            first_at[unit.problem] = unit.start
        out.append(unit)
    return out


# -- a unit -> a section: the working, the critique, the Solution ------------------------------
def _section(unit: _Unit, lines: list) -> Section:
    section = Section(" ".join(unit.heading.split()), unit.start, unit.problem, end=unit.end, note=unit.note)
    roles = [m for m in unit.marks if m.kind == "role"]
    first_other = next((m.line for m in roles if m.role != "trace"), unit.end + 1)
    start = unit.content_start
    opening = next((m for m in roles if m.role == "trace"), None)
    if opening is not None and opening.line < first_other and not opening.rest \
            and not any(lines[i - 1].strip() for i in range(start, opening.line)):
        start = opening.line + 1                     # the "ChatGPT trace" label is not working
    section.text, section.text_line = _text(lines, start, first_other - 1)
    if section.text:
        section.spans["working"] = (section.text_line, section.text_line + section.text.count("\n"))
    for k, mark in enumerate(roles):
        if mark.role == "trace" or _ROLE_NAMES[mark.role] in section.spans:
            continue
        end = next((m.line - 1 for m in roles[k + 1:] if m.role != mark.role), unit.end)
        section.spans[_ROLE_NAMES[mark.role]] = (mark.line, end)
    if "critique" in section.spans:
        a, b = section.spans["critique"]
        mark = next(m for m in roles if m.role == "critique")
        body, _ = _text(lines, a, b, first_line=mark.rest)
        section.critique = Critique(body, a, b)
        stated = labels.stated_verdict(body)
        if stated:
            section.critique.verdict, section.critique.stated = stated
    section.empty = bool(unit.problem) and not section.text and not (set(section.spans) - {"working"})
    return section


def _text(lines: list, first: int, last: int, first_line: str | None = None):
    """(text, its first line) of write-up lines first..last, blank lines trimmed at both ends;
    `first_line` replaces line `first` (a label's line holds only the text after the label)."""
    rows = lines[first - 1:last]
    if first_line is not None and rows:
        rows[0] = first_line
    top = next((k for k, row in enumerate(rows) if row.strip()), len(rows))
    bottom = next((k for k in range(len(rows), top, -1) if rows[k - 1].strip()), top)
    first += top
    text = "\n".join(rows[top:bottom])[:MAX_SECTION]   # a prefix: line k stays line first + k - 1
    return text, (first if text else 0)


# -- answers ------------------------------------------------------------------------------------
def _read_answers(problem, section: Section, lines: list) -> None:
    parts = problem.parts
    text_parts = [name for name, part in parts.items() if part.kind == "text"]
    code_parts = [name for name, part in parts.items() if part.kind == "code"]
    if "Solution" in section.spans:
        a, b = section.spans["Solution"]
        mark_rest = labels.role(lines[a - 1])
        solution, line = _text(lines, a, b, first_line=(mark_rest[1] if mark_rest else ""))
        if len(code_parts) == 1 and solution:
            code = _code(solution)
            if code:
                section.answers[code_parts[0]] = (code, line, "code")
        if len(text_parts) == 1 and solution:
            section.answers[text_parts[0]] = (solution, line, "solution")
        _extracted_answers(problem, solution, line, section.answers)
    elif len(parts) == 1 and text_parts and section.text:
        section.answers[text_parts[0]] = (section.text, section.text_line, "text")
    if section.text:
        _extracted_answers(problem, section.text, section.text_line, section.answers)
    if section.critique is not None and len(parts) == 1 and text_parts:
        section.critique.answer = section.critique.text or None


def _extracted_answers(problem, text: str, first_line: int, found: dict) -> None:
    """The last statement of each name that states a part's answer, for parts not yet answered."""
    names = dict(problem.trace_answers)
    if not names:
        return
    name_of = _side_names(problem.trace_math)
    new = {}
    for step in extract(text).steps:
        part = names.get(name_of(step.sides[0]) or "")
        if part and part not in found and problem.parts[part].kind in ("expr", "mexpr", "vector", "number"):
            new[part] = (step.sides[-1], first_line + step.line - 1, "extracted")
    found.update(new)


def _side_names(ctx):
    """text -> the name a step's side states (`w^*` -> w_star), read as the trace audit reads it
    (sides.py is being reworked: its reader class where it has one, else read_side)."""
    from dlcheck.trace import sides

    if hasattr(sides, "SideReader"):
        reader = sides.SideReader(ctx)
        return lambda text: reader.read(text).key
    return lambda text: sides.read_side(text, ctx).key


def _code(solution: str) -> str:
    """The code of a Solution block: the text from its first fence to its last, fence lines
    dropped (a page break in an export splits one program into several fences); markdown
    escapes (`\\_`, `\\*`) outside the fences are read as the characters they stand for."""
    rows = solution.split("\n")
    fences = [k for k, row in enumerate(rows) if _FENCE.match(row)]
    if len(fences) < 2:
        return ""
    out, inside = [], False
    for row in rows[fences[0]:fences[-1] + 1]:
        if _FENCE.match(row):
            inside = not inside
            continue
        if inside and out == [] and row.strip() in ("python", "py", "Copy code"):
            continue
        out.append(row if inside else re.sub(r"\\([_*#])", r"\1", row))
    return "\n".join(out).strip("\n")


# -- writing the submission ----------------------------------------------------
def to_yaml(imported: Imported, source: str) -> str:
    """The submission file. `source`: the write-up's name as `source:` and the comments give it."""
    where, name = json.dumps(source), _oneline(_SEPARATORS.sub(" ", _CONTROL.sub("", source)))
    lines = [f"# Imported by `dlcheck import` from {name}: one entry per problem found.",
             "# Each section's working is its `trace`; `source` gives the write-up line of the trace's",
             "# first line, so the grader reports the working's lines as the write-up's. Answers marked",
             "# 'extracted' were read from the working and need a TA's check. Missing answers are graded",
             "# `missing`.",
             f"set: {imported.set}", "answers:"]
    for section in imported.mapped:
        lines.append(f"  {json.dumps(section.problem)}:   # {_heading_comment(section)}")
        if section.note:
            lines.append(f"    # {_oneline(section.note, 200)}")
        spans = ", ".join(f"{name} {_range(*span)}" for name, span in section.spans.items())
        if section.line:                  # 0: a section with no lines of the write-up (a notebook's code)
            lines.append(f"    # {name}: lines {_range(section.line, section.end)}"
                         + (f" ({spans})" if spans else ""))
        if section.answers:
            lines.extend(_answer_yaml(section))
        if section.trace.strip():
            lines.append(f"    source: {{file: {where}, line: {section.text_line}}}")
            lines.append("    trace: |2-")
            lines.extend(_block(section.trace, 6))
        if section.critique is not None:
            lines.extend(_critique_yaml(section.critique))
    notes = [s for s in imported.sections if not s.problem or s.empty]
    if notes:
        lines.append("# Sections that are not graded (kept in the write-up, listed here):")
        for section in notes:
            lines.append(f"#   {_listing(section)}")
    return "\n".join(lines) + "\n"


def _answer_yaml(section: Section) -> list:
    out = ["    answer:"]
    for part, (value, line, how) in section.answers.items():
        last = line + value.count("\n")
        why = {"extracted": f"extracted from line {line}: check it",
               "solution": f"the Solution, lines {_range(line, last)}",
               "code": f"the Solution's code, lines {_range(line, last)}, fences removed: check it",
               "text": f"the section's text, lines {_range(line, last)}: for a person to review"}.get(how, how)
        # any other `how` is its own comment (notebook.py: code read from the notebook's cells)
        if "\n" in value or how != "extracted":
            out.append(f"      {part}: |2-   # {why}")
            out.extend(_block(value, 8))
        else:
            out.append(f"      {part}: {json.dumps(value, ensure_ascii=False)}   # {why}")
    return out


def _critique_yaml(critique: Critique) -> list:
    out = [f"    # critique, lines {_range(critique.start, critique.end)}:"]
    shown = critique.text.split("\n")
    rows = [row for row in shown if row.strip()]
    out.extend(f"    #   {_oneline(row, 160)}" for row in rows[:COMMENT_LINES])
    if len(rows) > COMMENT_LINES:
        out.append(f"    #   (… {len(rows) - COMMENT_LINES} more lines in the write-up)")
    if critique.verdict:
        out.append("    critique:")
        out.append(f"      verdict: {critique.verdict}   # stated: \"{_oneline(critique.stated, 100)}\"")
    elif critique.answer:
        out.append("    critique:   # it states no verdict")
    else:
        out.append("    critique: {}   # it states no verdict")
    if critique.answer:
        out.append("      answer: |2-")
        out.extend(_block(critique.answer, 8))
    return out


def _block(text: str, indent: int) -> list:
    pad = " " * indent
    return [(pad + row.rstrip()) if row.strip() else "" for row in text.split("\n")]


def _heading_comment(section: Section) -> str:
    if not section.line:
        return section.heading
    if section.heading.startswith("(no heading)"):
        return f"no heading; begins on line {section.line}"
    return f"heading on line {section.line}: {_oneline(section.heading)}"


def _listing(section: Section) -> str:
    count = section.end - section.line + 1
    what = ("nothing under the heading: not answered" if section.empty
            else section.note or "maps to no problem of the set")
    return f"line {section.line}: {_oneline(section.heading, 60)} ({count} lines): {what}"


def summary(imported: Imported) -> str:
    how = [how for s in imported.mapped for _, _, how in s.answers.values()]
    read = [f"{how.count(k)} {label}" for k, label in (("extracted", "extracted from the working (check them)"),
                                                       ("solution", "from a Solution"),
                                                       ("code", "code from a Solution (check it)"),
                                                       ("text", "sections as text answers")) if how.count(k)]
    critiques = [s.critique for s in imported.mapped if s.critique is not None]
    stated = sum(1 for c in critiques if c.verdict)
    return (f"{len(imported.mapped)} sections mapped to {imported.set} problems"
            + (f" ({len(imported.inferred)} inferred: check them)" if imported.inferred else "")
            + f"; answers: {', '.join(read) if read else 'none read'}"
            + (f"; {len(critiques)} critiques, {stated} stating a verdict" if critiques else "")
            + f"; unmapped: {len(imported.unmapped)}; headings with nothing under them: {len(imported.unanswered)}")


def notes(imported: Imported) -> list:
    """One line per section that is not graded or whose id was inferred, for stderr."""
    out = [f"unmapped, {_listing(s)}" for s in imported.unmapped]
    out += [f"not answered, line {s.line}: {_oneline(s.heading, 60)}" for s in imported.unanswered]
    out += [f"inferred, line {s.line}: {s.note}" for s in imported.inferred]
    return out


def _range(first: int, last: int) -> str:
    return f"{first}" if first >= last else f"{first}–{last}"


def _oneline(text: str, limit: int = 80) -> str:
    return " ".join(str(text).split())[:limit]
