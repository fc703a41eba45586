"""grade(submission, bank) -> Report: every part parsed by its kind and
compared with the solver's reference; one bad answer never stops the rest."""
from __future__ import annotations

import json

from dlcheck import checks, kinds
from dlcheck.critique import audit, problem_verdict
from dlcheck.errors import DlcheckError, Issue, missing_torch
from dlcheck.kinds import plain
from dlcheck.reference import Reference, memoized, references
from dlcheck.results import PartResult, Report
from dlcheck.verdict import CORRECT, ERROR, INVALID, MISSING, PARTIAL, REVIEW, Invalid, Outcome

NO_REFERENCE = "no reference is derived for this part yet; for review"


class Grader:
    def __init__(self, bank, use_cache: bool = True, training=None):
        from dlcheck.claims import TrainingSettings

        self.bank = bank
        self.use_cache = use_cache
        self.training = training or TrainingSettings.from_env()
        self._parses: dict = {}          # (part, answer) -> parsed, for kinds whose values are immutable
        self._problem_parses: dict = {}  # the same for every kind, within one problem's grading
        self._shown: dict = {}           # (part, reference) -> the expected value as displayed
        self._refs: dict[str, dict] = {}
        self._ref_errors: dict[str, str] = {}

    def grade(self, submission) -> Report:
        report = Report(submission.path, submission.author,
                        errors=list(submission.errors), warnings=list(submission.warnings))
        bad_set = next((e for e in submission.errors if e.key == "set"), None)
        if bad_set is not None:      # grading against no set, or the wrong one, would be a wrong max_score
            from dlcheck.errors import SubmissionFileError, where

            raise SubmissionFileError(f"{where(submission.path, bad_set.line)}{bad_set.message}")
        entries = {e.problem_id: e for e in submission.entries}
        # every problem of the set given and of every set the ids name, answered or not: all
        # students of a set share one max_score (SUBMISSION_FORMAT.md), `set:` or not
        sets = list(dict.fromkeys(([submission.set] if submission.set else [])
                                  + [pid.split("/", 1)[0] for pid in entries]))
        ids = [pid for name in sets for pid in self.bank.problem_ids(name)]
        ids += [pid for pid in entries if pid not in ids]
        for pid in ids:
            self._grade_problem(pid, entries.get(pid), report)
        return report

    def references(self, problem) -> dict:
        """A problem's references, derived once per grader; a solver failure is remembered."""
        pid = problem.full_id
        if pid not in self._refs:
            try:
                derived = references(problem, self.bank, self.use_cache)
            except DlcheckError as exc:
                derived, self._ref_errors[pid] = {}, str(exc)
            self._refs[pid] = checks.derived_references(problem, derived)
        return self._refs[pid]

    def _grade_problem(self, pid: str, entry, report: Report):
        problem = self.bank.problem(pid)
        report.titles[pid] = problem.title
        refs = self.references(problem)
        if pid in self._ref_errors:
            report.errors.append(Issue(pid, f"could not derive the reference: {self._ref_errors[pid]}"))
        answers = entry.parts if entry else {}
        self._problem_parses.clear()
        self._siblings = self._parsed_siblings(problem, answers)
        results = [self.judge(problem, part, answers.get(name), refs)
                   for name, part in problem.parts.items()
                   if name in answers or not part.optional]
        working = None
        if entry and entry.trace:
            self._note_trace_flaws(problem, entry.trace, results)
            working = self._audit_working(problem, entry, refs, results)
            if working.steps:
                report.traces.append(working)
        report.results.extend(results)
        if entry and entry.critique:
            critic = [self.judge(problem, problem.parts[name], raw, refs)
                      for name, raw in entry.critique.parts.items()]
            report.critiques.append(audit(pid, entry.critique, results, critic, working))

    def _audit_working(self, problem, entry, refs, results):
        """The trace audit (memoised on disk: the same working at the same place in its file is
        checked once). Lines, in the steps and in their reasons, are lines of the file."""
        from dlcheck.reference import memoized_json, working_values
        from dlcheck.trace import TraceAudit, audit_trace, steps_from_json

        offset = entry.trace_line - 1 if entry.trace_line else 0

        def run():
            simulate = (lambda settings: working_values(problem, self.bank, settings, self.use_cache))
            try:
                found = audit_trace(problem, entry.trace, refs, simulate=simulate, line_offset=offset)
            except Exception as exc:  # a checker bug costs the audit, never the report
                return {"steps": [], "unread": [], "truncated": False, "error": f"{type(exc).__name__}: {exc}"}
            return {"steps": [s.to_json() for s in found.steps], "unread": [u.to_json() for u in found.unread],
                    "truncated": found.truncated}

        data = memoized_json(problem, ("trace", entry.trace, offset), run, self.use_cache)
        found = TraceAudit(problem.full_id, steps_from_json(data.get("steps", [])), problem_verdict(results),
                           data.get("truncated", False), steps_from_json(data.get("unread", [])))
        if found.steps:
            summary = found.summary()
            for result in results:
                result.details["reasoning"] = summary
        return found

    @staticmethod
    def _note_trace_flaws(problem, trace: str, results) -> None:
        """Known flawed steps in the working are named, whatever the final value, with the
        sentence that states them (a sentence that negates the flaw is no match)."""
        from dlcheck.trace import flaw_sentences

        for result in results:
            for flaw in problem.parts[result.part].trace_flaws:
                found = flaw_sentences(flaw.pattern, trace)
                if found:
                    quoted = found[0] if len(found[0]) <= 160 else found[0][:159] + "…"
                    result.notes.append(f"in the working: {flaw.feedback} (“{quoted}”)")

    def _expected(self, part, ref: Reference | None) -> str:
        """The reference as reports show it, worked out once per part (not once per submission)."""
        if ref is None:
            return ""
        key = (id(part), id(ref))
        if key not in self._shown:
            self._shown[key] = (ref, kinds.show_expected(part, ref.value, ref.shown))   # ref kept: its id stays its own
        return self._shown[key][1]

    def _parsed_siblings(self, problem, answers: dict) -> dict:
        """The readable answers of a problem's parts, for checks that relate parts
        (the parameters of the architectures a student proposed)."""
        out, self._unreadable = {}, {}
        for name, raw in answers.items():
            if raw is not None and raw.value not in (None, ""):
                value = self._parse(problem.parts[name], raw.value)
                if isinstance(value, Invalid):
                    self._unreadable[name] = value.message
                elif problem.parts[name].auto:
                    out[name] = plain(value)
        return out

    def _parse(self, part, answer):
        """kinds.parse, once per (part, answer): the siblings and the verdict share it, and across
        a batch the same formula typed by many students is read once (kinds with PARSE_SHARED)."""
        shared = getattr(kinds.module(part.kind), "PARSE_SHARED", False)
        cache = self._parses if shared else self._problem_parses
        try:
            key = (id(part), type(answer).__name__, answer if isinstance(answer, (str, int, float)) else
                   json.dumps(answer, sort_keys=True, default=str))
        except (TypeError, ValueError):
            return kinds.parse(part.kind, answer, part)
        if key not in cache:
            if len(cache) > 100_000:
                cache.clear()
            cache[key] = kinds.parse(part.kind, answer, part)
        return cache[key]

    def unreadable_siblings(self) -> dict:
        """The parts of the problem being graded whose answers could not be read: name -> why."""
        return getattr(self, "_unreadable", {})

    def judge(self, problem, part, raw, refs) -> PartResult:
        """One part: parse, let the part's check decide against the reference, score."""
        check = checks.get(part.check)
        ref = refs.get(part.name)
        expected = self._expected(part, ref)
        base = dict(problem=problem.full_id, part=part.name, kind=part.kind, expected=expected,
                    line=raw.line if raw else None, automatic=part.auto)
        # an automatic part with a reference counts in max_score whatever its verdict (invalid, timeout…:
        # an answer cannot shrink the total); the rest wait for a human
        points = part.points if part.auto and ref is not None else 0
        if raw is None or raw.value is None or raw.value == "":
            feedback = "not answered" if raw is None else "the value is empty"
            return PartResult(verdict=MISSING, score=0, max_score=points, got="", feedback=feedback, **base)
        answer, stated = check.split(raw.value)
        try:
            value = self._parse(part, answer)
        except Exception as exc:  # a reader bug must cost one part, not the report
            value = Invalid(f"dlcheck internal error while reading the answer: {type(exc).__name__}: {exc}")
        if isinstance(value, Invalid):
            return PartResult(verdict=INVALID, score=0, max_score=points, got=_short(raw.value),
                              feedback=value.message, decided_by="parse", **base)
        try:
            outcome = self._outcome(check, problem, part, value, ref, stated)
        except Exception as exc:  # a checker bug (or a missing torch) must cost one part, not the report
            outcome = Outcome(ERROR, missing_torch(exc) or f"dlcheck internal error while checking: "
                                                           f"{type(exc).__name__}: {exc}", decided_by="internal")
        if outcome.verdict == REVIEW and not check.SCORED_IN_REVIEW:
            points = 0
        score = points * outcome.share if outcome.verdict in (CORRECT, PARTIAL) else 0
        return PartResult(verdict=outcome.verdict, score=score, max_score=points,
                          got=kinds.show(part.kind, value), feedback=outcome.feedback,
                          notes=list(outcome.notes), decided_by=outcome.decided_by,
                          rubric=list(outcome.rubric), details=dict(outcome.details), **base)

    def _outcome(self, check, problem, part, value, ref: Reference | None, stated: dict) -> Outcome:
        if not part.auto:
            outcome = kinds.module(part.kind).compare(ref.value if ref else None, value, part)
            return check.review(self, problem, part, value, ref, outcome)
        if ref is None:
            return Outcome(REVIEW, NO_REFERENCE, decided_by="review")
        siblings = {k: v for k, v in getattr(self, "_siblings", {}).items() if k != part.name}
        return check.judge(self, problem, part, value, ref, stated, siblings)

    def compare(self, problem, part, expected, value) -> Outcome:
        """The part's kind compares, memoised on disk for kinds that are expensive to decide."""
        kind = kinds.module(part.kind)
        if not getattr(kind, "MEMOIZE", False):
            return kind.compare(expected, value, part)
        answer = value.text if hasattr(value, "text") else plain(value)  # the whole answer, never its display
        context = kind.memo_context() if hasattr(kind, "memo_context") else ""   # e.g. the sandbox's mode
        return memoized(problem, ("compare", part.name, expected, answer, context),
                        lambda: kind.compare(expected, value, part), self.use_cache)


def _short(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

