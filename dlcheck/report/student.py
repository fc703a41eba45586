"""What a student may see of a graded report: the verdict, the score, feedback
written for students, and no reference value (SUBMISSION_FORMAT.md,
`--audience student`).

The view is derived from the staff report (the JSON a grade or a batch record
holds), never stored: re-rendering with another policy (`--reveal` after the
deadline) needs no regrade, and the records keep the whole truth for staff.

How feedback is made safe, in three layers:
  1. By provenance. A reader's message (`decided_by: parse`) is about the
     student's own text and never saw the reference: shown as it is. A human
     reviewer's comment is written for the student: shown. A known mistake's
     sentence is the spec author's and is shown only where the spec marks the
     rule `reveal: true`; otherwise the student reads the rule's name ("a known
     mistake", note "known mistake: with_biases"): a sentence can give the answer
     away without quoting it ("2ηλ̃ = λ", "8 more parameters").
  2. By rewriting, never by deleting numbers: the kinds' feedback is split into
     clauses, and each clause of a known shape (PHRASES below) is rewritten from
     the parts of it that are the student's own (their value, a position, a test
     point); a clause of no known shape is dropped. What nobody listed here stays
     staff-only, so a new message in a kind can cost students a sentence, never
     leak a value.
  3. A guard over every sentence that survives: one that still shows the part's
     reference (its display, or one of its distinctive numbers, also rounded or
     grouped as "138,344,128") is replaced by the verdict's plain words.
Rubrics, layer diffs, counterexamples, trace steps and critique flags are
staff-only; a part the policy reveals (`reveal:` in its spec, `--reveal`) is
shown as staff see it."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

STAFF, STUDENT = "staff", "student"
AUDIENCES = (STAFF, STUDENT)
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")   # Gradescope's per-test settings

GENERIC = {"correct": "", "incorrect": "not the answer asked for", "partial": "partly right",
           "invalid": "could not be read", "missing": "not answered", "error": "dlcheck could not check this part",
           "timeout": "could not be decided in time", "review": "awaits a human review"}
RULE_WORDS = {"correct": "accepted: a known variant of the answer", "partial": "partly right: a known variant",
              "incorrect": "a known mistake"}
# notes whose words come from the student's own answer or from how it was run, never from the reference
SAFE_NOTES = ("known mistake: ", "known variant: ", "read as ", "note: a/2b is read as", "ran in the sandbox",
              "accepted as rounded to ", "not decided here, for the reviewer: ", "weights matched in ",
              "scored by a human", "re-trained ")


class Policy:
    """What students may see beyond the default (no reference value, no rule's sentence)."""

    def reveals(self, problem: str, part: str) -> bool:
        return False

    def rule_open(self, problem: str, part: str, rule: str) -> bool:
        return False


@dataclass(frozen=True)
class View:
    """Who reads an output, and what the policy lets them see."""

    audience: str = STAFF
    policy: Policy = field(default_factory=Policy)
    visibility: str = ""        # Gradescope per-test visibility; "" = the audience's default

    @property
    def student(self) -> bool:
        return self.audience == STUDENT

    @property
    def test_visibility(self) -> str:
        """Student-safe by default: a staff view sent to Gradescope is hidden from students."""
        return self.visibility or ("visible" if self.student else "hidden")


# -- clauses the kinds write, and what a student reads instead ------------------------------
_POS = r"(?P<pos>\d+|\(\d+(?:, \d+)*\))"
_SUFFIX = r"(?: \(a relative difference of [^)]*\))?"
PHRASES = tuple((re.compile(pattern, re.DOTALL), words) for pattern, words in (
    # arrays (kinds/_array.py)
    (r"every element has the wrong sign", "every element has the wrong sign"),
    (r"transposed: your (?:matrix|answer) is .*", "transposed: yours is the transpose of the answer asked for"),
    (r"every (?:element|value) is .+× the expected (?:value|one).*\(a missing or extra factor\?\)",
     "every value is off by the same factor (a missing or extra factor?)"),
    (r"the elements are in reverse order", "the elements are in reverse order"),
    (rf"element {_POS} is .+, expected .+", "element {pos} is the first that is wrong"),
    (r"(?P<n>\d+) of (?P<m>\d+) elements differ", "{n} of {m} elements differ"),
    (rf"(?P<n>\d+) of the given elements differ, and (?P<k>\d+) of (?P<m>\d+) elements not given "
     rf"\(element {_POS} first\)", "{n} of the given elements differ, and {k} of {m} are not given (element {pos} "
                                   "first)"),
    (rf"(?P<k>\d+) of (?P<m>\d+) elements not given \(element {_POS} first\)",
     "{k} of {m} elements are not given (element {pos} first)"),
    (r"the given ones are right", "the given ones are right"),
    (r"wrong shape: expected .+, got (?P<shape>[\d×]+|scalar)", "wrong shape: yours is {shape}"),
    (r"shape: expected an? .+, got an? (?P<shape>.+)", "wrong shape: yours is {shape}"),
    (rf"element {_POS}: rounded to .+", "element {pos} is written to too few figures to check"),
    (r"(?P<n>\d+) of (?P<m>\d+) elements are given to too few figures", "{n} of {m} elements are given to too "
                                                                         "few figures"),
    (r"rounded: (?P<n>\d+) of (?P<m>\d+) elements are written rounded .*", "{n} of {m} elements are accepted as "
                                                                           "rounded"),
    # numbers (kinds/_numeric.py, number.py, integer.py)
    (r"right size, wrong sign(?: \(expected .*\))?", "right size, wrong sign"),
    (r"rounded: .+ is .+ to .+", "accepted as rounded to the figures it states"),
    (r"rounded to .+, too coarse to check: .+\(write at least (?P<k>\d+) figures\)",
     "rounded too coarsely to check (write at least {k} significant figures)"),
    (r".+ is off by .+: .+ to .+ is .+", "not right to the figures it states"),
    (r".+ is .+ rounded to .+, but this part asks for the exact value", "this part asks for the exact value"),
    # shapes, labels, mappings, big-O (shape.py, shapes.py, matrices.py, labels.py, mapping.py, bigo.py)
    (r"the right sizes in another order.*", "the right sizes in another order"),
    (r"expected \d+ dimensions, got (?P<n>\d+)", "wrong number of dimensions (yours has {n})"),
    (r"dimension (?P<dims>\d+(?:, \d+)*) differs", "dimension {dims} differs"),
    (r"expected \d+ (?P<what>shapes|matrices)(?: \(one per layer\))?, got (?P<n>\d+)",
     "wrong number of {what} (you gave {n})"),
    (r"layer (?P<i>\d+): expected .+(?: \(and (?P<more>\d+) more\))?", "layer {i} is wrong"),
    (r"missing .+", "some are missing"),
    (r"should not include (?P<labels>.+)", "should not include {labels}"),
    (r"the order should be .+", "the order is wrong"),
    (r"(?P<field>[A-Za-z_]\w*) should be .+", "{field} is wrong"),
    (r"not one of the \d+ valid settings.*", "not one of the valid settings"),
    (r".+ grows (?:faster|slower) than the expected .+", "the growth is not the one asked for"),
    # formulas (mathexpr: equiv.py, points.py)
    (rf"they differ at (?P<point>.+): expected .+, got (?P<got>[^ ]+){_SUFFIX}", "they differ at {point}: yours "
                                                                                 "gives {got}"),
    (r"they differ (?P<where>with random matrices at .+?) \(largest gap .+\)", "they differ {where}"),
    (r"they differ by .+", "they differ"),
    (r"(?:equal where both have real values, but )?(?:at .+ )?(?:yours|the expected expression) is .+ and "
     r"(?:yours|the expected expression) has no real value.*", "they differ where one of them has no real value"),
    (r"could not decide: .+", "could not be decided in time"),
    (r"cannot be compared with the reference: .+", "could not be compared automatically"),
    (r"division by zero: the expression has no value to compare", "division by zero: the expression has no value"),
    (r"(?P<all>the expression cannot be evaluated: .+)", "{all}"),
    # code (kinds/code.py, nnkit/behaviour.py): the student's code, never the reference's layers
    (r"(?P<all>the code (?:failed|did not finish|went over a limit): .+)", "{all}"),
    (r"(?P<all>the code does not parse .+)", "{all}"),
    (r"(?P<all>needs something the sandbox does not provide .+)", "{all}"),
    (r"(?P<all>the sandbox failed, not the code .+)", "{all}"),
    (r"(?P<all>the code's observations are malformed .+)", "{all}"),
    (r"layer (?P<i>\d+): the reference has .+, missing here", "layer {i}: a layer is missing here"),
    (r"(?P<all>layer \d+: extra .+)", "{all}"),
    (r"output shape (?P<shape>\[[\d, ]*\]), expected .+", "wrong output shape: yours is {shape}"),
    (r"(?P<params>[\d,]+) parameters, expected [\d,]+", "{params} parameters, not the number the network asked "
                                                         "for has"),
    (r"(?P<all>[\d,]+ parameters, fewer than [\d,]+ required)", "{all}"),
    (r"(?P<all>\d+ hidden (?:units|layers), (?:at most|at least|the question asks for) .+)", "{all}"),
    (r"(?P<all>no skip connection: .+)", "{all}"),
    (r"(?P<all>no \w+ layer)", "{all}"),
    (r"(?P<all>parameters that get no gradient: .+)", "{all}"),
    (r"(?P<all>in eval mode, one sample's output depends on the rest of the batch)", "{all}"),
    (r"(?P<all>its parameters do not line up with the reference's, layer by layer)", "{all}"),
    (r"(?P<words>.+) the output has shape (?P<shape>\[[\d, ]*\]), the reference's .+",
     "{words} the output has the wrong shape {shape}"),
    (r"(?P<all>with the reference's weights(?:,| it) .+)", "{all}"),
    (r"(?P<all>the outputs match but the gradients differ for .+)", "{all}"),
    (r"(?P<all>case \d+, \w+ mode: .+)", "{all}"),
    (r"(?P<all>matches the reference on \d+ random cases.*)", "{all}"),
    (r"(?P<all>meets the constraints .*)", "{all}"),
    # training claims (claims/verdicts.py): re-runs would tell a student which number to claim
    (r"reproduced: claimed (?P<claim>[^;]+);.*", "reproduced by re-training (claimed {claim})"),
    (r"not reproduced: claimed (?P<claim>[^,]+),.*", "not reproduced by re-training (claimed {claim})"),
    (r"(?P<n>\d+) of (?P<m>\d+) values not reproduced: .*", "{n} of {m} values not reproduced by re-training"),
    (r"(?P<all>every value of the sweep reproduced .*)", "{all}"),
    (r"(?P<all>the re-training did not finish: .+)", "{all}"),
    (r"(?P<all>the model failed while re-training: .+)", "{all}"),
    (r"not re-trained: the model is invalid.*", "not re-trained: the model part is invalid"),
))


def student_clause(clause: str) -> str | None:
    """A kind's clause as a student may read it, or None when its shape is not known here."""
    prefix = re.match(r"matrix \d+: ", clause)
    head = prefix.group(0) if prefix else ""
    body = clause[len(head):]
    for pattern, words in PHRASES:
        m = pattern.fullmatch(body)
        if m:
            return head + words.format(**m.groupdict(default=""))
    return None


def student_feedback(r: dict, view: View) -> str:
    """The feedback line of one part result, for students (see the module's docstring)."""
    verdict, feedback, by = r.get("verdict", ""), r.get("feedback") or "", r.get("decided_by", "")
    if by == "human" or verdict == "missing":
        return feedback
    if verdict == "review":
        return GENERIC["review"]
    if by == "parse":
        return feedback
    if by == "rule":
        return _rule_feedback(r, view)
    clauses = [student_clause(c) for c in feedback.split("; ")] if feedback else []
    kept = [c for c in clauses if c and not leaks(c, r.get("expected", ""))]
    return "; ".join(dict.fromkeys(kept)) or GENERIC.get(verdict, "")


def _rule_feedback(r: dict, view: View) -> str:
    named = next((n.split(": ", 1)[1] for n in r.get("notes", []) if n.startswith(("known mistake: ",
                                                                                   "known variant: "))), "")
    if named and view.policy.rule_open(r["problem"], r["part"], named):
        return r.get("feedback") or ""
    return RULE_WORDS.get(r.get("verdict"), GENERIC.get(r.get("verdict"), ""))


# -- the guard ---------------------------------------------------------------------------------
_NUMBER = re.compile(r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+−]?\d+)?")
_SMALL = 10         # in a vector or matrix, integers up to this size are positions and counts too


