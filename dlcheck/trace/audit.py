"""Checking working step by step.

Each relation of a step is one of:
- a *statement* about a name (`L(α) = …`, `w_1 = …`, `η = …`): compared with
  the part's reference when the name states an answer, with a re-simulation
  when the solver can produce it (RMSProp iterates), with the derivative of
  the function it differentiates (`L'(α)`), with the name's previous form
  when it restates one (`L(α) = …` twice in a row), as a root of the step
  before (`α = 1.6` after `L'(α) = 10α − 16`); otherwise it *defines* the name;
- a *condition* (`0 = …`, `1 − 2ηλ̃ = 1 − λ`, `… = 0`): an equation to solve,
  which holds when the unknown takes its reference value; without one it is
  decided only when it is an identity;
- a *chain link* (`= …` after the first side): equal to the side before it.
Each step is judged against its own left side, so one slip is reported once,
not again on every later line. Shape clashes (X⁻¹ for a non-square X, a vector
added to a matrix) and the spec's known flaws are wrong wherever they appear.
A "not equal" that rests on letters the problem does not declare (read as
scalars) is `undecided`, never a guess."""
from __future__ import annotations

import re
from dataclasses import dataclass

from dlcheck.mathexpr import nodes as N
from dlcheck.mathexpr.equiv import equivalent
from dlcheck.mathexpr.errors import ExprError
from dlcheck.trace import numeric
from dlcheck.trace.extract import Extracted
from dlcheck.trace.sides import Side, read_side, substitute_aliases

from dlcheck.trace.steps import GIVEN, OK, UNDECIDED, WRONG, StepCheck
_RANK = {WRONG: 3, UNDECIDED: 2, OK: 1, GIVEN: 0}
# an operator right after an operator, or a minus standing alone after × or "(" (a symbol lost in OCR)
_GARBLED = re.compile(r"(?:\\times|\\cdot|[-+*/])\s*(?:\\times|\\cdot|[+*/])|(?:\\times|\()\s+-\s")


@dataclass
class Judgement:
    status: str
    reason: str = ""
    counterexample: dict | None = None


@dataclass
class Statement:
    side: Side
    index: int
    line: int
    name: str = ""              # the name as written (L(\alpha)), for messages


