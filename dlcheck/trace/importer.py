"""`dlcheck import`: a markdown write-up -> a submission file.

The write-up is split at its question headings (`1.1.1`, `### 2.2.3`,
`Problem 3`, `Question 2`, `3-1`, `Problem A` under a numbered section), each
heading is mapped to a catalog id of the set, and each section's text becomes
that problem's `trace`. Where the working states a part's answer under a name
the part declares (`η = …`, `λ̃ = …`, `w* = …`), the last such statement
becomes the part's `answer`, marked in a comment as extracted so that a TA
checks it. Headings that map to no id are listed, with their text, never
dropped. Nothing here evaluates the text: it is only split and copied."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.errors import WriteupFileError
from dlcheck.trace.extract import extract
from dlcheck.trace.sides import read_side
from dlcheck.yamlsrc import MAX_FILE_BYTES, YamlError, read_bytes

MAX_SECTION = 20_000
MAX_WRITEUP_BYTES = MAX_FILE_BYTES      # the submission it becomes must stay readable
_CLEAN = re.compile(r"^[#>\s]*|[*_\\]|\s*[-–]\s*\d+\s*points?\b.*$|[:.]\s*$", re.I)
_DOTTED = re.compile(r"^(\d+(?:\.\d+)+)$")
_DASHED = re.compile(r"^(\d+)-(\d+)$")
_NAMED = re.compile(r"^(?:problem|question|exercise|part|q)\s*(\d+|[a-z])(?:\s+[a-z ]{0,30})?$", re.I)
_LETTERED = re.compile(r"^\(?(\d+)\s*([a-z])\)?$", re.I)
_SECTION = re.compile(r"^(\d+)\s+[A-Z][A-Za-z.,&'-]*(?:\s+[A-Za-z.,&'-]+){0,8}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Section:
    heading: str
    line: int
    problem: str | None                 # catalog id within the set, None when unmapped
    text: str = ""
    answers: dict = field(default_factory=dict)   # part -> (value text, line in the write-up)


@dataclass
class Imported:
    set: str
    sections: list

    @property
    def mapped(self) -> list:
        return [s for s in self.sections if s.problem]

    @property
    def unmapped(self) -> list:
        return [s for s in self.sections if not s.problem]


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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def import_writeup(text: str, set_name: str, bank) -> Imported:
    if len(text) > MAX_WRITEUP_BYTES:
        raise WriteupFileError(f"the write-up is {len(text):,} characters; the limit is {MAX_WRITEUP_BYTES:,}")
    text = _CONTROL.sub("", text)     # escape sequences mean nothing in markdown; they would reach terminals
    ids = {pid.split("/", 1)[1].lower(): pid.split("/", 1)[1] for pid in bank.problem_ids(set_name)}
    merged: dict[str, list] = {}
    out = []
    # each section's text is gathered as a list of lines and joined once: adding to a string
    # held in an attribute copies it every time (quadratic in a long write-up)
    for section, rows in _split(text, ids):
        if section.problem and section.problem in merged:        # "1-2" inside question 1: same problem
            merged[section.problem] += ["\n", section.heading, "\n", *rows]
            continue
        if section.problem:
            merged[section.problem] = rows
        out.append((section, rows))
    for section, rows in out:
        section.text = _CONTROL.sub("", "".join(rows).rstrip())[:MAX_SECTION]   # line k of it is line section.line + k
        if section.problem:
            section.answers = _extracted_answers(bank.problem(f"{set_name}/{section.problem}"), section)
    return Imported(set_name, [section for section, _ in out])


def _split(text: str, ids: dict) -> list:
    """[(Section, its lines)] in the order of the write-up."""
    sections, rows, major = [], None, None
    for number, raw in enumerate(text.splitlines(), 1):
        heading = _CLEAN.sub("", raw.strip()).strip()
        is_markdown_heading = raw.lstrip().startswith("#")
        found, major = _heading(heading, ids, major, is_markdown_heading)
        if found is not False:
            rows = []
            sections.append((Section(raw.strip(), number, found), rows))
        elif rows is not None:
            rows.append(raw + "\n")
        elif raw.strip():
            rows = [raw + "\n"]
            sections.append((Section("(before the first heading)", number, None), rows))
    return sections


def _heading(line: str, lowered: dict, major, markdown: bool):
    """(problem id | None for an unmapped heading | False for no heading, the current major number);
    `lowered` maps each id of the set, lower-cased, to the id."""
    if not line or len(line) > 80:
        return False, major

    def pick(*candidates):
        return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)

    m = _DOTTED.match(line)
    if m:
        found = pick(m.group(1))
        return (found if found or markdown else False), m.group(1).split(".")[0]
    m = _DASHED.match(line)
    if m:
        a, b = m.groups()
        letter = chr(ord("a") + int(b) - 1) if 0 < int(b) <= 26 else ""
        found = pick(f"{a}.{b}", f"q{a}{letter}", f"{a}{letter}", f"p{a}{letter}", f"q{a}", f"p{a}", a)
        return (found if found or markdown else False), a
    m = _NAMED.match(line)
    if m:
        token = m.group(1)
        if token.isdigit():
            found = pick(token, f"p{token}", f"q{token}", f"{token}a", f"p{token}a", f"q{token}a")
            return found, token
        if major is not None:
            return pick(f"{major}{token}", f"q{major}{token}", f"p{major}{token}"), major
        return None, major
    m = _LETTERED.match(line)
    if m:
        found = pick(f"{m.group(1)}{m.group(2)}", f"q{m.group(1)}{m.group(2)}")
        return (found if found or markdown else False), m.group(1)
    m = _SECTION.match(line)
    if m and not line.endswith((".", ",")):
        return False, m.group(1)          # "2 Depth vs. Width": a numbered section sets the question
    return False, major


def _extracted_answers(problem, section: Section) -> dict:
    """The last statement of each name that states a part's answer."""
    names = dict(problem.trace_answers)
    extracted = extract(section.text)
    found = {}
    for step in extracted.steps:
        head = read_side(step.sides[0], problem.trace_math)
        part = names.get(head.key or "")
        if part and problem.parts[part].kind in ("expr", "mexpr", "vector", "number"):
            found[part] = (step.sides[-1], section.line + step.line)
    return found


# -- writing the submission ----------------------------------------------------
def to_yaml(imported: Imported, source: str) -> str:
    lines = [f"# Imported by `dlcheck import` from {source}: one entry per question heading.",
             "# Each section's text is its `trace`; answers marked 'extracted' were read from the",
             "# working and need a TA's check. Missing answers are graded `missing`.",
             f"set: {imported.set}", "answers:"]
    for section in imported.mapped:
        lines.append(f"  {json.dumps(section.problem)}:   # heading on line {section.line}: {_oneline(section.heading)}")
        if section.answers:
            lines.append("    answer:")
            for part, (value, line) in section.answers.items():
                lines.append(f"      {part}: {json.dumps(value, ensure_ascii=False)}   "
                             f"# extracted from line {line}: check it")
        lines.append("    trace: |2-" if section.text.strip() else "    trace: ''")
        lines.extend(("      " + row.rstrip()) if row.strip() else "" for row in section.text.splitlines())
    if imported.unmapped:
        lines.append("# Sections whose heading maps to no problem of the set (kept here, not graded):")
        for section in imported.unmapped:
            lines.append(f"#   line {section.line}: {_oneline(section.heading)} "
                         f"({len(section.text.splitlines())} lines)")
    return "\n".join(lines) + "\n"


def _oneline(text: str) -> str:
    return " ".join(text.split())[:80]
