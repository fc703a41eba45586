"""Submissions: the public YAML format of docs/submission-format.md, read strictly.

File-level faults (unreadable, not YAML, not a mapping, no `answers`) raise
SubmissionFileError. Everything inside `answers` is read entry by entry: a bad
key or value becomes an Issue with its line and the closest valid names, and
the other entries are still read."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dlcheck.errors import Issue, SubmissionFileError, UnknownProblem, did_you_mean, where
from dlcheck.verdict import Invalid
from dlcheck.yamlsrc import MAX_FILE_BYTES, YamlError, line_of, load_mapping_file, load_mapping_text, mapping_items

TOP_KEYS = ("set", "author", "answers")
LONG_FORM_KEYS = {"answer", "trace", "critique", "source"}
# `working` is read as `trace`: the README calls the trace "working", and people write it so
LONG_FORM_ALIASES = {"working": "trace"}
# words people use for a long form's keys, answered with "did you mean …"
LONG_FORM_SYNONYMS = {
    **{w: "trace" for w in ("workings", "work", "steps", "derivation", "reasoning", "explanation", "traces",
                            "solution_steps", "proof_steps")},
    **{w: "answer" for w in ("solution", "value", "final", "final_answer", "answers", "result")},
    **{w: "critique" for w in ("review", "feedback", "critic", "verdict")},
}
CRITIQUE_VERDICTS = ("correct", "incorrect")


@dataclass
class Raw:
    """A submitted value as YAML gave it, with its line."""

    value: object
    line: int


@dataclass
class Unreadable(Invalid):
    """A value YAML could not build (an unknown tag, `!!int abc`, a huge integer, nesting too
    deep): its part is graded `invalid` with this message; str() gives the value as written."""

    source: str = ""

    def __str__(self) -> str:
        return self.source


@dataclass
class Critique:
    verdict: str | None
    parts: dict            # part name -> Raw: the reviewer's own answer (may be empty)
    line: int


@dataclass
class Entry:
    """One problem's answer in a submission."""

    key: str
    problem_id: str
    line: int
    parts: dict = field(default_factory=dict)   # part name -> Raw
    trace: str | None = None
    trace_line: int = 0                          # line of the trace's first line (see trace_file)
    trace_file: str | None = None                # the write-up whose line trace_line is (`source:`);
                                                 # None: a line of the submission file itself
    critique: Critique | None = None


@dataclass
class Submission:
    path: str
    set: str | None
    author: str | None
    entries: list = field(default_factory=list)
    errors: list = field(default_factory=list)     # [Issue]
    warnings: list = field(default_factory=list)   # [Issue]


STDIN = "-"          # `dlcheck grade -`: the submission comes on standard input
STDIN_NAME = "<stdin>"


def load_submission(path: str | Path, bank) -> Submission:
    if str(path) == STDIN:
        return load_submission_stream(sys.stdin.buffer, bank)
    path = Path(path)
    try:
        doc, root = load_mapping_file(path)
    except FileNotFoundError:
        raise SubmissionFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise SubmissionFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except YamlError as exc:   # a special file, too large, not UTF-8, not YAML
        raise SubmissionFileError(f"{where(str(path), exc.line)}{exc}") from None
    return _Reader(path, doc, bank).read(root)


