"""Three-way verdicts on re-trained claims: `correct` within mean ± 2 sd of the
reruns, `incorrect` outside the 95 % prediction interval, `review` in between."""
from __future__ import annotations

from dlcheck.claims.statistics import Spread, spread
from dlcheck.verdict import CORRECT, ERROR, INCORRECT, REVIEW, TIMEOUT, Outcome


def judge(values: list, ref: dict, protocol: dict, result: dict) -> Outcome:
    note = [result.get("sandbox", "")] if result.get("sandbox") else []
    if result.get("status") == "timeout":
        return Outcome(TIMEOUT, f"the re-training did not finish: {result.get('message')}", note, "sandbox")
    if result.get("status") != "ok":
        return Outcome(ERROR, f"the model failed while re-training: {result.get('message')}", note, "sandbox",
                       transient=bool(result.get("transient")))
    if "missing" in result:
        return Outcome(REVIEW, f"cannot re-train: {result['missing']}", note, "review")
    if "over_budget" in result:
        return Outcome(REVIEW, f"not re-trained: {result['over_budget']}; give more time (--train-budget) or a "
                               f"GPU", note, "review")
    runs = result["runs"]
    settings = ref.get("sweep") or [None]
    spreads = [spread([r["value"] for r in runs if r["setting"] == s], ref["metric"], ref.get("floor"))
               for s in settings]
    how = (f"re-trained {len(runs)} time{'s' if len(runs) != 1 else ''} on {result['device']} "
           f"({result['how']}, {result['seconds']:.1f} s; {result['train_size']:,} training, "
           f"{result['test_size']:,} test examples)")
    details = {"claim": {"protocol": protocol, "metric": ref["metric"], "claimed": values,
                         "settings": settings, "runs": runs,
                         "intervals": [[s.low, s.high] for s in spreads], "means": [s.mean for s in spreads],
                         "expected": [list(s.near) for s in spreads]}}
    notes = note + [how, f"protocol: {protocol_text(protocol)}"]
    if ref.get("sweep") is None:
        return _judge_one(values[0], spreads[0], ref, notes, details)
    return _judge_sweep(values, spreads, settings, notes, details)


def protocol_text(protocol: dict) -> str:
    from dlcheck.training.protocol import Protocol

    return Protocol.read(protocol).describe()


def _judge_one(claimed: float, found: Spread, ref: dict, notes: list, details: dict) -> Outcome:
    if "at_least" in ref and found.mean < ref["at_least"]:
        notes.append(f"the reruns average {found.mean:.4f}, below the required {ref['at_least']:g}")
    place = found.place(claimed)
    if place == "near":
        return Outcome(CORRECT, f"reproduced: claimed {claimed:g}; {found.describe()}", notes, "claim",
                       details=details)
    if place == "between":
        return Outcome(REVIEW, f"undecided: claimed {claimed:g} is plausible but not what the reruns usually give; "
                               f"{found.describe()}; more seeds (--train-seeds) decide it", notes, "claim",
                       details=details)
    side = "above" if claimed > found.high else "below"
    return Outcome(INCORRECT, f"not reproduced: claimed {claimed:g}, {side} what re-training gives; "
                              f"{found.describe()}", notes, "claim", details=details)


def _judge_sweep(values: list, spreads: list, settings: list, notes: list, details: dict) -> Outcome:
    (name, _), = settings[0].items()
    places = [f.place(v) for v, f in zip(values, spreads)]

    def listed(which: str) -> list:
        return [f"{name} {s[name]:.3g}: claimed {v:g}, reruns {f.low:.4f}–{f.high:.4f}"
                for v, f, s, p in zip(values, spreads, settings, places) if p == which]
    table = "; ".join(f"{s[name]:.3g}: {f.mean:.4f}" for f, s in zip(spreads, settings))
    notes.append(f"rerun means by {name}: {table}")
    seeds = len(spreads[0].values)
    off, unsure = listed("outside"), listed("between")
    if off:
        return Outcome(INCORRECT, f"{len(off)} of {len(values)} values not reproduced: " + "; ".join(off[:3])
                       + ("; …" if len(off) > 3 else ""), notes, "claim", details=details)
    if unsure:
        return Outcome(REVIEW, f"{len(unsure)} of {len(values)} values undecided with {seeds} seeds (plausible, "
                               f"not typical): " + "; ".join(unsure[:3]), notes, "claim", details=details)
    return Outcome(CORRECT, f"every value of the sweep reproduced ({len(values)} settings, {seeds} seeds each)",
                   notes, "claim", details=details)
