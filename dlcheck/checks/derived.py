"""The default check: the part's kind compares the answer with the solver's
derived reference; when it is not equal, the spec's rules (known mistakes and
accepted variants, whose values the solver derives too) name what happened.

The interface every check module defines:

    reference(problem, part) -> Reference | None
        a reference the check makes from the spec itself (None: the solver's)
    split(raw) -> (answer, stated)
        the answer to read, and what the submission states beside it
    judge(grader, problem, part, value, ref, stated, siblings) -> Outcome
        an automatic part's verdict against its reference
    review(grader, problem, part, value, ref, outcome) -> Outcome
        a part left for a human: what the check adds to the reviewer's view
    SCORED_IN_REVIEW
        whether a `review` verdict still counts the part's points in max_score"""
from __future__ import annotations

from dlcheck.verdict import CORRECT, PARTIAL, INCORRECT, Outcome

SCORED_IN_REVIEW = True


def reference(problem, part):
    return None


def split(raw) -> tuple:
    return raw, {}


def judge(grader, problem, part, value, ref, stated, siblings) -> Outcome:
    outcome = grader.compare(problem, part, ref.value, value)
    if outcome.verdict == CORRECT:
        return outcome
    return known_rule(grader, problem, part, ref, value) or outcome


def review(grader, problem, part, value, ref, outcome) -> Outcome:
    return outcome


def known_rule(grader, problem, part, ref, value) -> Outcome | None:
    """The first of the spec's rules whose derived value the answer equals."""
    for rule in part.rules:
        mistaken = ref.rules.get(rule.name, rule.match or None)
        if mistaken is not None and grader.compare(problem, part, mistaken, value).verdict == CORRECT:
            verdict = CORRECT if rule.credit >= 1 else PARTIAL if rule.credit > 0 else INCORRECT
            return Outcome(verdict, rule.feedback, [f"known {'variant' if rule.credit else 'mistake'}: "
                                                    f"{rule.name}"], "rule", rule.credit)
    return None
