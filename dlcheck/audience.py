"""Who an output is for, and what they may see: the `--audience`, `--reveal`
and `--visibility` options turned into a report.student.View.

Each output format has its default audience in the registry (report/__init__.py:
Gradescope's results go to students the moment they submit, so `student`; the
rest to staff). A reference is shown to students only where the problem or
part says `reveal: true` in its spec, or a `--reveal` selector names it (for
after the deadline): `all`, a set, a problem id or `problem/part`."""
from __future__ import annotations

from dlcheck import report
from dlcheck.errors import UnknownProblem, did_you_mean
from dlcheck.report.student import AUDIENCES, STUDENT, VISIBILITIES, Policy, View

ALL = "all"


class SpecPolicy(Policy):
    """The specs' `reveal` keys plus the selectors given on the command line."""

    def __init__(self, bank, selectors=()):
        self.bank, self.selectors = bank, tuple(selectors)
        self._problems = {}

    def _problem(self, pid: str):
        if pid not in self._problems:
            try:
                self._problems[pid] = self.bank.problem(pid)
            except Exception:  # noqa: BLE001 - a record naming a problem the bank lost: reveal nothing
                self._problems[pid] = None
        return self._problems[pid]

    def reveals(self, problem: str, part: str) -> bool:
        if any(_selects(s, problem, part) for s in self.selectors):
            return True
        spec = self._problem(problem)
        return bool(spec and part in spec.parts and spec.reveals(part))

    def rule_open(self, problem: str, part: str, rule: str) -> bool:
        spec = self._problem(problem)
        found = spec.parts[part].rule(rule) if spec and part in spec.parts else None
        return bool(found and found.reveal)


def _selects(selector: str, problem: str, part: str) -> bool:
    return selector in (ALL, problem, f"{problem}/{part}", problem.split("/", 1)[0])


def check_selectors(bank, selectors) -> list:
    """`--reveal` values, each `all`, a set, a problem id or problem/part; anything else is an
    UnknownProblem naming the closest valid one."""
    for selector in selectors:
        if selector == ALL or bank.has_set(selector):
            continue
        set_name, _, rest = selector.partition("/")
        ids = bank.problem_ids(set_name)
        pid = next((p for p in sorted(ids, key=len, reverse=True) if selector == p or
                    selector.startswith(p + "/")), None)
        if pid is None:
            known = [ALL] + bank.sets() + ids
            raise UnknownProblem(f"--reveal {selector!r}: not a set, problem or part{did_you_mean(selector, known)}")
        part = selector[len(pid) + 1:]
        if part and part not in bank.problem(pid).parts:
            parts = list(bank.problem(pid).parts)
            raise UnknownProblem(f"--reveal {selector!r}: {pid} has no part {part!r}{did_you_mean(part, parts)}; "
                                 f"its parts: {', '.join(parts)}")
    return list(selectors)


def check_options(audience: str | None, visibility: str | None) -> None:
    if audience is not None and audience not in AUDIENCES:
        raise UnknownProblem(f"--audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    if visibility and visibility not in VISIBILITIES:
        raise UnknownProblem(f"--visibility {visibility!r}: expected one of {', '.join(VISIBILITIES)}"
                             f"{did_you_mean(visibility, list(VISIBILITIES))}")


def view_for(bank, fmt: str, audience: str | None = None, selectors=(), visibility: str | None = None) -> View:
    """The View an output format gets: the given audience, else the format's default."""
    chosen = audience or report.default_audience(fmt)
    policy = SpecPolicy(bank, selectors) if chosen == STUDENT else Policy()
    return View(chosen, policy, visibility or "")
