"""Shared by `expr` and `mexpr`: read an answer with the problem's symbols,
compare it with the reference expression, and name known slips."""
from __future__ import annotations

from dataclasses import dataclass

from dlcheck.verdict import CORRECT, INCORRECT, INVALID, TIMEOUT, InvalidAnswer, Outcome


@dataclass(frozen=True)
class ParsedExpr:
    text: str
    tree: object


def context(part):
    from dlcheck.mathexpr import MathContext

    ctx = part.math or MathContext(free_letters=True)
    return ctx.with_lhs(part.lhs or [part.name])


def read(raw, part, want_matrix: bool) -> ParsedExpr:
    from dlcheck.mathexpr import ExprError
    from dlcheck.mathexpr.equiv import is_matrix, read as read_tree

    if isinstance(raw, bool) or raw is None or isinstance(raw, (list, dict)):
        raise InvalidAnswer("expected an expression (text such as \\frac{\\lambda}{2\\eta})")
    text = str(raw).strip()
    ctx = context(part)
    try:
        tree = read_tree(text, ctx)
    except ExprError as exc:
        raise InvalidAnswer(exc.pointed()) from None
    except RecursionError:
        raise InvalidAnswer("nested too deeply") from None
    if not want_matrix and is_matrix(tree, ctx):
        raise InvalidAnswer("expected a scalar expression, but this uses matrix symbols")
    return ParsedExpr(" ".join(text.split()), tree)


def compare(expected, got: ParsedExpr, part) -> Outcome:
    from dlcheck.mathexpr.equiv import equivalent, read as read_tree

    ctx = context(part)
    reference = read_tree(str(expected), ctx)
    try:
        result = equivalent(reference, got.tree, ctx, part.tolerance.get("rel", 0.0))   # the part's own rtol
    except ZeroDivisionError:           # the matrix tier evaluates 1/0 as it stands
        return Outcome(INVALID, "division by zero: the expression has no value to compare", decided_by="numeric")
    except (ArithmeticError, ValueError) as exc:
        return Outcome(INVALID, f"the expression cannot be evaluated: {exc}", decided_by="numeric")
    notes = [f"counterexample: {result.counterexample}"] if result.counterexample else []
    if result.equivalent:
        return Outcome(CORRECT, decided_by=result.decided_by)
    if result.equivalent is None:
        # an automatic part is never left to a human: what cannot be decided earns nothing, and says why
        if result.decided_by == "timeout":
            return Outcome(TIMEOUT, f"could not decide: {result.detail}", notes, result.decided_by)
        return Outcome(INVALID, f"cannot be compared with the reference: {result.detail}", notes, result.decided_by)
    feedback = result.detail
    if _reads_slash_then_product(got.text):
        notes.append("note: a/2b is read as (a/2)·b; write a/(2b) if you meant the product in the denominator")
    return Outcome(INCORRECT, feedback, notes, result.decided_by)


def _reads_slash_then_product(text: str) -> bool:
    import re

    return bool(re.search(r"/\s*\d+\s*(?:\\?[A-Za-z]|[α-ω])", text))


def show(value) -> str:
    return value.text if isinstance(value, ParsedExpr) else " ".join(str(value).split())
