"""Problem specs: the model and its schema check.

A spec declares a problem: statement, the given inputs its solver works from,
and its parts with their answer kinds, tolerances and known-mistake rules.
Values are derived by the solver beside it, never typed here.

Per-part options beyond kind and points: tolerance {rel, abs}; aliases and
choices (labels); variable (bigO); fields (mapping); ordered and judged
(labels); check (solver | claim); rules (known mistakes and accepted variants);
rubric and flaws (text); lhs (expressions); trace_flaws; and rounding.
`rounding: stated` (numeric kinds only) accepts a number that is the reference
rounded to the significant figures it is written with, at least two of them
("3.2M" for 3,211,264, "1.12e9"), as correct with "rounded" in the feedback;
one right to a single figure ("3M") is too coarse to tell the count from a slip
and earns part; any other is incorrect with its relative error and the rounding
it should have been. Give it to parts about magnitude
(activations, multiplications), never to counts whose point lies in the last
digits (parameters with or without biases differ by 0.01%).

`reveal` (problem, part or rule; default false) says what a student-audience
report may show (report/student.py): on a problem or a part, its reference
value (a part's own setting wins); on a rule, its feedback, which by default
students see only as the rule's name, because a sentence can give the answer
away without quoting it ("matching the coefficients gives 2ηλ̃ = λ", "8 more
parameters" next to the student's own count)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dlcheck import kinds
from dlcheck.errors import SpecError, did_you_mean
from dlcheck.sandbox.limits import Limits
from dlcheck.yamlsrc import YamlError, line_of, load_mapping_file, mapping_items

DEFAULT_TOLERANCE = {"rel": 5e-3, "abs": 1e-9}


@dataclass(frozen=True)
class Rule:
    """A named known mistake (credit 0) or accepted alternative (credit > 0).
    The solver derives the value the rule matches; the spec holds the words."""

    name: str
    feedback: str
    credit: float = 0.0
    match: str = ""       # expr/mexpr: the mistaken expression itself, when no solver derives it
    reveal: bool = False  # students may read this feedback (it names the mistake, not the answer)


@dataclass(frozen=True)
class TextFlaw:
    """A flawed claim that a free-text answer may make, found by a regex."""

    pattern: str
    feedback: str


@dataclass
class PartSpec:
    name: str
    kind: str
    points: float = 1.0
    prompt: str = ""
    tolerance: dict = field(default_factory=dict)   # as written in the spec
    aliases: dict = field(default_factory=dict)     # canonical label -> [aliases]
    choices: list = field(default_factory=list)
    variable: str = "n"                             # bigO: the growth variable
    fields: list = field(default_factory=list)      # mapping: its field names
    optional: bool = False                          # omitted -> no 'missing' verdict
    check: str = ""                                 # how it is judged (checks/): "", "solver", "claim"
    check_line: int = 0                             # where `check:` is written (for the bank's message)
    ordered: bool = False                           # labels: order matters
    judged: list = field(default_factory=list)      # labels: only these choices are decided here
    rounding: str = ""                              # "stated": a value right to its written figures counts
    rules: list = field(default_factory=list)       # [Rule]
    rubric: list = field(default_factory=list)      # text: checklist for the reviewer
    flaws: list = field(default_factory=list)       # text: [TextFlaw]
    lhs: list = field(default_factory=list)         # expr/mexpr: names an answer may begin with ("eta =")
    trace_flaws: list = field(default_factory=list) # [TextFlaw] looked for in the answer's working (trace)
    math: object = None                             # expr/mexpr: the problem's MathContext
    reveal: bool | None = None                      # students may see the reference (None: as the problem)
    limits: Limits = field(default_factory=Limits)  # what checking one answer may use (sandbox/limits.py)

    @property
    def numeric_tolerance(self) -> dict:
        """The spec's tolerance over the default (relative 0.5%)."""
        return {**DEFAULT_TOLERANCE, **self.tolerance}

    @property
    def auto(self) -> bool:
        """Whether dlcheck decides this part itself (not a human reviewer)."""
        return kinds.is_automatic(self.kind)

    def rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


