"""One training run in the sandbox, memoised: the data set located (never
downloaded), the run's time and threads kept out of the memo's key, only finished
runs remembered."""
from __future__ import annotations

import os
from pathlib import Path

from dlcheck.claims.settings import TrainingSettings


def data_root(settings: TrainingSettings) -> Path | None:
    """Absolute: the sandbox runs in a directory of its own, where a relative path means nothing."""
    return Path(settings.data_dir).expanduser().resolve() if settings.data_dir else None


def memoized_run(problem, key: tuple, compute, use_cache: bool) -> dict:
    """A sandbox run, memoised under `key` (None problem: shared by every problem). Only
    finished runs are kept: missing data, a budget or a timeout may be different next time.
    The time budget and thread count stay out of the key: they do not change the runs."""
    from dlcheck.reference import memoized_json

    return memoized_json(problem, key, compute, use_cache, keep=lambda r: r.get("status") == "ok" and "runs" in r)


def run_settings(settings: TrainingSettings) -> dict:
    return {"budget_s": settings.budget_s, "threads": settings.threads or os.cpu_count() or 1}


def helpers_digest(set_dir: Path) -> str:
    """The set's own helpers (its _lib folder): an edited experiment or network runs again."""
    from dlcheck.cache import digest

    return digest(*(p.read_bytes() for p in sorted((Path(set_dir) / "_lib").rglob("*.py"))))


def fingerprint(folder) -> list:
    """The data files' names, sizes and times: new data, new reruns."""
    return sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in folder.iterdir() if p.is_file())


def train_in_sandbox(request: dict, folder, hide=None) -> dict:
    """One training request in the sandbox, which sees `folder` and not `hide` (the original
    data set, test labels and all, when bubblewrap isolates the file system). An experiment
    trains dlcheck's own reference networks (no submitted code) in the trusted view."""
    from dlcheck import sandbox

    if not sandbox.supported():
        return {"status": "ok", "missing": "re-training runs only in dlcheck's sandbox, which needs Linux or macOS",
                "sandbox": "unavailable", "transient": True}
    budget = float(request["budget_s"])
    limits = sandbox.Limits(wall_seconds=budget * 1.2 + 60, cpu_seconds=int(budget * 1.2 + 60) * (os.cpu_count() or 1),
                            memory_mb=8192)
    trusted = request.get("task") == "experiment"          # dlcheck's and the course's networks, no submitted code
    readable = (str(folder),) + ((request["set_dir"],) if trusted else ())
    from dlcheck.training import sandbox_operation

    box = sandbox.shared(readable=readable, hidden=(str(hide),) if hide else (), trusted=trusted,
                         operations=(sandbox_operation(),))
    result = box.run(request, limits)
    result["sandbox"] = box.protections.note()
    return result
