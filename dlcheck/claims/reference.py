"""The reference of a claim part: what to re-run and what the question requires,
read (and validated) from the spec's `given.claims.<part>`, and how it is shown."""
from __future__ import annotations

METRICS = ("accuracy", "loss")


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
    return Reference(value, [describe(value)], shown=describe(value))


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
    return Reference(value, [describe(value)], shown=describe(value))


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