@dataclass
class ProblemSpec:
    set: str
    id: str
    title: str
    statement: str
    parts: dict                                     # name -> PartSpec, in spec order
    given: dict = field(default_factory=dict)
    conventions: list = field(default_factory=list)
    path: Path | None = None
    solver_path: Path | None = None
    trace_math: object = None                       # MathContext for working: the problem's + trace symbols
    trace_answers: dict = field(default_factory=dict)   # name in working -> the part whose answer it states
    reveal: bool = False                            # students may see every part's reference

    def reveals(self, part_name: str) -> bool:
        """Whether a student-audience report may show this part's reference (see `reveal`)."""
        own = self.parts[part_name].reveal if part_name in self.parts else None
        return self.reveal if own is None else own

    @property
    def full_id(self) -> str:
        return f"{self.set}/{self.id}"

    @property
    def single_part(self) -> PartSpec | None:
        return next(iter(self.parts.values())) if len(self.parts) == 1 else None


# --- schema -------------------------------------------------------------

TOP_KEYS = {"id", "title", "statement", "given", "conventions", "parts", "symbols", "aliases", "dims", "trace",
            "reveal"}
TRACE_KEYS = {"symbols", "answers"}
COMMON_KEYS = {"kind", "points", "prompt", "optional", "check", "rules", "trace_flaws", "reveal", "limits"}   # any kind's part
# and each kind's own (kinds/<kind>.py OPTIONS): tolerance, rounding, aliases, choices, ordered, judged,
# variable, fields, rubric, flaws, lhs
SYMBOL_KEYS = {"shape", "positive", "integer", "nonzero"}
ROUNDING = ("", "stated")          # see the module's docstring


class _Reader:
    """Typed access to a YAML mapping node, raising SpecError with file:line."""

    def __init__(self, path: Path, doc, node, prefix: str = ""):
        self.path, self.doc, self.node, self.prefix = path, doc, node, prefix
        self.entries = {}
        for text, key_node, value_node in mapping_items(node):
            if text in self.entries:
                self.fail(f"duplicate key {text!r}", key_node)
            self.entries[text] = (key_node, value_node)

    def fail(self, message: str, node=None):
        line = line_of(node if node is not None else self.node)
        raise SpecError(f"{self.path}:{line}: {message}")

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def only(self, allowed: set):
        for name, (key_node, _) in self.entries.items():
            if name not in allowed:
                self.fail(f"unknown key {self.key(name)!r}{did_you_mean(name, sorted(allowed))}", key_node)

    def get(self, name: str, types, default=None, required: bool = False):
        if name not in self.entries:
            if required:
                self.fail(f"missing key {self.key(name)!r}")
            return default
        node = self.entries[name][1]
        value = self.doc.value(node)
        if not isinstance(value, types) or isinstance(value, bool) and bool not in _as_tuple(types):
            self.fail(f"key {self.key(name)!r}: expected {_type_words(types)}, got {type(value).__name__}", node)
        return value

    def sub(self, name: str) -> "_Reader | None":
        if name not in self.entries:
            return None
        node = self.entries[name][1]
        if not isinstance(node, yaml.MappingNode):
            self.fail(f"key {self.key(name)!r}: expected a mapping", node)
        return _Reader(self.path, self.doc, node, f"{self.key(name)}.")


def _as_tuple(types):
    return types if isinstance(types, tuple) else (types,)


def _type_words(types) -> str:
    names = {str: "text", int: "an integer", float: "a number", list: "a list", dict: "a mapping", bool: "true/false"}
    return " or ".join(names.get(t, t.__name__) for t in _as_tuple(types))


def load_spec(path: Path, set_name: str) -> ProblemSpec:
    try:
        doc, root = load_mapping_file(path)
    except YamlError as exc:
        raise SpecError(f"{path}:{exc.line or 1}: {exc}") from None
    top = _Reader(path, doc, root)
    top.only(TOP_KEYS)
    qid = path.stem
    declared = top.get("id", (str, int, float))
    if declared is not None and str(declared) != qid:
        top.fail(f"key 'id' is {declared!r} but the file is named {qid!r}", top.entries["id"][1])
    parts_reader = top.sub("parts")
    if parts_reader is None or not parts_reader.entries:
        top.fail("missing key 'parts' (a mapping of part name -> part spec)")
    parts = {name: _load_part(parts_reader, name) for name in parts_reader.entries}
    math = _load_math(top)
    for part in parts.values():       # a part with its own time limit gets its own copy
        part.math = math if math is None or math.timeout == part.limits.wall_seconds else \
            math.with_timeout(part.limits.wall_seconds)
    trace_math, trace_answers = _load_trace(top, math, parts)
    solver = path.with_suffix(".py")
    return ProblemSpec(
        set=set_name,
        id=qid,
        title=top.get("title", str, required=True),
        statement=top.get("statement", str, required=True).strip(),
        parts=parts,
        given=top.get("given", dict, {}),
        conventions=top.get("conventions", list, []),
        path=path,
        solver_path=solver if solver.exists() else None,
        trace_math=trace_math,
        trace_answers=trace_answers,
        reveal=top.get("reveal", bool, False),
    )