def leaks(text: str, expected: str) -> bool:
    """Whether `text` shows the reference `expected` (its display): the display itself, a number
    equal to one of its distinctive numbers, or such a number rounded to three figures or more."""
    if not text or not expected:
        return False
    shown, said = " ".join(expected.split()).casefold(), " ".join(text.split()).casefold()
    whole = _NUMBER.fullmatch(shown.replace(" ", ""))
    if not whole and len(shown) >= 3 and shown in said:
        return True
    secrets = _numbers(shown)
    if not whole:
        secrets = [x for x in secrets if not (x.is_integer() and abs(x) <= _SMALL)]
    return any(_same(secret, number, written) for secret in secrets for number, written in _numbers_written(said))


def _numbers(text: str) -> list:
    return [number for number, _ in _numbers_written(text)]


def _numbers_written(text: str) -> list:
    out = []
    for m in _NUMBER.finditer(text):
        written = m.group(0).replace("−", "-").replace(",", "")
        try:
            out.append((float(written), written))
        except ValueError:
            continue
    return out


def _same(secret: float, number: float, written: str) -> bool:
    if math.isclose(secret, number, rel_tol=1e-9, abs_tol=1e-12):
        return True
    figures = len(re.sub(r"^[-0.]+|e.*$|\.", "", written.lower()).rstrip("0") or "0")
    if figures < 3 or not math.isfinite(secret) or secret == 0:
        return False
    return math.isclose(float(f"{secret:.{figures}g}"), number, rel_tol=1e-12)


