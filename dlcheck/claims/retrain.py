"""A claimed accuracy (or a sweep of them) checked by re-training the submitted
model in the sandbox, as the problem (or the submission) says it was trained."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.claims.run import data_root, fingerprint, memoized_run, run_settings, train_in_sandbox
from dlcheck.claims.settings import TrainingSettings
from dlcheck.claims.stated import stated_protocol
from dlcheck.claims.verdicts import judge
from dlcheck.verdict import CORRECT, INCORRECT, REVIEW, InvalidAnswer, Outcome


@dataclass
class ClaimContext:
    """Everything a claim check needs besides the claimed value."""

    problem: object
    reference: dict                        # claim_reference(...).value
    siblings: dict                         # the submission's other parts (the model's source)
    stated: dict = field(default_factory=dict)
    settings: TrainingSettings = field(default_factory=TrainingSettings)
    model_outcome: object = None           # callable: source -> Outcome of the model's constraint check
    use_cache: bool = True


def check(claimed, ctx: ClaimContext) -> Outcome:
    ref = ctx.reference
    protocol = stated_protocol(ref, ctx.stated)
    values = _claimed_values(claimed, ref)
    unmet = _requirement(values, ref)
    if unmet:
        return Outcome(INCORRECT, unmet, decided_by="claim")
    source = ctx.siblings.get(ref["model"])
    if not isinstance(source, str):
        return Outcome(REVIEW, f"no model to re-train: give the network's code in `{ref['model']}` to have "
                               f"the claim checked", decided_by="review")
    model = ctx.model_outcome(source) if ctx.model_outcome else None
    if model is not None and model.verdict != CORRECT:   # constraints first: a rule-breaking model fails fast
        if model.verdict == INCORRECT:        # it breaks the rules, or crashes: no run can back the claim
            return Outcome(INCORRECT, f"not re-trained: the model is wrong ({model.feedback})", decided_by="claim")
        return Outcome(REVIEW, f"not re-trained: the model could not be checked ({model.feedback})",
                       decided_by="review", transient=model.transient)
    from dlcheck.training import data

    root = data_root(ctx.settings)
    try:
        folder = data.locate(ref["dataset"], root)
    except data.MissingData as exc:
        return Outcome(REVIEW, f"cannot re-train: {exc}", decided_by="review")
    request = {"op": "train", "source": source, "class": None, "args": ref.get("args", {}),
               "dataset": ref["dataset"], "protocol": protocol, "metric": ref["metric"],
               "seeds": list(range(ctx.settings.seeds)), "sweep": ref.get("sweep"), "device": ctx.settings.device}
    files = fingerprint(folder)
    result = memoized_run(ctx.problem, ("claim", request, files),
                          lambda: _scored({**request, **run_settings(ctx.settings)}, root, files), ctx.use_cache)
    return judge(values, ref, protocol, result)


def _scored(request: dict, root: Path, files: list) -> dict:
    """Re-train in the sandbox on a copy of the data without the test labels, then score the
    returned predictions here, where the labels are."""
    from dlcheck.cache import cache_dir, digest
    from dlcheck.training import data

    try:
        found = data.load(request["dataset"], root)
    except data.MissingData as exc:
        return {"status": "ok", "missing": str(exc)}
    prepared = data.prepare(found, cache_dir() / "data" / digest(json.dumps(files))[:24])
    result = train_in_sandbox({**request, "prepared": str(prepared)}, prepared, hide=found.folder)
    for run in result.get("runs", []) if result.get("status") == "ok" else []:
        try:
            run["value"] = _score(data.unpack(run.pop("predicted")), found.test.y, request["metric"])
        except (ValueError, KeyError, TypeError) as exc:
            return {"status": "error", "message": f"the model's predictions cannot be scored: {exc}"}
    return result


def _score(predicted, labels, metric: str) -> float:
    import numpy as np

    if metric == "accuracy":
        if predicted.shape != labels.shape:
            raise ValueError(f"{predicted.shape[0] if predicted.ndim else 0} predictions of shape "
                             f"{tuple(predicted.shape[1:])} for {len(labels)} test images")
        return float(np.mean(predicted == labels))
    if predicted.ndim != 2 or len(predicted) != len(labels) or labels.max() >= predicted.shape[1]:
        raise ValueError(f"log-probabilities of shape {tuple(predicted.shape)} for {len(labels)} test images")
    return float(-np.mean(predicted[np.arange(len(labels)), labels]))


def _claimed_values(claimed, ref: dict) -> list:
    if ref.get("sweep"):
        values = [float(v) for v in (claimed if isinstance(claimed, list) else [claimed])]
        if len(values) != len(ref["sweep"]):
            raise InvalidAnswer(f"expected {len(ref['sweep'])} values, one per setting of the sweep; "
                                f"got {len(values)}")
        return values
    return [float(claimed)]


def _requirement(values: list, ref: dict) -> str | None:
    if "at_least" in ref and values[0] < ref["at_least"] - 1e-12:
        return f"the claimed {values[0]:g} does not meet the question's ≥ {ref['at_least']:g}"
    if "at_most" in ref and values[0] > ref["at_most"] + 1e-12:
        return f"the claimed {values[0]:g} does not meet the question's ≤ {ref['at_most']:g}"
    return None


