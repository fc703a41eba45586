"""Shared by `expr` and `mexpr`: read an answer with the problem's symbols,
compare it with the reference expression, and name known slips."""
from __future__ import annotations

from dataclasses import dataclass

from dlcheck.verdict import CORRECT, INCORRECT, TIMEOUT, InvalidAnswer, Outcome


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
    result = equivalent(reference, got.tree, ctx)
    notes = [f"counterexample: {result.counterexample}"] if result.counterexample else []
    if result.equivalent:
        return Outcome(CORRECT, decided_by=result.decided_by)
    if result.equivalent is None:
        verdict = TIMEOUT if result.decided_by == "timeout" else "review"
        return Outcome(verdict, f"could not decide: {result.detail}", notes, result.decided_by)
    feedback = result.detail
    if _reads_slash_then_product(got.text):
        notes.append("note: a/2b is read as (a/2)·b; write a/(2b) if you meant the product in the denominator")
    return Outcome(INCORRECT, feedback, notes, result.decided_by)


def _reads_slash_then_product(text: str) -> bool:
    import re

    return bool(re.search(r"/\s*\d+\s*(?:\\?[A-Za-z]|[α-ω])", text))


def show(value) -> str:
    return value.text if isinstance(value, ParsedExpr) else " ".join(str(value).split())
