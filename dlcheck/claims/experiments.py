"""Measurements beside a reviewed text: a set's own experiment (csc413-a2's
colourisation networks trained as the assignment does), and the numbers the
text states set against them."""
from __future__ import annotations

from pathlib import Path

from dlcheck.claims.run import data_root, fingerprint, helpers_digest, memoized_run, run_settings, train_in_sandbox
from dlcheck.claims.settings import TrainingSettings
from dlcheck.claims.statistics import spread
from dlcheck.claims.verdicts import protocol_text
from dlcheck.verdict import Outcome


def measured(outcome: Outcome, text: str, ref: dict, settings: TrainingSettings, set_name: str, set_dir: Path,
             use_cache: bool = True) -> Outcome:
    """The review of a text answer, with the experiment's numbers (or why there are none)
    and the numbers the text states set against them. The experiment is the set's own
    (`module:function` in its folder's package), memoised under the source of its helpers."""
    from dlcheck.training import data

    root = data_root(settings)
    try:
        folder = data.locate(ref["dataset"], root)
    except data.MissingData as exc:
        outcome.notes.append(f"not measured: {exc}")
        return outcome
    runs, hows = [], []
    for name in ref["models"]:       # one request per network: shared by every question that trains it
        request = {"op": "train", "task": "experiment", "experiment": ref["experiment"], "set": set_name,
                   "models": [name], "dataset": ref["dataset"], "category": ref["category"],
                   "colours": ref["colours"], "args": ref["args"], "protocol": ref["protocol"],
                   "data_dir": str(root), "seeds": list(range(settings.seeds)), "device": settings.device}
        where = {"set_dir": str(set_dir)}
        result = memoized_run(None, ("experiment", request, fingerprint(folder), helpers_digest(set_dir)),
                           lambda: train_in_sandbox({**request, **where, **run_settings(settings)}, folder), use_cache)
        if result.get("status") != "ok" or "runs" not in result:
            why = result.get("missing") or result.get("over_budget") or result.get("message")
            outcome.notes.append(f"not measured ({name}): {why}")
            return outcome
        runs += result["runs"]
        hows.append(f"{result['how']}, {result['seconds']:.0f} s")
    outcome.notes.extend(_experiment_notes(runs, ref, result, hows, text))
    outcome.details["experiment"] = {"runs": runs, "protocol": ref["protocol"]}
    return outcome


def _experiment_notes(runs: list, ref: dict, last: dict, hows: list, text: str) -> list:
    by_model = {}
    for run in runs:
        by_model.setdefault(run["setting"]["model"], []).append(run["values"])
    spreads = {(name, metric): spread([v[metric] for v in values], metric)
               for name, values in by_model.items() for metric in ("loss", "accuracy")}
    protocol = protocol_text(ref["protocol"])
    notes = [f"measured: {len(runs)} runs on {last['device']}, {ref['dataset']} {ref['category_name']} "
             f"({last['train_size']:,} training, {last['test_size']:,} validation images; {protocol}): "
             + "; ".join(hows)]
    for name in by_model:
        loss, accuracy = spreads[(name, "loss")], spreads[(name, "accuracy")]
        notes.append(f"{name}: validation loss {loss.mean:.4f} ({loss.low:.4f}–{loss.high:.4f}), accuracy "
                     f"{100 * accuracy.mean:.1f} % ({100 * accuracy.low:.1f}–{100 * accuracy.high:.1f} %)")
    if len(by_model) > 1:
        best = min(by_model, key=lambda name: spreads[(name, "loss")].mean)
        notes.append(f"lowest validation loss: {best}")
    stated = _stated_numbers(text, spreads)
    if stated:
        notes.append("numbers in the answer: " + "; ".join(stated))
    return notes


def _stated_numbers(text: str, spreads: dict) -> list:
    """Each percentage (an accuracy) and each decimal like 1.5877 (a loss) the text states,
    with the measurements it is consistent with (within their 95 % prediction intervals)."""
    import re

    found = []
    for match in re.finditer(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*%|(?<![\d.])(\d\.\d{2,})(?![\d%])", text[:20_000]):
        percent, decimal = match.groups()
        metric, value = ("accuracy", float(percent) / 100) if percent else ("loss", float(decimal))
        if metric == "loss" and not 0.1 <= value <= 20:      # a learning rate or a p-value, not a loss
            continue
        fits = [name for (name, m), s in spreads.items() if m == metric and s.place(value) != "outside"]
        shown = f"{percent} %" if percent else decimal
        found.append(f"{shown} fits {' or '.join(f'{n} {metric}' for n in fits)}" if fits
                     else f"{shown} fits no re-run's {metric}")
    return found[:12]
