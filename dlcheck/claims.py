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
sandbox (dlcheck/training/rerun.py)."""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.verdict import CORRECT, ERROR, INCORRECT, REVIEW, TIMEOUT, InvalidAnswer, Outcome

DEFAULT_FLOOR = {"accuracy": 0.003, "loss": 0.03}     # accuracy: absolute; loss: relative to the mean
METRICS = ("accuracy", "loss")
_T975 = (12.706, 4.303, 3.182, 2.776)                 # two-sided 95 % t quantiles, 1–4 degrees of freedom


@dataclass
class TrainingSettings:
    """What the person grading provides: where the data sets are (None: no data), how many seeds,
    how much time. The CLI fills it from its options and the DLCHECK_* variables."""

    data_dir: str | None = None
    seeds: int = 3
    budget_s: float = 600.0
    device: str = "auto"                              # auto | cpu | cuda
    threads: int = 0                                  # CPU threads per re-training (0: every core)

    @classmethod
    def from_env(cls, **given) -> "TrainingSettings":
        env = os.environ
        values = {"data_dir": env.get("DLCHECK_DATA"), "seeds": int(env.get("DLCHECK_TRAIN_SEEDS", 3)),
                  "budget_s": float(env.get("DLCHECK_TRAIN_BUDGET", 600)),
                  "device": env.get("DLCHECK_DEVICE", "auto")}
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)


# --- the reference a solver returns ------------------------------------------

def claim_reference(given: dict, part: str):
    """The reference of a claim part: what to re-run and what the question requires,
    read (and validated) from the spec's `given.claims.<part>`."""
    from dlcheck.reference import Reference
    from dlcheck.training.protocol import Protocol

    claim = dict(given["claims"][part])
    metric = claim.get("metric", "accuracy")
    if metric not in METRICS:
        raise ValueError(f"claims.{part}.metric: expected one of {', '.join(METRICS)}")
    value = {"model": claim.get("model", "model"), "dataset": claim["dataset"], "metric": metric,
             "protocol": Protocol.read(claim.get("protocol")).to_json(), "args": claim.get("args", {})}
    for key in ("at_least", "at_most", "floor"):
        if key in claim:
            value[key] = float(claim[key])
    if "sweep" in claim:
        value["sweep"] = _sweep_settings(claim["sweep"])
    return Reference(value, [describe(value)])


def experiment_reference(given: dict, part: str):
    """The reference of a text part whose claims an experiment can measure (csc413-a2's
    colourisation comparisons): which reference networks to train on what, read from
    `given.claims.<part>`. The answer stays for review; the measurements go with it."""
    from dlcheck.reference import Reference
    from dlcheck.training.protocol import Protocol

    claim = dict(given["claims"][part])
    value = {"experiment": claim["task"], "dataset": claim["dataset"], "category": int(claim["category"]),
             "category_name": claim.get("category_name", str(claim["category"])),
             "colours": int(claim["colours"]), "models": list(claim["models"]), "args": dict(claim["args"]),
             "protocol": Protocol.read(claim.get("protocol")).to_json()}
    return Reference(value, [describe(value)])


def _sweep_settings(sweep: dict) -> list:
    """`{dropout: {from: 0, to: 1, count: 10}}` (evenly spaced) or `{dropout: [0, 0.5]}`."""
    (name, spec), = sweep.items()
    if isinstance(spec, dict):
        count = int(spec["count"])
        values = [spec["from"] + (spec["to"] - spec["from"]) * i / (count - 1) for i in range(count)]
    else:
        values = [float(v) for v in spec]
    return [{name: round(v, 12)} for v in values]


def describe(claim: dict) -> str:
    from dlcheck.training.protocol import Protocol

    protocol = Protocol.read(claim["protocol"]).describe()
    if "experiment" in claim:
        return (f"for review; measured by training {', '.join(claim['models'])} to colourise {claim['dataset']} "
                f"{claim['category_name']} ({protocol}; {claim['colours']} colours)")
    text = f"re-train `{claim['model']}` on {claim['dataset']} ({protocol}), test {claim['metric']}"
    if claim.get("sweep"):
        (name, _), = claim["sweep"][0].items()
        text += f" for each {name} in " + ", ".join(f"{s[name]:.3g}" for s in claim["sweep"])
    if "at_least" in claim:
        text += f"; the question asks for ≥ {claim['at_least']:g}"
    if "at_most" in claim:
        text += f"; the question asks for ≤ {claim['at_most']:g}"
    return text