def load_submission_stream(stream, bank, name: str = STDIN_NAME) -> Submission:
    """A submission read from a binary stream (standard input), under the same size limit
    as a file; reports name it `name`."""
    try:
        data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SubmissionFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionFileError(f"{name}: over {MAX_FILE_BYTES:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionFileError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    try:
        doc, root = load_mapping_text(text)
    except YamlError as exc:
        raise SubmissionFileError(f"{where(name, exc.line)}{exc}") from None
    return _Reader(Path(name), doc, bank).read(root)


class _Reader:
    def __init__(self, path: Path, doc, bank):
        self.path, self.doc, self.bank = path, doc, bank
        self.sub = Submission(str(path), None, None)

    def error(self, key: str, message: str, node=None):
        self.sub.errors.append(Issue(key, message, line_of(node) if node is not None else None))

    def warn(self, key: str, message: str, node=None):
        self.sub.warnings.append(Issue(key, message, line_of(node) if node is not None else None))

    def value(self, node, key: str):
        """A node's value; a key repeated inside it is reported, and its first value kept."""
        duplicates: list = []
        value = self.doc.value(node, duplicates)
        for name, line, first in duplicates:
            self.sub.errors.append(Issue(key, f"duplicate key {name!r} (first at line {first}); "
                                              f"the first is graded", line))
        return value

    def fields(self, node, what: str) -> dict:
        """A mapping's entries, key text -> (key node, value node); a repeated key is reported
        and the first kept (YAML itself would keep the last)."""
        out = {}
        for text, key_node, value_node in mapping_items(node):
            if text in out:
                self.error(f"{what}/{text}", f"duplicate key {text!r} (first at line {line_of(out[text][0])}); "
                                             f"the first is graded", key_node)
            else:
                out[text] = (key_node, value_node)
        return out

    # -- top level ------------------------------------------------------
    def read(self, root) -> Submission:
        top = {}
        for text, key_node, value_node in mapping_items(root):
            if text not in TOP_KEYS:
                self.warn(str(text), f"unknown top-level key {text!r} ignored{did_you_mean(text, TOP_KEYS)}; "
                                     f"expected {', '.join(TOP_KEYS)}", key_node)
                continue
            if text in top:
                raise SubmissionFileError(f"{self.path}:{line_of(key_node)}: duplicate top-level key {text!r}")
            top[text] = value_node
        if "answers" not in top:
            typo = [w.key for w in self.sub.warnings if did_you_mean(w.key, ["answers"])]
            hint = f" (found {typo[0]!r}: did you mean 'answers'?)" if typo else ""
            raise SubmissionFileError(f"{self.path}: not a submission: no 'answers' mapping{hint}")
        self.sub.author = self._scalar_text(top.get("author"), "author")
        self._read_set(top.get("set"))
        answers = top["answers"]
        if not isinstance(answers, yaml.MappingNode):
            raise SubmissionFileError(f"{self.path}:{line_of(answers)}: 'answers' must be a mapping of "
                                      f"problem id -> answer")
        seen = {}
        for text, key_node, value_node in mapping_items(answers):
            entry = self._entry(text, key_node, value_node, seen)
            if entry is not None:
                seen[entry.problem_id] = entry.line
                self.sub.entries.append(entry)
        return self.sub

    def _scalar_text(self, node, key: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error(key, f"{key!r} must be a single value", node)
            return None
        return str(node.value)

    def _read_set(self, node):
        name = self._scalar_text(node, "set")
        if name is None:
            return
        if not self.bank.has_set(name):
            self.error("set", f"unknown problem set {name!r}{did_you_mean(name, self.bank.sets())}; "
                              f"known sets: {', '.join(self.bank.sets())}", node)
            return
        self.sub.set = name

    # -- one answer entry ------------------------------------------------
    def _entry(self, text, key_node, value_node, seen) -> Entry | None:
        if text is None or not str(text).strip():
            self.error("?", "a problem key must be a plain id such as '3.2' or 'csc413-a2/3.2'", key_node)
            return None
        pid = self._problem_id(str(text), key_node)
        if pid is None:
            return None
        if pid in seen:
            self.error(str(text), f"duplicate key for {pid} (first at line {seen[pid]}); the first is graded",
                       key_node)
            return None
        problem = self.bank.problem(pid)
        entry = Entry(str(text), pid, line_of(key_node))
        answer_node = value_node
        if self._is_long_form(value_node, problem):
            parts = self._long_form(value_node, problem, pid)
            answer_node = parts.get("answer")
            entry.trace = self._text(parts.get("trace"), f"{pid} trace")
            entry.trace_line = _first_text_line(parts.get("trace"))
            if parts.get("source") is not None:
                self._source(parts["source"], entry, pid)
            entry.critique = self._critique(parts.get("critique"), problem, pid)
        if answer_node is not None:
            entry.parts = self._parts(answer_node, problem, pid)
        return entry

    def _problem_id(self, text: str, key_node) -> str | None:
        try:
            return self.bank.resolve(text, self.sub.set)
        except UnknownProblem as exc:
            first_error = exc
        # YAML reads an unquoted 3.10 as the float 3.1: try the number as Python prints it
        if key_node.tag.endswith(":float"):
            try:
                as_number = str(float(text))
                pid = self.bank.resolve(as_number, self.sub.set)
                self.warn(text, f"key {text} was read as the number {as_number}; taken as problem "
                                f"{pid} (quote ids in YAML: \"{as_number}\")", key_node)
                return pid
            except (UnknownProblem, ValueError):
                pass
        if self.sub.set is None and "/" not in text:
            self.error(text, f"{first_error} (no valid 'set' is given, so keys must be full ids such as "
                             f"'csc413-a2/{text}')", key_node)
        else:
            self.error(text, str(first_error), key_node)
        return None

    def _is_long_form(self, node, problem) -> bool:
        """A mapping whose keys are all part names is the short form; one with a long-form key
        (`answer`, `trace`, `working`, `critique`, `source`) is the long form, and its other keys
        are then reported (see _long_form)."""
        if not isinstance(node, yaml.MappingNode):
            return False
        keys = {t for t, _, _ in mapping_items(node)}
        long_keys = LONG_FORM_KEYS | set(LONG_FORM_ALIASES)
        if not keys:
            return False
        if keys <= long_keys:     # {answer: …} is the short form of a multi-part problem with a part `answer`
            return not (keys == {"answer"} and "answer" in problem.parts and len(problem.parts) > 1)
        if all(k in problem.parts for k in keys):
            return False
        return bool(keys & long_keys)

    def _long_form(self, node, problem, pid: str) -> dict:
        """The long form's fields, key -> value node, `working` read as `trace`. An unknown key
        is an error that says what it may have meant; its value is not graded."""
        out, written = {}, {}
        for text, (key_node, value_node) in self.fields(node, pid).items():
            name = LONG_FORM_ALIASES.get(text, text)
            if name in LONG_FORM_KEYS:
                if name in out:
                    self.error(pid, f"both {written[name]!r} and {text!r} are given; {name!r} and "
                                    f"{text!r} are the same field: the first is read", key_node)
                    continue
                out[name], written[name] = value_node, text
            elif text in problem.parts:
                self.error(f"{pid}/{text}", f"{text!r} is a part of {pid}: in the long form, parts go "
                                            f"under 'answer:' (answer: {{{text}: …}})", key_node)
            else:
                hint = (f" (did you mean {LONG_FORM_SYNONYMS[str(text).lower()]!r}?)"
                        if str(text).lower() in LONG_FORM_SYNONYMS
                        else did_you_mean(str(text), sorted(LONG_FORM_KEYS | set(LONG_FORM_ALIASES))))
                self.error(pid, f"unknown key {text!r} in the long form of {pid}{hint}; the long form "
                                f"takes {', '.join(sorted(LONG_FORM_KEYS))} ('working' is read as 'trace')",
                           key_node)
        return out

    def _source(self, node, entry: Entry, pid: str) -> None:
        """`source: {file: writeup.md, line: 120}` (written by `dlcheck import`): the write-up line
        of the trace's first line, so that the trace audit's lines are the write-up's."""
        what = f"{pid} source"
        if not isinstance(node, yaml.MappingNode):
            self.error(what, "'source' is a mapping {file: NAME, line: N}: the write-up line of the "
                             "trace's first line", node)
            return
        fields = {t: v for t, (_, v) in self.fields(node, what).items()}
        for name in fields:
            if name not in ("file", "line"):
                self.error(what, f"unknown source key {name!r}{did_you_mean(str(name), ['file', 'line'])}; "
                                 f"expected file and line", node)
        line_node, file_node = fields.get("line"), fields.get("file")
        line = str(getattr(line_node, "value", "")).strip()
        if not isinstance(line_node, yaml.ScalarNode) or not line.isdigit() or len(line) > 9 or int(line) < 1:
            self.error(what, "source 'line' must be a line number (1 or more)", line_node or node)
            return
        if file_node is not None and not isinstance(file_node, yaml.ScalarNode):
            self.error(what, "source 'file' must be a file name", file_node)
            return
        if entry.trace is None:
            self.warn(what, "'source' without a 'trace' is ignored", node)
            return
        entry.trace_line = int(line)
        entry.trace_file = str(file_node.value) if file_node is not None else None

    def _parts(self, node, problem, pid: str) -> dict:
        """part name -> Raw. A single-part problem takes the bare value or {part: value}."""
        single = problem.single_part
        if single is not None:
            if isinstance(node, yaml.MappingNode) and {t for t, _, _ in mapping_items(node)} == {single.name}:
                node = self.fields(node, pid)[single.name][1]
            return self._raw_part(pid, single.name, node)
        if not isinstance(node, yaml.MappingNode):
            self.error(pid, f"{pid} has several parts; expected a mapping of part -> value with "
                            f"{', '.join(problem.parts)}", node)
            return {}
        out = {}
        for text, (key_node, value_node) in self.fields(node, pid).items():
            name = str(text)
            if name not in problem.parts:
                self.error(f"{pid}/{name}", f"unknown part {name!r} of {pid}{did_you_mean(name, problem.parts)}; "
                                            f"its parts are {', '.join(problem.parts)}", key_node)
            else:
                out.update(self._raw_part(pid, name, value_node))
        return out

    def _raw_part(self, pid: str, name: str, node) -> dict:
        """One part's value. One YAML cannot build costs this part only: an error at its line,
        and the part graded `invalid` with the same reason."""
        key = f"{pid}/{name}"
        try:
            return {name: Raw(self.value(node, key), line_of(node))}
        except YamlError as exc:
            line = exc.line or line_of(node)
            self.sub.errors.append(Issue(key, str(exc), line))
            return {name: Raw(Unreadable(str(exc), self.doc.source(node)), line)}

    def _text(self, node, what: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error(what, f"{what} must be text", node)
            return None
        return str(node.value)

    def _critique(self, node, problem, pid: str) -> Critique | None:
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):  # a bare verdict: `critique: incorrect`
            return Critique(self._verdict(str(node.value), pid, node), {}, line_of(node))
        if not isinstance(node, yaml.MappingNode):
            self.error(f"{pid} critique", "a critique is a mapping with 'verdict' and optionally 'answer'", node)
            return None
        fields = {t: v for t, (_, v) in self.fields(node, f"{pid} critique").items()}
        for name in fields:
            if name not in ("verdict", "answer"):
                self.error(f"{pid} critique", f"unknown critique key {name!r}"
                                              f"{did_you_mean(name, ['verdict', 'answer'])}", node)
        verdict_node = fields.get("verdict")
        verdict = None
        if verdict_node is not None:
            verdict = self._verdict(str(getattr(verdict_node, "value", "")), pid, verdict_node)
        parts = self._parts(fields["answer"], problem, f"{pid} critique") if "answer" in fields else {}
        return Critique(verdict, parts, line_of(node))

    def _verdict(self, text: str, pid: str, node) -> str | None:
        word = text.strip().casefold()
        if word in CRITIQUE_VERDICTS:
            return word
        self.error(f"{pid} critique", f"critique verdict {text!r} is not one of "
                                      f"{', '.join(CRITIQUE_VERDICTS)}{did_you_mean(word, CRITIQUE_VERDICTS)}", node)
        return None


def _first_text_line(node) -> int:
    """The file line of a scalar's first text line: a block scalar (`|`, `>`)
    starts on the line after its indicator."""
    if node is None:
        return 0
    return line_of(node) + (1 if getattr(node, "style", None) in ("|", ">") else 0)
