"""`check: solver`: the solver's own `check_<part>(answer, given, reference)`
decides (a simulation of the answer, a constraint no single value captures),
memoised so that the same answer to the same problem is simulated once."""
from __future__ import annotations

from dlcheck.checks.derived import reference, review, split  # noqa: F401 - the rest of the interface
from dlcheck.kinds import plain
from dlcheck.reference import solver_check
from dlcheck.verdict import Outcome

SCORED_IN_REVIEW = True


def judge(grader, problem, part, value, ref, stated, siblings) -> Outcome:
    return solver_check(problem, grader.bank, part.name, plain(value), ref, grader.use_cache, siblings)
