"""`check: claim`: a training claim ("test accuracy 0.9854 after 10 epochs"),
re-trained in the sandbox (claims/). Its reference is made here from the spec's
`given.claims.<part>` (no solver line per claim); on a text part left for review,
the set's experiment is measured and its numbers set beside the text."""
from __future__ import annotations

from dlcheck.kinds import plain
from dlcheck.verdict import INCORRECT, INVALID, InvalidAnswer, Outcome

SCORED_IN_REVIEW = False     # a re-training that could not run: a human decides, out of the score


def reference(problem, part):
    """What to re-run, from `given.claims.<part>`: an experiment (a set's own task, for a
    reviewed text) or a claimed metric of the submitted model."""
    from dlcheck.claims import claim_reference, experiment_reference

    claims = problem.given.get("claims") or {}
    if part.name not in claims:
        return None
    made = experiment_reference if "task" in claims[part.name] else claim_reference
    return made(problem.given, part.name)


def split(raw) -> tuple:
    from dlcheck.claims import split as split_claim

    return split_claim(raw)


def judge(grader, problem, part, value, ref, stated, siblings) -> Outcome:
    """The model part's checks first (a model that breaks the rules backs no claim), then
    re-training."""
    from dlcheck.claims import ClaimContext, check

    model_part = problem.parts.get(ref.value.get("model"))
    model_ref = grader.references(problem).get(model_part.name) if model_part else None
    unreadable = grader.unreadable_siblings()
    if model_part is not None and model_part.name in unreadable:
        return Outcome(INCORRECT, f"not re-trained: the model is invalid ({unreadable[model_part.name]})",
                       decided_by="claim")

    def model_outcome(source):
        if model_ref is None:
            return None
        return grader.compare(problem, model_part, model_ref.value, source)

    try:
        return check(plain(value), ClaimContext(problem, ref.value, siblings, stated, grader.training,
                                         model_outcome, grader.use_cache))
    except InvalidAnswer as exc:
        return Outcome(INVALID, str(exc), decided_by="parse")


def review(grader, problem, part, value, ref, outcome) -> Outcome:
    if ref is None:
        return outcome
    from dlcheck.claims import measured

    return measured(outcome, value, ref.value, grader.training, problem.set,
                    grader.bank.set_dir(problem.set), grader.use_cache)
