"""What the person grading provides for training claims: where the data sets are,
how many seeds, how much time, which device. Every default is written here once;
the CLI and the sandbox read them from here."""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BUDGET_S = 600.0          # seconds one claim's re-training may take before it is left for review
DEFAULT_SEEDS = 3


@dataclass
class TrainingSettings:
    """What the person grading provides: where the data sets are (None: no data), how many seeds,
    how much time. The CLI fills it from its options and the DLCHECK_* variables."""

    data_dir: str | None = None
    seeds: int = DEFAULT_SEEDS
    budget_s: float = DEFAULT_BUDGET_S
    device: str = "auto"                              # auto | cpu | cuda
    threads: int = 0                                  # CPU threads per re-training (0: every core)

    @classmethod
    def from_env(cls, **given) -> "TrainingSettings":
        env = os.environ
        values = {"data_dir": env.get("DLCHECK_DATA"), "seeds": int(env.get("DLCHECK_TRAIN_SEEDS", DEFAULT_SEEDS)),
                  "budget_s": float(env.get("DLCHECK_TRAIN_BUDGET", DEFAULT_BUDGET_S)),
                  "device": env.get("DLCHECK_DEVICE", "auto")}
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)
