"""What a heading or a label line of a write-up says: which problem it starts,
which part of a reviewed answer follows it, which subpart it opens, and whether
a reviewer's critique states a verdict.

Pure functions of one line of text (a markdown heading or a line of a top-level
paragraph, never a line of code or mathematics; see writeup.py) and the set's
ids. A line is read strictly: `2.5` in prose is a number, not a heading, unless
it is a paragraph of its own; "Question 3 asks for ..." inside a paragraph is prose."""
from __future__ import annotations

import re
from dataclasses import dataclass

# "## \*Problem 6 - 5 points", "**Question 2:**", "3.2.", "Problem 3 (10 points)"
_EMPHASIS = re.compile(r"[*_\\]")
_CLEAN = re.compile(r"^[#>\s]*|\s*[-–—]\s*\d+(?:\.\d+)?\s*(?:points?|pts|marks?)\b.*$"
                    r"|\s*\(\s*\d+(?:\.\d+)?\s*(?:points?|pts|marks?)\s*\)|[:.]\s*$", re.I)
_DOTTED = re.compile(r"^(\d+(?:\.\d+)+)$")
_DASHED = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_NAMED = re.compile(r"^(?:problem|question|exercise|task|part|q)\s*(\d+(?:\.\d+)*)"
                    r"(?:\s*\.?\s*([a-z])|\s*\(\s*([a-z])\s*\))?(?:\s+([a-z ]{0,30}))?$", re.I)
_NAMED_LETTER = re.compile(r"^(?:problem|question|exercise|task|part|q)\s*\(?([a-z])\)?(?:\s+[a-z ]{0,30})?$", re.I)
_LETTERED = re.compile(r"^\(?(\d+)\s*\(?([a-z])\)?$", re.I)
_SECTION = re.compile(r"^(\d+)\s+[A-Z][A-Za-z.,&'-]*(?:\s+[A-Za-z.,&'-]+){0,8}$")
_BARE = re.compile(r"^(\d+)$")
# a subpart at the start of a paragraph: "(b)", "(b) The output …", "b)", "Part (b):", "Part b."
_SUBPART = re.compile(r"^(?:part\s*)?\(([a-z])\)(?=\s|:|\.|$)|^([a-z])\)(?=\s|$)|^part\s+([a-z])(?=\s*[:.]|$)", re.I)
_POINTS_ITEM = re.compile(r"^\d+[.)]\s+\(\s*\d+(?:\.\d+)?\s*(?:points?|pts|marks?)?\s*\)")

# Labels of a reviewed answer (an LLM's working, a reviewer's critique, the solution that was
# submitted), alone on their line or followed by a colon and text.
_ROLES = (
    ("critique", r"(?:(?:the\s+)?reviewer'?s?\s+)?(?:critique|review|feedback|evaluation)"
                 r"(?:\s+of\s+(?:the\s+)?(?:model'?s?\s+output|(?:chat\s*-?\s*gpt'?s?\s+)?"
                 r"(?:answer|output|response|trace|solution)))?"),
    ("solution", r"(?:(?:final|submitted|corrected)\s+)?solution|(?:final|submitted)\s+answer"),
    ("trace", r"(?:(?:chat\s*-?\s*gpt|gpt\s*-?\s*\d*|llm|the\s+model|model)'?s?\s+)"
              r"(?:trace|output|answer|response|working|reasoning)|trace|working"),
)
_ROLE = [(name, re.compile(rf"^(?:{pattern})\s*(?:$|:\s*(?P<rest>.*)$)", re.I | re.S)) for name, pattern in _ROLES]

# A verdict a critique states in words: "It is correct", "the above answer is correct",
# "The architecture should work correctly", "the output is wrong", "is not correct".
_SUBJECT = (r"(?:\bit|\bthis|\bthat|\b(?:the\s+)?(?:above\s+|model'?s?\s+|given\s+|final\s+|chat\s*-?\s*gpt'?s?\s+)?"
            r"(?:answer|output|solution|implementation|architecture|code|proof|derivation|response|reasoning"
            r"|result|model\s+output|trace))\s+")
_INCORRECT = re.compile(_SUBJECT + r"(?:is|are|was|seems)\s+(?:not\s+(?:correct|right|valid)|incorrect|wrong|"
                        r"invalid|flawed)\b|" + _SUBJECT + r"(?:does|will|would)\s+not\s+work\b", re.I)