def _load_part(parts: _Reader, name: str) -> PartSpec:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
        parts.fail(f"part name {name!r} must be an identifier", parts.entries[name][0])
    r = parts.sub(name)
    kind = r.get("kind", str, required=True)
    if kind not in kinds.NAMES:
        r.fail(f"key {r.key('kind')!r}: unknown kind {kind!r}{did_you_mean(kind, kinds.NAMES)}; "
               f"expected one of {', '.join(kinds.NAMES)}", r.entries["kind"][1])
    _only_the_kinds_options(r, kind)
    tolerance = r.get("tolerance", dict, {})
    if set(tolerance) - {"rel", "abs"} or not all(isinstance(v, (int, float)) and v >= 0 for v in tolerance.values()):
        r.fail(f"key {r.key('tolerance')!r}: expected a mapping with 'rel' and/or 'abs' (numbers >= 0)",
               r.entries["tolerance"][1])
    check = r.get("check", str, "")      # its name is checked by the bank, against the check registry
    rounding = _rounding(r, kind)
    return PartSpec(
        name=name,
        kind=kind,
        points=float(r.get("points", (int, float), 1 if kinds.is_automatic(kind) else 0)),
        prompt=r.get("prompt", str, ""),
        tolerance=tolerance,
        aliases={str(k): [str(a) for a in v] for k, v in r.get("aliases", dict, {}).items()},
        choices=[str(c) for c in r.get("choices", list, [])],
        variable=r.get("variable", str, "n"),
        fields=[str(f) for f in r.get("fields", list, [])],
        optional=r.get("optional", bool, False),
        check=check,
        check_line=line_of(r.entries["check"][1]) if "check" in r.entries else 0,
        ordered=r.get("ordered", bool, False),
        judged=[str(x) for x in r.get("judged", list, [])],
        rules=_load_rules(r),
        rubric=_strings(r, "rubric"),
        flaws=_load_flaws(r),
        trace_flaws=_load_flaws(r, "trace_flaws"),
        lhs=_strings(r, "lhs"),
        rounding=rounding,
        reveal=r.get("reveal", bool, None),
        limits=_limits(r, kind),
    )


def _only_the_kinds_options(part: _Reader, kind: str) -> None:
    """Every key is one any part takes or one of the kind's own (kinds/<kind>.py OPTIONS)."""
    own = kinds.options(kind)
    for name, (key_node, _) in part.entries.items():
        if name in COMMON_KEYS or name in own:
            continue
        everything = COMMON_KEYS | {o for k in kinds.NAMES for o in kinds.options(k)}
        takes = f"{kind} parts take {', '.join(own)} besides" if own else f"{kind} parts take only"
        problem = (f"key {part.key(name)!r}: not an option of a {kind} part" if name in everything
                   else f"unknown key {part.key(name)!r}")
        part.fail(f"{problem}{did_you_mean(name, sorted(set(own) | COMMON_KEYS))}; {takes} "
                  f"{', '.join(sorted(COMMON_KEYS))}", key_node)


def _limits(part: _Reader, kind: str) -> Limits:
    """The part's limits: the defaults (sandbox/limits.py), the kind's own (kinds/<kind>.py
    LIMITS: a formula gets 3 s), then the spec's `limits:` mapping."""
    given = part.get("limits", dict, {})
    node = part.entries["limits"][1] if "limits" in part.entries else None
    for name, value in given.items():
        if name not in Limits.names():
            part.fail(f"key {part.key('limits')!r}: unknown limit {name!r}{did_you_mean(str(name), Limits.names())}"
                      f"; limits are {', '.join(Limits.names())}", node)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 10**7:
            part.fail(f"key {part.key('limits')}.{name}: expected a positive number, got {value!r}", node)
    return Limits().but(**{**kinds.limits(kind), **given})


def _rounding(part: _Reader, kind: str) -> str:
    rounding = part.get("rounding", str, "")
    if rounding not in ROUNDING:
        part.fail(f"key {part.key('rounding')!r}: expected 'stated'{did_you_mean(rounding, ROUNDING)}",
                  part.entries["rounding"][1])
    return rounding


