"""How a part is judged, one object per way, found by the name a spec gives in
`check:` (no `check:` is the kind's own comparison with the derived reference).

    ""        checks/derived.py   the kind compares the answer with the solver's reference
                                  (and the spec's rules: known mistakes, accepted variants)
    solver    checks/solver.py    the solver's own check_<part> decides (a simulation)
    claim     checks/claim.py     a training claim, re-trained in the sandbox; a reviewed
                                  text gets the measurements of the set's experiment beside it

Each module defines the same few names (see derived.py for the interface). A new
way of judging is one module here plus one line in CHECKS; the grader asks the
part's check and never compares `part.check` itself."""
from __future__ import annotations

import importlib

CHECKS = {"": "derived", "solver": "solver", "claim": "claim"}     # spec `check:` value -> module
NAMES = tuple(CHECKS)


def get(name: str):
    """The check module a part's `check:` names (loaded on first use: claims stay unloaded
    until a problem asks for one)."""
    return importlib.import_module(f"dlcheck.checks.{CHECKS[name]}")


def validate(problem) -> None:
    """A spec's `check:` names a registered check (SpecError with file:line and the closest name)."""
    from dlcheck.errors import SpecError, did_you_mean

    for name, part in problem.parts.items():
        if part.check not in CHECKS:
            raise SpecError(f"{problem.path}:{part.check_line}: key 'parts.{name}.check': expected one of "
                            f"{', '.join(c for c in NAMES if c)}{did_you_mean(part.check, NAMES)}")


def derived_references(problem, refs: dict) -> dict:
    """The references checks make themselves from the spec (a claim's: what to re-run, from
    `given.claims.<part>`), added to what the solver derived; a solver's own entry wins."""
    out = dict(refs)
    for name, part in problem.parts.items():
        if name not in out:
            made = get(part.check).reference(problem, part)
            if made is not None:
                out[name] = made
    return out


def references(problem, bank, use_cache: bool = True) -> dict:
    """Every reference of a problem: the solver's (cached) and those its checks make."""
    from dlcheck.reference import references as solved

    return derived_references(problem, solved(problem, bank, use_cache))