# -- a result, a report, a record -------------------------------------------------------------
KEPT = ("problem", "part", "kind", "verdict", "score", "max_score", "got", "decided_by", "line")


def student_result(r: dict, view: View) -> dict:
    """One part result (JSON) as the student sees it: `expected` is empty unless the part is revealed."""
    if view.policy.reveals(r.get("problem", ""), r.get("part", "")):
        return {**r, "revealed": True}
    out = {k: r[k] for k in KEPT if k in r}
    out["expected"] = ""
    out["feedback"] = _guarded(student_feedback(r, view), r)
    out["notes"] = [n for n in r.get("notes", []) if n.startswith(SAFE_NOTES) and not leaks(n, r.get("expected"))]
    if isinstance(r.get("reasoning"), dict):
        out["reasoning"] = _student_reasoning(r["reasoning"], r.get("expected", ""))
    if isinstance(r.get("human"), dict):
        out["human"] = {k: r["human"][k] for k in ("score", "max_score", "comment", "stale") if k in r["human"]}
    return out


def _guarded(text: str, r: dict) -> str:
    return GENERIC.get(r.get("verdict"), "") if r.get("decided_by") != "human" and leaks(
        text, r.get("expected", "")) else text


def _student_reasoning(reasoning: dict, expected: str) -> dict:
    """The working's verdict and its earliest wrong step (the student's own line); the step's
    reason only when it is about shapes, which the reference does not enter."""
    out = {k: reasoning[k] for k in ("reasoning_ok", "counts", "error_not_located") if k in reasoning}
    wrong = reasoning.get("earliest_wrong")
    if isinstance(wrong, dict):
        reason = str(wrong.get("reason") or "")
        safe = reason.startswith("shapes:") and not leaks(reason, expected)
        out["earliest_wrong"] = {"line": wrong.get("line"), "text": wrong.get("text", ""),
                                 "reason": reason if safe else ""}
    return out


