"""What a few reruns say about one more run: a band it is expected in, and a 95 %
prediction interval it is almost surely in; both never narrower than a floor (the
spread other hardware and library versions alone produce)."""
from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_FLOOR = {"accuracy": 0.003, "loss": 0.03}     # accuracy: absolute; loss: relative to the mean
_T975 = (12.706, 4.303, 3.182, 2.776)                 # two-sided 95 % t quantiles, 1–4 degrees of freedom


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
