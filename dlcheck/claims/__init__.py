"""Training claims: "test accuracy 0.9854 after 10 epochs" checked by training
the submitted model again, as the problem (or the submission) says it was
trained, over several seeds, in the sandbox.

Three-way, as everywhere in dlcheck. The claim holds (`correct`) when it lies
within mean ± 2 sd of the reruns; it is `incorrect` when it lies outside the 95 %
prediction interval for one more run, mean ± t(n−1)·sd·√(1 + 1/n); in between,
a few seeds cannot tell, and it is `review` (more seeds decide). Both bands are
never narrower than a floor: the spread that other hardware and library versions
alone produce, which a handful of seeds cannot show. A claim that cannot be
checked here (no model, no data set, not enough time) is `review`, saying what
is missing.

A spec asks for this with `check: claim` on the part and the claim's protocol in
`given.claims.<part>`; the solver's `claim_reference` turns it into the part's
reference. Grader side only: no torch here; the training itself runs in the
sandbox (dlcheck/training/rerun.py).

    settings.py     what the person grading provides (data, seeds, time, device)
    reference.py    the reference a spec's `given.claims.<part>` makes, and how it is shown
    stated.py       what a submission may state with its claim (its own protocol)
    statistics.py   the spread of reruns: the bands a claim is judged against
    run.py          one memoised run in the sandbox (data found, labels kept outside)
    retrain.py      a claimed accuracy (or a sweep) re-trained and judged (verdicts.py)
    experiments.py  measurements beside a reviewed text (a set's own experiment)"""
_INTERFACE = {"ClaimContext": "retrain", "check": "retrain", "measured": "experiments", "claim_reference": "reference",
              "describe": "reference", "experiment_reference": "reference", "DEFAULT_BUDGET_S": "settings",
              "DEFAULT_SEEDS": "settings", "TrainingSettings": "settings", "split": "stated",
              "stated_protocol": "stated"}


def __getattr__(name):
    """The package's interface, each name loaded from its module when first asked for (the CLI
    reads the settings' defaults without loading the checks)."""
    if name in _INTERFACE:
        import importlib

        return getattr(importlib.import_module(f"dlcheck.claims.{_INTERFACE[name]}"), name)
    raise AttributeError(name)
