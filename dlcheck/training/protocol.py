"""A training protocol: what the problem (or the submission) says was done.

Read from plain data (the spec's `claim.protocol`, a submission's overrides)
with limits, so a hostile "epochs: 10**9" is a clear message, not a job that
never ends. No torch here: the grader validates protocols without importing it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
LOSSES = ("cross_entropy", "mse", "bce_logits")
LIMITS = {"epochs": (1, 100), "batch_size": (1, 65_536), "lr": (1e-8, 10.0), "momentum": (0.0, 0.999),
          "weight_decay": (0.0, 1.0)}


class ProtocolError(ValueError):
    pass


@dataclass(frozen=True)
class Protocol:
    epochs: int = 10
    batch_size: int = 32
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    loss: str = "cross_entropy"

    @classmethod
    def read(cls, data: dict | None, base: "Protocol | None" = None) -> "Protocol":
        """A protocol from a mapping (unknown keys and values out of range are errors)."""
        base = base or cls()
        data = dict(data or {})
        aliases = {"optimiser": "optimizer", "learning_rate": "lr", "batch": "batch_size"}
        data = {aliases.get(k, k): v for k, v in data.items()}
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ProtocolError(f"unknown protocol key {unknown[0]!r}; expected {', '.join(names)}")
        values = {}
        for key, value in data.items():
            values[key] = _checked(key, value)
        return replace(base, **values)

    def to_json(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        extra = "".join(f", {k.replace('_', ' ')} {v:g}" for k, v in
                        (("momentum", self.momentum), ("weight_decay", self.weight_decay)) if v)
        epochs = f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}"
        return f"{epochs}, batch {self.batch_size}, {self.optimizer} lr {self.lr:g}{extra}"


def _checked(key: str, value):
    if key == "optimizer":
        name = str(value).lower()
        if name not in OPTIMIZERS:
            raise ProtocolError(f"optimizer {value!r}: expected one of {', '.join(OPTIMIZERS)}")
        return name
    if key == "loss":
        if value not in LOSSES:
            raise ProtocolError(f"loss {value!r}: expected one of {', '.join(LOSSES)}")
        return value
    low, high = LIMITS[key]
    integer = key in ("epochs", "batch_size")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and value != int(value)):
        raise ProtocolError(f"{key}: expected {'a whole number' if integer else 'a number'}, got {value!r}")
    if not low <= value <= high:
        raise ProtocolError(f"{key} {value}: expected between {low:g} and {high:g}")
    return int(value) if integer else float(value)
