"""What makes a run fail beyond a file that cannot be read: entries of a
submission that matched no problem or part (`--strict`), and a score under
`--fail-under` (points, or a percent of max_score: `70%`)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass


def not_graded(report) -> list:
    """The submission's entries that matched nothing and so were not graded: a key that is
    no problem ('9.9.9'), a part the problem does not have ('3.2/cnn_parms'), a key that is
    not an id. An entry that matched (a duplicate of a graded key, a value that could not be
    read: graded `invalid`) is not listed; nor are notes on traces and critiques."""
    problems = set(report.titles) | {r.problem for r in report.results}
    parts = {f"{r.problem}/{r.part}" for r in report.results}
    out = []
    for issue in report.errors:
        key = str(issue.key)
        if key in ("set", "author") or " " in key or key in problems or key in parts:
            continue
        owner = next((pid for pid in problems if key.startswith(pid + "/")), None)
        if owner is None and key != "?" and any(pid.endswith("/" + key) for pid in problems):
            continue                                  # a relative key of a graded problem (its duplicate)
        out.append(issue)
    return out


def describe(issues: list) -> str:
    """'2 entries not graded: 9.9.9 (line 4), csc413-a2/3.2/cnn_parms (line 7)'."""
    names = ", ".join(f"{i.key}" + (f" (line {i.line})" if i.line else "") for i in issues[:8])
    more = f", … {len(issues) - 8} more" if len(issues) > 8 else ""
    return f"{len(issues)} entr{'y' if len(issues) == 1 else 'ies'} not graded: {names}{more}"


@dataclass(frozen=True)
class Threshold:
    """--fail-under: `value` points, or `value` percent of max_score."""

    value: float
    percent: bool
    text: str

    def points(self, max_score: float) -> float:
        return self.value / 100 * max_score if self.percent else self.value

    def failure(self, score: float, max_score: float) -> str | None:
        """Why the score fails the threshold ('score 12 / 27 (44%) is under --fail-under 70% = 18.9 points'), or None."""
        if self.percent and max_score <= 0:
            return None                      # nothing automatic to score: no percent to fall under
        needed = self.points(max_score)
        if score >= needed - 1e-9:
            return None
        share = f" ({score / max_score:.0%})" if max_score > 0 else ""
        need = f"{self.text} = {needed:.4g} points of {max_score:g}" if self.percent else f"{self.text} points"
        return f"score {score:g} / {max_score:g}{share} is under --fail-under {need}"


def threshold(text: str) -> Threshold:
    """'70%' or '17.5' -> Threshold; ValueError with what was expected."""
    raw = str(text).strip()
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(%?)", raw)
    if not m or not math.isfinite(float(m.group(1))):
        raise ValueError(f"--fail-under: expected points (17.5) or a percent of the maximum (70%), got {text!r}")
    value, percent = float(m.group(1)), bool(m.group(2))
    if percent and value > 100:
        raise ValueError(f"--fail-under: a percent is at most 100%, got {text!r}")
    return Threshold(value, percent, f"{value:g}%" if percent else f"{value:g}")