_CORRECT = re.compile(_SUBJECT + r"(?:is|are|was)\s+(?:indeed\s+|entirely\s+|fully\s+|completely\s+)?"
                      r"(?:correct|right|valid)\b|" + _SUBJECT + r"(?:should\s+|will\s+|would\s+)?works?\s+correctly\b",
                      re.I)

_LEADING = re.compile(r"^\W*(?:verdict\s*[:=-]\s*)?(correct|right|incorrect|wrong|not\s+correct)\s*(?:[.!,;:]|$)",
                      re.I | re.M)


def clean(line: str) -> str:
    return _CLEAN.sub("", _EMPHASIS.sub("", line.strip())).strip()


@dataclass(frozen=True)
class Heading:
    kind: str                 # problem | unmapped | group (a boundary) | major (sets the number only)
                              # | letter ("Problem B": under the current number) | sub ("(b)": a subpart)
    id: str | None = None     # problem: the id
    major: str | None = None  # the question number it sets (for "Problem A" and "(b)" below it)
    letter: str | None = None # letter: the subpart letter, resolved against the current major
    family: bool = False      # problem: a bare number mapped to the first of its lettered ids


class Ids:
    """A set's problem ids (relative, in the bank's natural order), looked up the ways headings
    write them."""

    def __init__(self, ids):
        self.order = list(ids)
        self.lowered = {i.lower(): i for i in self.order}
        self.families: dict = {}           # "10" -> ["p10a", "p10b"]
        for pid in self.order:
            m = re.fullmatch(r"[a-z]*(\d+)[a-z]", pid, re.I)
            if m:
                self.families.setdefault(m.group(1), []).append(pid)
        self.groups = {pid.rsplit(".", k)[0] for pid in self.order if "." in pid
                       for k in range(1, pid.count(".") + 1)}          # "2", "2.2" for 2.2.1

    def pick(self, *candidates) -> str | None:
        return next((self.lowered[c.lower()] for c in candidates if c.lower() in self.lowered), None)

    def number(self, n: str) -> str | None:
        return self.pick(n, f"p{n}", f"q{n}")

    def lettered(self, n: str, letter: str) -> str | None:
        return self.pick(f"{n}{letter}", f"p{n}{letter}", f"q{n}{letter}", f"{n}.{letter}")

    def family_of(self, pid: str) -> list:
        m = re.fullmatch(r"[a-z]*(\d+)[a-z]", pid or "", re.I)
        return self.families.get(m.group(1), []) if m else []

    def index(self, pid: str) -> int:
        return self.order.index(pid)