# --- what a submission may state ---------------------------------------------

def split(raw) -> tuple[object, dict]:
    """A claimed value, bare (`0.9854`) or with the protocol the submission used
    (`{value: 0.9854, epochs: 5, optimizer: sgd, lr: 0.01}`)."""
    if isinstance(raw, dict) and "value" in raw:
        return raw["value"], {k: v for k, v in raw.items() if k != "value"}
    return raw, {}


def stated_protocol(reference: dict, stated: dict) -> dict:
    """The problem's protocol with the submission's stated changes (validated)."""
    from dlcheck.training.protocol import Protocol, ProtocolError

    try:
        return Protocol.read(stated, Protocol.read(reference["protocol"])).to_json()
    except ProtocolError as exc:
        raise InvalidAnswer(f"the stated training protocol: {exc}") from None


# --- statistics ----------------------------------------------------------------

@dataclass
class Spread:
    """What the reruns say about one more run: a band it is expected in (mean ± 2 sd, at
    least the floor) and a 95 % prediction interval it is almost surely in."""

    values: list
    mean: float
    sd: float
    near: tuple                 # (low, high): mean ± max(2 sd, floor)
    plausible: tuple            # (low, high): mean ± max(t·sd·√(1 + 1/n), floor)
    floor: float

    @property
    def low(self) -> float:
        return self.plausible[0]

    @property
    def high(self) -> float:
        return self.plausible[1]

    def place(self, value: float) -> str:
        """"near" (the claim holds), "outside" (it does not), or "between" (undecided with these reruns)."""
        if self.near[0] - 1e-12 <= value <= self.near[1] + 1e-12:
            return "near"
        if self.plausible[0] - 1e-12 <= value <= self.plausible[1] + 1e-12:
            return "between"
        return "outside"

    def contains(self, value: float) -> bool:
        return self.place(value) != "outside"

    def describe(self, digits: int = 4) -> str:
        f = f".{digits}f"
        runs = ", ".join(format(v, f) for v in self.values)
        return (f"{len(self.values)} rerun{'s' if len(self.values) != 1 else ''}: {runs} (mean {self.mean:{f}}, "
                f"sd {self.sd:{f}}); expected within {self.near[0]:{f}}–{self.near[1]:{f}} (mean ± 2 sd, at least "
                f"±{self.floor:{f}}), 95 % prediction interval {self.low:{f}}–{self.high:{f}}")


def t975(df: int) -> float:
    """Student's t 97.5 % quantile: a table for few degrees of freedom, else the Cornish–Fisher expansion."""
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


def spread(values: list, metric: str, floor: float | None = None) -> Spread:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    floor = floor if floor is not None else DEFAULT_FLOOR[metric] * (1 if metric == "accuracy" else abs(mean))
    band = max(2 * sd, floor)
    predicted = max(t975(n - 1) * sd * math.sqrt(1 + 1 / n), floor) if n > 1 else floor

    def interval(half):
        low, high = mean - half, mean + half
        if metric == "accuracy":                    # a fraction: the interval stays inside [0, 1]
            low, high = max(low, 0.0), min(high, 1.0)
        return low, high
    return Spread(list(values), mean, sd, interval(band), interval(predicted), floor)


# --- experiments: measurements for a reviewed text --------------------------------

def measured(outcome: Outcome, text: str, ref: dict, settings: TrainingSettings, set_name: str, set_dir: Path,
             use_cache: bool = True) -> Outcome:
    """The review of a text answer, with the experiment's numbers (or why there are none)
    and the numbers the text states set against them. The experiment is the set's own
    (`module:function` in its folder's package), memoised under the source of its helpers."""
    from dlcheck.training import data

    root = _data_root(settings)
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
        result = _memoized(None, ("experiment", request, _fingerprint(folder), _helpers_digest(set_dir)),
                           lambda: _train({**request, **where, **_run_settings(settings)}, folder), use_cache)
        if result.get("status") != "ok" or "runs" not in result:
            why = result.get("missing") or result.get("over_budget") or result.get("message")
            outcome.notes.append(f"not measured ({name}): {why}")
            return outcome
        runs += result["runs"]
        hows.append(f"{result['how']}, {result['seconds']:.0f} s")
    outcome.notes.extend(_experiment_notes(runs, ref, result, hows, text))
    outcome.details["experiment"] = {"runs": runs, "protocol": ref["protocol"]}
    return outcome