def student_json(report: dict, view: View) -> dict:
    """A report's JSON (SUBMISSION_FORMAT.md) for `view`: unchanged for staff."""
    if not view.student:
        return report
    expected = {f"{r.get('problem')}/{r.get('part')}": r.get("expected", "") for r in report.get("results", [])}
    by_problem = {}
    for key, shown in expected.items():
        by_problem.setdefault(key.rsplit("/", 1)[0], []).append(shown)
    return {**{k: report[k] for k in ("submission", "author", "score", "max_score", "counts") if k in report},
            **{k: report[k] for k in ("human_scored", "reviews_pending") if k in report},
            "audience": STUDENT,
            "results": [student_result(r, view) for r in report.get("results", [])],
            "critiques": [_student_critique(c) for c in report.get("critiques", [])],
            "critiques_unchecked": [_student_critique(c) for c in report.get("critiques_unchecked", [])],
            "traces": [_student_trace(t, by_problem.get(t.get("problem"), [])) for t in report.get("traces", [])],
            "errors": [_student_issue(e) for e in report.get("errors", [])],
            "warnings": [_student_issue(w) for w in report.get("warnings", [])]}


def _student_critique(c: dict) -> dict:
    """Whether a reviewer's verdict was right: the flags (which quote references) stay with staff."""
    keys = ("problem", "critique_verdict", "actual_verdict", "critique_right", "critique_answer_verdict")
    return {k: c.get(k) for k in keys}


