"""csc413-a2's colourisation experiments (4.2, 5.2, 5.3, 6.2): PoolUpsampleNet,
ConvTransposeNet and UNet trained on CIFAR-10 horses as the assignment does (grey
image -> one of 24 k-means colours per pixel, Adam), so that a reviewer sees the
measurements beside a text's claims. Runs in dlcheck's trusted sandbox (no
submitted code), called by name from the specs' `given.claims.<part>.task`."""
from __future__ import annotations

import torch

from dlcheck.training import data
from dlcheck.training.loop import Budget
from dlcheck.training.protocol import Protocol
from dlcheck.training.rerun import build
from dlcheck.training.sweep import metrics_of, train_many

from . import colour
from .colourise import colourise


def colourisation(request: dict, device, protocol: Protocol, budget: Budget) -> dict:
    """The reference colourisation networks, each over the seeds, trained as the assignment does;
    validation loss and per-pixel accuracy per run."""
    found = data.load(request["dataset"], data.data_dir(request["data_dir"]))
    train, test, _ = colourise(found, int(request["category"]), int(request["colours"]))
    x, y = torch.as_tensor(train.x, device=device), torch.as_tensor(train.y, device=device)
    tx, ty = torch.as_tensor(test.x, device=device), torch.as_tensor(test.y, device=device)
    seeds = [int(s) for s in request["seeds"]]
    runs, hows, seconds = [], [], 0.0
    share = Budget(budget.seconds / len(request["models"]))
    for name in request["models"]:
        models = [build(getattr(colour, name), request["args"], seed, None, device) for seed in seeds]
        values, how, spent = train_many(models, x, y, protocol, seeds, metrics_of(tx, ty, ("loss", "accuracy")),
                                        budget=share)
        runs += [{"setting": {"model": name}, "seed": seed, "values": v} for seed, v in zip(seeds, values)]
        hows.append(f"{name}: {how}")
        seconds += spent
    return {"runs": runs, "how": "; ".join(hows), "seconds": round(seconds, 3), "train_size": len(train),
            "test_size": len(test), "data": str(found.folder)}