class Auditor:
    """Walks one problem's steps in order, keeping what the working has stated."""

    def __init__(self, problem, refs: dict, simulate=None):
        self.problem = problem
        self.ctx = problem.trace_math
        self.refs = refs
        self.simulate = simulate               # settings -> {name: [values]} (the solver's), or None
        self.flaws = [f for part in problem.parts.values() for f in (*part.flaws, *part.trace_flaws)]
        self.facts = {k: v for ref in refs.values() for k, v in ref.facts.items()}
        self.known: dict[str, Statement] = {}
        self.values: dict = {}                 # name -> float or [floats], stated as numbers
        self.settings: dict = {}               # the givens as stated, for a re-simulation
        self._simulated = None
        self._previous_last: Side | None = None
        self._take_problem_values(problem.given)

    # -- the walk --------------------------------------------------------
    def run(self, extracted: Extracted, line_offset: int = 0) -> list:
        for given in extracted.givens:
            self._take_given(given.name, given.value)
        checks = []
        for index, step in enumerate(extracted.steps):
            checks.append(self._check_step(index, step, line_offset))
        return checks

    def _check_step(self, index: int, step, line_offset: int) -> StepCheck:
        sides = [read_side(text, self.ctx) for text in step.sides]
        relations, judgements = [], []
        flaw = next((f for f in self.flaws if re.search(f.pattern, step.text, re.IGNORECASE)), None)
        for position, (left, right) in enumerate(zip(sides, sides[1:])):
            try:
                judgement = self._relation(index, position, left, right, step)
            except Exception as exc:  # a checker bug leaves one relation undecided, never the audit
                judgement = Judgement(UNDECIDED, f"dlcheck internal error: {type(exc).__name__}: {exc}")
            if flaw is not None and judgement.status != WRONG:
                judgement = Judgement(WRONG, f"known flaw: {flaw.feedback}")
            judgements.append(judgement)
            relations.append({"left": left.text, "right": right.text, "status": judgement.status,
                              "reason": judgement.reason})
        self._remember(index, step, sides)
        worst = max(judgements, key=lambda j: _RANK[j.status])
        if worst.status == GIVEN and any(j.status == OK for j in judgements):
            worst = next(j for j in judgements if j.status == OK)
        names = sorted(set().union(*(s.names for s in sides)))
        return StepCheck(step.line + line_offset, step.text, worst.status, worst.reason, names, relations,
                         worst.counterexample, step.context)

    def _remember(self, index: int, step, sides: list) -> None:
        head = sides[0]
        if head.key and not step.continued:
            last = next((s for s in reversed(sides[1:]) if s.readable), sides[-1])
            self.known[head.key] = Statement(last, index, step.line, head.text)
            value = self._constant(last)
            if value is not None and not self.ctx.info(head.key).is_matrix:   # "at t = 0" is not the vector t
                self.values[head.key] = value
        self._previous_last = sides[-1]

    # -- one relation ----------------------------------------------------
    def _relation(self, index: int, position: int, left: Side, right: Side, step) -> Judgement:
        for side in (left, right):
            if side.shape_error:
                return self._shape_judgement(side)
        if position > 0 or step.continued:
            return self._link(left, right)
        if left.key:
            return self._statement(index, left, right, step)
        return self._condition(left, right)

    def _shape_judgement(self, side: Side) -> Judgement:
        undeclared = self._undeclared(side)
        if undeclared:
            return Judgement(UNDECIDED, f"{side.shape_error}, reading {', '.join(undeclared)} as scalars "
                                        f"(not declared by the problem)")
        return Judgement(WRONG, f"shapes: {side.shape_error}")

    def _statement(self, index: int, left: Side, right: Side, step) -> Judgement:
        key = left.key
        if key in self.problem.trace_answers:
            return self._against_answer(key, right)
        fact = self.facts.get(key)
        if fact is not None and (key not in self.known or not self.known[key].side.readable):
            return self._against(fact, right, key)
        simulated = self._simulated_value(key) if self._constant(right) is not None else None
        if simulated is not None:
            return self._against_simulation(key, right, simulated)
        if left.primes and f"{left.base}({','.join(left.args)})" in self.known:
            return self._derivative(left, right)
        if key in self.known:
            return self._restatement(index, key, right)
        root = self._root(key, right)
        if root is not None:
            return root
        return Judgement(GIVEN, f"defines {left.text}")

    def _condition(self, left: Side, right: Side) -> Judgement:
        if not (left.readable and right.readable):
            return Judgement(UNDECIDED, _unreadable(left, right))
        for key, part_name in self.problem.trace_answers.items():
            solution = self._reference_tree(part_name)
            if solution is None or key not in (left.names | right.names):
                continue
            names = self._names(left, right) - {key}
            holds, detail = numeric.condition_holds(self._tree(left), self._tree(right), key, solution,
                                                    names, self.ctx, self._scalar_values())
            if holds is True:
                return Judgement(OK, f"holds at the correct {key}")
            if holds is False and not self._undeclared(left, right):
                return Judgement(WRONG, f"an equation that the correct {key} does not satisfy: {detail}")
        same = self._equal(left, right)
        if same.status == OK:
            return Judgement(OK, "an identity")
        if not self._names(left, right) and same.status == WRONG:
            return Judgement(WRONG, f"arithmetic: {same.reason}")      # numbers only: nothing to solve for
        return Judgement(UNDECIDED, "an equation to solve; no reference value to check it with")

    def _link(self, left: Side, right: Side) -> Judgement:
        evaluated = [s for s in (left, right) if s.readable and self._constant(s) is None]
        if len(evaluated) == 1 and self._unvalued(evaluated[0]) and self._constant(left if evaluated[0] is right
                                                                                  else right) is not None:
            return Judgement(UNDECIDED, f"evaluates {_short(evaluated[0].text)} with values not stated here")
        if right.key and right.key not in self.known and not right.opaque:
            if right.key in self.problem.trace_answers:
                return self._against_answer(right.key, left)
            return Judgement(GIVEN, f"names it {right.text}")     # "… = w*": what the chain arrived at
        if right.is_zero or left.is_zero:
            return self._condition(left, right)
        if not (left.readable and right.readable):
            return Judgement(UNDECIDED, _unreadable(left, right))
        return self._equal(left, right)

    # -- statements about names -----------------------------------------
    def _against_answer(self, key: str, right: Side) -> Judgement:
        part_name = self.problem.trace_answers[key]
        ref = self.refs.get(part_name)
        if ref is None:
            return Judgement(UNDECIDED, f"states the answer to {part_name}, which has no reference")
        judgement = self._against(ref.value, right, part_name)
        if judgement.status == OK:
            judgement.reason = f"the answer to {part_name}, as derived"
        return judgement

    def _against(self, expected, right: Side, label: str) -> Judgement:
        """A side compared with a derived value: an expression (text) or numbers."""
        if not right.readable:
            return Judgement(UNDECIDED, _unreadable(right))
        if isinstance(expected, str):
            tree = self._parse_expected(expected)
            if tree is None:
                return Judgement(UNDECIDED, f"the derived {label} cannot be read here")
            return self._equal(Side(expected, tree=tree, names=N.symbols(tree)), right,
                               wrong_prefix=f"{label} is {expected}; ")
        if isinstance(expected, (int, float, list)) and not isinstance(expected, bool):
            return self._numbers(expected, right, f"{label} is {_show(expected)}")
        return Judgement(UNDECIDED, f"the derived {label} is not a number or an expression")

    def _against_simulation(self, key: str, right: Side, simulated) -> Judgement:
        judgement = self._numbers(simulated, right, f"re-running the method with the stated settings gives "
                                                    f"{key} = {_show(simulated)}")
        if judgement.status == OK:
            judgement.reason = "matches a re-run with the stated settings"
        return judgement

    def _derivative(self, left: Side, right: Side) -> Judgement:
        function = self.known[f"{left.base}({','.join(left.args)})"].side
        if left.primes != 1 or len(left.args) != 1 or not (function.tree is not None and right.tree is not None):
            return Judgement(UNDECIDED, "a derivative this checker cannot read")
        if self._has_matrix(function, right):
            return Judgement(UNDECIDED, "a matrix derivative")
        fixed = self._scalar_values()
        fixed.pop(left.args[0], None)
        variable = left.args[0]
        ok, detail = numeric.derivative_matches(self._tree(function, keep=variable), self._tree(right, keep=variable),
                                                variable, self.ctx, fixed)
        if ok is None:
            return Judgement(UNDECIDED, detail)
        return Judgement(OK, "the derivative of the line before") if ok else Judgement(WRONG, detail)

    def _restatement(self, index: int, key: str, right: Side) -> Judgement:
        before = self.known[key]
        if not (before.side.readable and right.readable):
            return Judgement(UNDECIDED, f"restates {key} (working line {before.line}); " + _unreadable(before.side, right))
        if self._constant(right) is not None and self._constant(before.side) is None:
            return self._condition(before.side, right)      # "set ∇L = 0": an equation to solve
        new_letters = right.names - before.side.names - set(self.known) - set(self.values)
        if new_letters:
            return Judgement(GIVEN, f"restates {key} for a new case (now with {', '.join(sorted(new_letters))})")
        where = "the step before" if index - before.index == 1 else f"working line {before.line}"
        judgement = self._equal(before.side, right, wrong_prefix=f"{before.name} was {_short(before.side.text)} "
                                                                  f"({where}); ")
        if judgement.status == WRONG and index - before.index > 1:
            return Judgement(UNDECIDED, f"{key} is stated differently on working line {before.line} (another case?)")
        return judgement

    def _root(self, key: str, right: Side) -> Judgement | None:
        value = self._constant(right)
        previous = self._previous_last
        if value is None or not isinstance(value, float) or previous is None or previous.tree is None:
            return None
        if key not in previous.names or self._has_matrix(previous):
            return None
        fixed = {k: v for k, v in self._scalar_values().items() if k != key}
        if N.symbols(self._tree(previous)) - set(fixed) - {key}:
            return None
        root = numeric.is_root(self._tree(previous), key, value, right.text, fixed)
        if root:
            return Judgement(OK, f"{key} = {right.text} makes {_short(previous.text)} zero")
        return Judgement(UNDECIDED, f"{key} = {right.text} is not a root of {_short(previous.text)}")

    # -- comparing -------------------------------------------------------
    def _equal(self, left: Side, right: Side, wrong_prefix: str = "") -> Judgement:
        if _GARBLED.search(left.text + " = " + right.text):
            return Judgement(UNDECIDED, "an operator follows an operator: the text looks damaged")
        numbers_only = not self._names(left, right)
        if left.vector is not None or right.vector is not None or self._vector_valued(left, right) or numbers_only:
            fixed = self._all_values()
            tolerance = numeric.written_tolerance(left.text + " " + right.text)
            if self._has_matrix(left, right):
                return Judgement(UNDECIDED, "a vector compared with a matrix expression")
            same, detail = numeric.compare_values(self._value(left), self._value(right), self._names(left, right),
                                                  self.ctx, fixed, tolerance)
            return self._verdict(same, wrong_prefix + detail, left, right)
        try:
            result = equivalent(self._tree(left), self._tree(right), self.ctx)
        except ExprError as exc:
            return Judgement(UNDECIDED, str(exc))
        counter, detail = result.counterexample or None, result.detail or result.decided_by
        if result.equivalent is False and not self._has_matrix(left, right):
            simple = numeric.simple_counterexample(self._tree(left), self._tree(right), self._names(left, right))
            if simple is not None:
                at = ", ".join(f"{k} = {v}" for k, v in simple["point"].items())
                counter, detail = simple, f"at {at} they give {simple['expected']} and {simple['got']}"
        return self._verdict(result.equivalent, wrong_prefix + detail, left, right, counter)

    def _verdict(self, same, detail: str, left: Side, right: Side, counter=None) -> Judgement:
        if same is True:
            return Judgement(OK, "equal")
        if same is None:
            return Judgement(UNDECIDED, detail or "could not be decided")
        undeclared = self._undeclared(left, right)
        if undeclared:
            return Judgement(UNDECIDED, f"not equal if {', '.join(undeclared)} are scalars, but the problem does "
                                        f"not declare them")
        return Judgement(WRONG, detail, counter)

    def _numbers(self, expected, right: Side, what: str) -> Judgement:
        import numpy as np

        if self._has_matrix(right):
            return Judgement(UNDECIDED, "a matrix expression where numbers were expected")
        target = np.atleast_1d(np.asarray(expected, dtype=float)).ravel()
        entries = [N.Num(_fraction(x)) for x in target.tolist()]
        value = entries if len(entries) > 1 else entries[0]
        expected_side = Side(_show(expected), vector=entries if len(entries) > 1 else None,
                             tree=None if len(entries) > 1 else value)
        tolerance = numeric.written_tolerance(right.text, rel=5e-3)
        same, detail = numeric.compare_values(value, self._value(right), self._names(right), self.ctx,
                                              self._all_values(), tolerance)
        if same is False:
            detail = f"{what}; the step has {detail.split(' ≠ ')[-1] if ' ≠ ' in detail else detail}"
        return self._verdict(same, detail, expected_side, right)

    # -- helpers ---------------------------------------------------------
    def _tree(self, side: Side, keep: str = ""):
        """The side's tree with earlier definitions and stated scalars put in
        (except `keep`, the variable a derivative is taken in)."""
        tree = side.tree
        mapping = {}
        for name in N.symbols(tree) - {keep}:
            stated = self.known.get(name)
            if stated is not None and stated.side.tree is not None and name not in stated.side.names \
                    and self._same_shape(name, stated.side.tree):
                mapping[name] = stated.side.tree
        tree = N.substitute(tree, mapping) if mapping else tree
        scalars = {k: N.Num(_fraction(v)) for k, v in self._scalar_values().items()
                   if k in N.symbols(tree) and k != keep}
        return N.substitute(tree, scalars) if scalars else tree

    def _same_shape(self, name: str, tree) -> bool:
        """A definition stands in for a name only with the name's declared shape
        ("at t = 0" does not replace the target vector t)."""
        from dlcheck.mathexpr.matrix import ShapeError, shape, shape_of_symbol

        try:
            return shape(tree, self.ctx) == shape_of_symbol(name, self.ctx)
        except ShapeError:
            return False

    def _value(self, side: Side):
        return side.vector if side.vector is not None else self._tree(side)

    def _names(self, *sides) -> set:
        out = set()
        for side in sides:
            for tree in (side.vector or [self._tree(side)] if side.tree is not None or side.vector else []):
                out |= N.symbols(tree)
        return out

    def _constant(self, side: Side):
        if side.vector is not None:
            values = [N.constant(t) for t in side.vector]
            return [float(v) for v in values] if all(v is not None for v in values) else None
        if side.tree is not None:
            value = N.constant(side.tree)
            return float(value) if value is not None else None
        return None

    def _scalar_values(self) -> dict:
        return {k: v for k, v in self.values.items() if isinstance(v, float)}

    def _all_values(self) -> dict:
        import numpy as np

        def array(v):
            a = np.array(v, dtype=float)
            return a if a.ndim == 2 else a.reshape(-1, 1)    # a list is a column vector, [[…]] a matrix

        return {k: array(v) if isinstance(v, list) else v for k, v in self.values.items()}

    def _unvalued(self, side: Side) -> set:
        """Symbols of a side that no statement or given has a value for."""
        return self._names(side) - set(self.values)

    def _vector_valued(self, *sides) -> bool:
        return any(isinstance(self.values.get(n), list) for s in sides for n in s.names)

    def _has_matrix(self, *sides) -> bool:
        return any(self.ctx.info(n).is_matrix for s in sides for n in s.names)

    def _undeclared(self, *sides) -> list:
        """Letters read as scalars only because nobody declared them, in a step
        that also uses matrices (where that reading may be wrong)."""
        if not self._has_matrix(*sides):
            return []
        names = set().union(*(s.names for s in sides))
        return sorted(n for n in names if n not in self.ctx.symbols and n not in self.ctx.aliases
                      and n not in self.values and n not in self.ctx.dims and n != "pi")

    def _reference_tree(self, part_name: str):
        ref = self.refs.get(part_name)
        return self._parse_expected(ref.value) if ref is not None and isinstance(ref.value, str) else None

    def _parse_expected(self, text: str):
        from dlcheck.mathexpr.parser import parse

        try:
            return substitute_aliases(parse(text, self.ctx), self.ctx)
        except ExprError:
            return None

    def _take_problem_values(self, given: dict) -> None:
        """The problem's own numbers under names working uses (X = [[2, 1]], t = [2])."""
        from dlcheck.mathexpr.lexer import canonical_name

        for name, value in (given or {}).items():
            if len(str(name).split("_")[0]) == 1 and _numbers_only(value) and not self.ctx.info(name).is_matrix:
                self.values[canonical_name(str(name))] = float(value) if not isinstance(value, list) else value

    def _take_given(self, raw_name: str, raw_value: str) -> None:
        from dlcheck.mathexpr.lexer import canonical_name

        name = canonical_name(raw_name)
        side = read_side(raw_value, self.ctx)
        value = self._constant(side)
        if value is not None:
            self.settings[name] = value
            if not self.ctx.info(name).is_matrix:
                self.values.setdefault(name, value)

    def _simulated_value(self, key: str):
        if self.simulate is None:
            return None
        if self._simulated is None:
            try:
                self._simulated = self.simulate(dict(self.settings)) or {}
            except Exception:  # a solver's re-run that fails leaves the step undecided, not the report
                self._simulated = {}
        return self._simulated.get(key)


def _numbers_only(value) -> bool:
    if isinstance(value, list):
        return bool(value) and len(value) <= 64 and all(_numbers_only(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unreadable(*sides) -> str:
    bad = [s for s in sides if not s.readable]
    if not bad:
        return "could not be read"
    side = bad[0]
    return f"cannot read {_short(side.text)!r}: {side.error or side.shape_error}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(f"{float(x):.6g}" for x in value) + "]"
    return f"{float(value):.6g}"


def _fraction(x: float):
    from fractions import Fraction

    return Fraction(x).limit_denominator(10**12) if abs(x) < 1e12 else Fraction(x)
