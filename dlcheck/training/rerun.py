"""Inside the sandbox: train a submitted model as a claim says, over several
seeds (and the settings of a sweep), and predict the test images.

The grader sends the request (source, data set, protocol, seeds, sweep) and
gets back every run's predictions, how the runs were trained, and on which
device. Submitted code never sees the test labels (the grader scores the
predictions), so a model that patches torch or looks labels up cannot forge
its accuracy. A missing data set or a run that would exceed its time budget
is an answer (`missing`, `over_budget`), not a failure."""
from __future__ import annotations

import torch

from dlcheck.sandbox.observe import SubmissionError, model_class, run_submitted
from dlcheck.training import data
from dlcheck.training.loop import Budget, OverBudget, device_tensors
from dlcheck.training.protocol import Protocol
from dlcheck.training.sweep import dropout_layers, predictions_of, set_dropout, train_many


def pick_device(wanted: str) -> torch.device:
    if wanted in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def rerun(request: dict) -> dict:
    torch.set_num_threads(max(1, int(request.get("threads", 1))))
    task = TASKS[request.get("task", "classify")]
    device = pick_device(request.get("device", "auto"))
    protocol = Protocol.read(request["protocol"])
    try:
        result = task(request, device, protocol, Budget(float(request["budget_s"])))
    except data.MissingData as exc:
        return {"missing": str(exc)}
    except OverBudget as exc:
        return {"over_budget": str(exc)}
    return {**result, "device": _describe(device)}


def classify(request: dict, device, protocol: Protocol, budget: Budget) -> dict:
    """The submitted classifier, for each (sweep setting, seed): its predictions on the test
    images (the grader holds the test labels and scores them; this process never sees them)."""
    cls = model_class(request["source"], request.get("class"))
    found = data.load_prepared(request["dataset"], request["prepared"])
    x, y = device_tensors(found.train, found.info.mean, found.info.std, device)
    tx, _ = device_tensors(found.test, found.info.mean, found.info.std, device)
    seeds = [int(s) for s in request["seeds"]]
    jobs = [(setting, seed) for setting in (request.get("sweep") or [None]) for seed in seeds]
    models = [build(cls, request.get("args") or {}, seed, setting, device) for setting, seed in jobs]
    readout = predictions_of(tx, log_probs=request.get("metric") == "loss")
    stack = request.get("stack", True)      # measured: faster than one after another on a GPU and on a CPU

    def train():
        return train_many(models, x, y, protocol, [seed for _, seed in jobs], readout, stack=stack, budget=budget)
    outputs, how, seconds = run_submitted(train, keep=(OverBudget,))
    return {"runs": [{"setting": setting, "seed": seed, "predicted": data.pack(_compact(out.numpy()))}
                     for (setting, seed), out in zip(jobs, outputs)],
            "how": how, "seconds": round(seconds, 3), "train_size": len(found.train), "test_size": len(found.test)}


def _compact(predicted):
    """Class indices in the smallest integer type (10,000 MNIST predictions: 13 kB of JSON)."""
    if predicted.dtype.kind == "i" and predicted.size and 0 <= predicted.min() and predicted.max() < 256:
        return predicted.astype("uint8")
    return predicted


def experiment(request: dict, device, protocol: Protocol, budget: Budget) -> dict:
    """A problem set's own experiment (`module:function` in its package, e.g. csc413-a2's
    colourisation), run in the trusted view: dlcheck's and the course's reference networks
    only, no submitted code."""
    import importlib

    from dlcheck import packages

    package = packages.register(request["set"], request["set_dir"])
    module, _, function = request["experiment"].partition(":")
    return getattr(importlib.import_module(f"{package}.{module}"), function)(request, device, protocol, budget)


TASKS = {"classify": classify, "experiment": experiment}


def build(cls, args: dict, seed: int, setting, device):
    """A fresh model from `cls(**args)` under `seed`, its dropout set for a sweep's setting, on `device`."""
    torch.manual_seed(seed)
    model = run_submitted(lambda: cls(**args))
    if setting is not None:
        if not dropout_layers(model):
            raise SubmissionError(message="the model has no nn.Dropout layer, so its dropout rate cannot be "
                                          "swept", type="no dropout")
        set_dropout(model, float(setting["dropout"]), swappable=True)
    return model.to(device)


def _describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"