def _helpers_digest(set_dir: Path) -> str:
    """The set's own helpers (its _lib folder): an edited experiment or network runs again."""
    from dlcheck.cache import digest

    return digest(*(p.read_bytes() for p in sorted((Path(set_dir) / "_lib").rglob("*.py"))))


def _data_root(settings: TrainingSettings) -> Path | None:
    """Absolute: the sandbox runs in a directory of its own, where a relative path means nothing."""
    return Path(settings.data_dir).expanduser().resolve() if settings.data_dir else None


def _memoized(problem, key: tuple, compute, use_cache: bool) -> dict:
    """A sandbox run, memoised under `key` (None problem: shared by every problem). Only
    finished runs are kept: missing data, a budget or a timeout may be different next time.
    The time budget and thread count stay out of the key: they do not change the runs."""
    from dlcheck.reference import memoized_json

    return memoized_json(problem, key, compute, use_cache, keep=lambda r: r.get("status") == "ok" and "runs" in r)


def _run_settings(settings: TrainingSettings) -> dict:
    return {"budget_s": settings.budget_s, "threads": settings.threads or os.cpu_count() or 1}


def _experiment_notes(runs: list, ref: dict, last: dict, hows: list, text: str) -> list:
    by_model = {}
    for run in runs:
        by_model.setdefault(run["setting"]["model"], []).append(run["values"])
    spreads = {(name, metric): spread([v[metric] for v in values], metric)
               for name, values in by_model.items() for metric in ("loss", "accuracy")}
    protocol = _protocol_text(ref["protocol"])
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


# --- the check -------------------------------------------------------------------

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

    root = _data_root(ctx.settings)
    try:
        folder = data.locate(ref["dataset"], root)
    except data.MissingData as exc:
        return Outcome(REVIEW, f"cannot re-train: {exc}", decided_by="review")
    request = {"op": "train", "source": source, "class": None, "args": ref.get("args", {}),
               "dataset": ref["dataset"], "protocol": protocol, "metric": ref["metric"],
               "seeds": list(range(ctx.settings.seeds)), "sweep": ref.get("sweep"), "device": ctx.settings.device}
    fingerprint = _fingerprint(folder)
    result = _memoized(ctx.problem, ("claim", request, fingerprint),
                       lambda: _scored({**request, **_run_settings(ctx.settings)}, root, fingerprint), ctx.use_cache)
    return judge(values, ref, protocol, result)


def _scored(request: dict, root: Path, fingerprint: list) -> dict:
    """Re-train in the sandbox on a copy of the data without the test labels, then score the
    returned predictions here, where the labels are."""
    from dlcheck.cache import cache_dir, digest
    from dlcheck.training import data

    try:
        found = data.load(request["dataset"], root)
    except data.MissingData as exc:
        return {"status": "ok", "missing": str(exc)}
    prepared = data.prepare(found, cache_dir() / "data" / digest(json.dumps(fingerprint))[:24])
    result = _train({**request, "prepared": str(prepared)}, prepared, hide=found.folder)
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


def _fingerprint(folder) -> list:
    """The data files' names, sizes and times: new data, new reruns."""
    return sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in folder.iterdir() if p.is_file())


def _train(request: dict, folder, hide=None) -> dict:
    """One training request in the sandbox, which sees `folder` and not `hide` (the original
    data set, test labels and all, when bubblewrap isolates the file system). An experiment
    trains dlcheck's own reference networks (no submitted code) in the trusted view."""
    from dlcheck import sandbox

    budget = float(request["budget_s"])
    limits = sandbox.Limits(wall_seconds=budget * 1.2 + 60, cpu_seconds=int(budget * 1.2 + 60) * (os.cpu_count() or 1),
                            memory_mb=8192)
    trusted = request.get("task") == "experiment"          # dlcheck's and the course's networks, no submitted code
    readable = (str(folder),) + ((request["set_dir"],) if trusted else ())
    box = sandbox.shared(readable=readable, hidden=(str(hide),) if hide else (), trusted=trusted)
    result = box.run(request, limits)
    result["sandbox"] = box.protections.note()
    return result


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
    notes = note + [how, f"protocol: {_protocol_text(protocol)}"]
    if ref.get("sweep") is None:
        return _judge_one(values[0], spreads[0], ref, notes, details)
    return _judge_sweep(values, spreads, settings, notes, details)


def _protocol_text(protocol: dict) -> str:
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