def _student_trace(t: dict, expected: list) -> dict:
    out = {k: t.get(k) for k in ("problem", "final_answer", "reasoning_ok", "error_not_located", "counts")}
    wrong = t.get("earliest_wrong")
    if isinstance(wrong, dict):
        reason = str(wrong.get("reason") or "")
        safe = reason.startswith("shapes:") and not any(leaks(reason, e) for e in expected)
        out["earliest_wrong"] = {"line": wrong.get("line"), "text": wrong.get("text", ""),
                                 "reason": reason if safe else ""}
    else:
        out["earliest_wrong"] = None
    return out


def _student_issue(issue: dict) -> dict:
    """A file's issues are about the student's own keys and lines; a solver's failure is staff's."""
    if str(issue.get("message", "")).startswith("could not derive the reference"):
        return {**issue, "message": "this problem could not be checked automatically; staff will look at it"}
    return issue


def student_record(record: dict, view: View) -> dict:
    """A batch record (classbook.py) with its report as `view` sees it."""
    if not view.student or not isinstance(record.get("report"), dict):
        return record
    return {**record, "report": student_json(record["report"], view)}


# -- the same, for renderers that read a Report object (`dlcheck grade`) ------------------------
@dataclass
class _Step:
    line: int | None
    text: str
    reason: str


@dataclass
class _Trace:
    """A working's audit as students see it: the verdicts, the tally and the earliest wrong line."""

    data: dict

    def __getattr__(self, name):
        if name == "earliest_wrong":
            wrong = self.data.get("earliest_wrong")
            return _Step(wrong.get("line"), wrong.get("text", ""), wrong.get("reason", "")) if wrong else None
        if name == "undecided":
            return []
        if name in ("problem", "final_answer", "reasoning_ok", "error_not_located", "counts"):
            return self.data.get(name)
        raise AttributeError(name)

    def to_json(self) -> dict:
        return dict(self.data)


def for_view(report, view: View):
    """A graded Report as `view` sees it, carrying the view (renderers read its audience and visibility)."""
    if not view.student:
        return replace(report, view=view)
    return student_report(report, view)


def student_report(report, view: View):
    """A graded Report with what a student may see of it (see the module's docstring)."""
    from dlcheck.errors import Issue
    from dlcheck.results import CritiqueResult, PartResult, Report

    data = student_json(report.to_json(), view)
    return Report(report.submission, report.author, view=view, titles=dict(report.titles),
                  results=[PartResult.from_json(r) for r in data["results"]],
                  critiques=[CritiqueResult.from_json(c) for c in data["critiques"] + data["critiques_unchecked"]],
                  traces=[_Trace(t) for t in data["traces"]],
                  errors=[Issue(e["key"], e["message"], e.get("line")) for e in data["errors"]],
                  warnings=[Issue(w["key"], w["message"], w.get("line")) for w in data["warnings"]])