def _strings(part: _Reader, key: str) -> list:
    items = part.get(key, list, [])
    if not all(isinstance(x, str) for x in items):
        part.fail(f"key {part.key(key)!r}: expected a list of text items (quote items that contain ': ')",
                  part.entries[key][1])
    return items


def _load_flaws(part: _Reader, key: str = "flaws") -> list:
    flaws = []
    for item in part.get(key, list, []):
        if not (isinstance(item, dict) and set(item) == {"pattern", "feedback"}):
            part.fail(f"key {part.key(key)!r}: each item needs exactly 'pattern' and 'feedback'",
                      part.entries[key][1])
        try:
            re.compile(item["pattern"])
        except re.error as exc:
            part.fail(f"key {part.key(key)!r}: bad pattern {item['pattern']!r}: {exc}", part.entries[key][1])
        flaws.append(TextFlaw(str(item["pattern"]), str(item["feedback"])))
    return flaws


def _load_rules(part: _Reader) -> list:
    rules_reader = part.sub("rules")
    if rules_reader is None:
        return []
    rules = []
    for rule_name in rules_reader.entries:
        rr = rules_reader.sub(rule_name)
        rr.only({"feedback", "credit", "match", "reveal"})
        credit = float(rr.get("credit", (int, float), 0))
        if not 0 <= credit <= 1:
            rr.fail(f"key {rr.key('credit')!r}: expected a number from 0 to 1")
        rules.append(Rule(rule_name, rr.get("feedback", str, required=True), credit, rr.get("match", str, ""),
                          rr.get("reveal", bool, False)))
    return rules


def _load_math(top: _Reader):
    """The problem's symbols (shapes, assumptions), aliases and sample sizes."""
    if not any(k in top.entries for k in ("symbols", "aliases", "dims")):
        return None
    from dlcheck.mathexpr.context import MathContext
    from dlcheck.mathexpr.lexer import canonical_name

    symbols = _load_symbols(top.sub("symbols"))
    aliases = {canonical_name(k): str(v) for k, v in top.get("aliases", dict, {}).items()}
    dims = {}
    for dim, bounds in top.get("dims", dict, {}).items():
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, int) for b in bounds)
                and 1 <= bounds[0] <= bounds[1] <= 64):
            top.fail(f"key 'dims.{dim}': expected [low, high] sizes between 1 and 64", top.entries["dims"][1])
        dims[str(dim)] = tuple(bounds)
    return MathContext(symbols, aliases, dims)


def _load_symbols(reader: "_Reader | None") -> dict:
    from dlcheck.mathexpr.context import SymbolInfo
    from dlcheck.mathexpr.lexer import canonical_name

    symbols = {}
    for raw_name in (reader.entries if reader else {}):
        sr = reader.sub(raw_name)
        sr.only(SYMBOL_KEYS)
        shape = sr.get("shape", list, [])
        if len(shape) > 2 or not all(isinstance(d, (str, int)) and not isinstance(d, bool) for d in shape):
            sr.fail(f"key {sr.key('shape')!r}: expected [rows] or [rows, cols] of names or sizes")
        name = canonical_name(raw_name)
        symbols[name] = SymbolInfo(name, tuple(shape), sr.get("positive", bool, False),
                                   sr.get("integer", bool, False), sr.get("nonzero", bool, False))
    return symbols


def _load_trace(top: _Reader, math, parts: dict):
    """How working is read: the letters it may use beyond the problem's symbols
    (undeclared single letters are free scalars), and the names that state a
    part's answer (`w_star: min_norm_solution`); expression parts' `lhs` names
    count too."""
    from dlcheck.mathexpr.context import MathContext
    from dlcheck.mathexpr.lexer import canonical_name

    reader = top.sub("trace")
    if reader is not None:
        reader.only(TRACE_KEYS)
    extra = _load_symbols(reader.sub("symbols")) if reader else {}
    base = math or MathContext()
    ctx = MathContext({**base.symbols, **extra}, dict(base.aliases), dict(base.dims), (), True)
    answers = {}
    for part in parts.values():
        for name in part.lhs:
            key = canonical_name(name)
            answers[key] = None if key in answers and answers[key] != part.name else part.name
    for name, part_name in (reader.get("answers", dict, {}) if reader else {}).items():
        if part_name not in parts:
            reader.fail(f"key 'trace.answers.{name}': unknown part {part_name!r}"
                        f"{did_you_mean(str(part_name), list(parts))}", reader.entries["answers"][1])
        answers[canonical_name(str(name))] = part_name
    return ctx, {k: v for k, v in answers.items() if v is not None}