def heading(text: str, ids: Ids, major: str | None, markdown: bool, alone: bool = True,
            inside: bool = False) -> Heading | None:
    """What a heading says, or None when the line is no problem heading. `markdown`: the line is a
    markdown heading (`#`), so that a number that maps to nothing is still reported as unmapped;
    `alone`: the line is a paragraph of its own (a bare `3` or `2.1` is a heading only then; in
    prose, `2.5` is a number); `inside`: a later line of a paragraph, a heading only when it is
    nothing else ("Question 3:", not "Question 3 asks for …")."""
    if len(text) > 200:
        return None
    line = clean(text)
    if not line or len(line) > 80:
        return None
    alone = alone or markdown
    m = _DOTTED.match(line)
    if m:
        number = m.group(1)
        found = ids.pick(number)
        if found:
            return Heading("problem", found, number.split(".")[0])
        if number in ids.groups and alone:
            return Heading("group", major=number.split(".")[0])           # "2.2" above 2.2.1
        a, b = number.split(".")[:2]
        found = ids.lettered(a, _letter(b)) if number.count(".") == 1 and markdown else None
        if found:
            return Heading("problem", found, a)                           # "### 3.1" for q3a
        return Heading("unmapped", major=number.split(".")[0]) if markdown else None
    m = _DASHED.match(line)
    if m:
        a, b = m.groups()
        found = ids.pick(f"{a}.{b}") or ids.lettered(a, _letter(b)) or ids.number(a)
        if found:
            return Heading("problem", found, a)                           # "3-1:" for q3a, "1-2" inside q1
        return Heading("unmapped", major=a) if markdown else None
    m = _NAMED.match(line)
    if m and inside and m.group(4):
        return None
    if m and "." in m.group(1):                                           # "Question 2.2.3"
        found = ids.pick(m.group(1))
        return Heading("problem", found, m.group(1).split(".")[0]) if found else Heading("unmapped")
    if m:
        n, letter = m.group(1), (m.group(2) or m.group(3) or "").lower()
        if letter:
            found = ids.lettered(n, letter)                               # "Problem 10b", "Question 3(b)"
            return Heading("problem", found, n) if found else Heading("unmapped", major=n)
        found = ids.number(n)
        if found:
            return Heading("problem", found, n)
        if ids.families.get(n):                                           # "Problem 10" for p10a, p10b
            return Heading("problem", ids.families[n][0], n, family=True)
        return Heading("unmapped", major=n)
    m = _NAMED_LETTER.match(line)
    if m:
        return Heading("letter", major=major, letter=m.group(1).lower())  # "Problem B" under "2 …"
    m = _LETTERED.match(line)
    if m:
        found = ids.lettered(m.group(1), m.group(2).lower())
        if found:
            return Heading("problem", found, m.group(1))                  # "3b", "(3b)"
        return Heading("unmapped", major=m.group(1)) if markdown else None
    if not alone:
        return None
    m = _SUBPART.match(line)
    if m and m.end() == len(line):
        return Heading("sub", major=major, letter=next(g for g in m.groups() if g).lower())   # "(b)" alone
    m = _SECTION.match(line)
    if m and not line.endswith((".", ",")):
        # "2 Depth vs. Width": sets the question number; a boundary only as a markdown heading
        return Heading("group" if markdown else "major", major=m.group(1))
    m = _BARE.match(line)
    if m and _next_major(major, m.group(1)) and any(g == m.group(1) for g in ids.groups):
        return Heading("group", major=m.group(1))           # "3" between the answers of 2.3.2 and 3.1
    return Heading("unmapped", major=major) if markdown and _looks_numbered(line) else None


def subpart(text: str) -> str | None:
    """The letter of a subpart that a paragraph starts with: "(b) …", "b) …", "Part (b): …"."""
    m = _SUBPART.match(clean(text[:200]))
    return next(g for g in m.groups() if g).lower() if m else None


def points_item(text: str) -> bool:
    """A numbered list item that states its points, "1. (5) Refer to …": a question's subpart."""
    return bool(_POINTS_ITEM.match(text.strip()))


def role(text: str):
    """(role, text after the label) for a label of a reviewed answer, else None:
    trace ("ChatGPT trace:"), critique ("critique of the model output: …"), solution ("Solution:")."""
    line = re.sub(r"[*_]|^[#>\s]*|\\(?=[*_])", "", text.strip()[:400]).strip()
    for name, pattern in _ROLE:
        m = pattern.match(line)
        if m:
            if not (m.group("rest") or "").strip():
                return name, ""
            # the text after the label as written (a label has no colon of its own), less the
            # emphasis that closes the label: "**Solution:** $w_1 = …$" -> "$w_1 = …$"
            rest = text.strip().split(":", 1)[1]
            return name, re.sub(r"^[*_\s]+", "", rest).rstrip()
    return None


def stated_verdict(text: str):
    """(verdict, the words that state it) when a critique states one in words, else None;
    a critique that states both is read as stating none."""
    text = re.sub(r"[*_]", "", text[:20_000])
    lead = _LEADING.match(text)
    if lead:                                         # "Correct.", "Wrong: …", "Verdict: incorrect"
        word = lead.group(1).lower()
        return ("correct" if word in ("correct", "right") else "incorrect"), _sentence(text, 0, lead.end())
    wrong, right = _INCORRECT.search(text), _CORRECT.search(text)
    if bool(wrong) == bool(right):
        return None
    found = wrong or right
    return ("incorrect" if wrong else "correct"), _sentence(text, found.start(), found.end())


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    return " ".join(text[left + 1:min(right) if right else len(text)].split())[:120]


def _letter(number: str) -> str:
    return chr(ord("a") + int(number) - 1) if number.isdigit() and 0 < int(number) <= 26 else "?"


def _next_major(major: str | None, number: str) -> bool:
    return major is None or (major.isdigit() and int(number) == int(major) + 1)


def _looks_numbered(line: str) -> bool:
    return bool(re.match(r"^(?:problem|question|exercise|task|q)?\s*\d", line, re.I))
