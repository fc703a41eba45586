"""Reference answers: what solvers return, and their on-disk cache.

A solver module beside a spec defines

    def solve(given: dict) -> dict[str, Reference]

and, for parts whose spec says `check: solver`,

    def check_<part>(answer, given, reference) -> Outcome

References are cached under a key that hashes the spec, the solver source
and the dlcheck version, so editing either recomputes them. On a miss, a set's
shipped lock (lockfile.py) serves them before any solver runs. Cached entries
are plain JSON sealed with a checksum (cache.py) and schema-checked when read:
reading them imports neither torch nor sympy, and a damaged one is recomputed."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from dlcheck import __version__, lockfile
from dlcheck.cache import cache_dir, digest, read_entry, write_entry
from dlcheck.errors import DlcheckError, SolverError, missing_torch
from dlcheck.solution import Reference, jsonable  # noqa: F401 - solvers import Reference from here
from dlcheck.spec import ProblemSpec
from dlcheck.verdict import Outcome

CACHE_FORMAT = 2       # 2: entries carry a checksum


def problem_key(problem: ProblemSpec) -> str:
    """Spec + solver source + dlcheck's own code: editing any of them recomputes."""
    files = [p for p in (problem.path, problem.solver_path) if p is not None]
    return _files_key(tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@functools.lru_cache(maxsize=1024)
def _files_key(stamps: tuple) -> str:
    """Hashed once per version of the files (a stat is cheaper than reading and hashing per part)."""
    chunks = [Path(path).read_bytes() for path, _, _ in stamps]
    if len(chunks) == 1:
        chunks.append(b"")
    return digest(*chunks, __version__, package_digest())


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """A hash of dlcheck's source (the helpers solvers use, the checkers), so a
    changed library never serves references or verdicts cached by the old one."""
    root = Path(__file__).resolve().parent
    return digest(*(p.read_bytes() for p in sorted(root.rglob("*.py"))))


def references(problem: ProblemSpec, bank, use_cache: bool = True, locked: bool = True) -> dict[str, Reference]:
    """Each part's Reference, from the cache when it is valid, else from the set's lock
    (references.lock.json, shipped with the bank: no solver runs, no torch), else from
    the solver. use_cache=False derives afresh (neither cache nor lock); locked=False
    skips the lock (`dlcheck check` compares the lock with what the solver derives)."""
    if problem.solver_path is None:
        return {}
    key = problem_key(problem)
    path = cache_dir() / f"v{CACHE_FORMAT}" / "refs" / problem.set / f"{problem.id}.json"
    if use_cache:
        cached = _load_cached(path, key, problem)
        if cached is not None:
            return cached
        shipped = _cached_references(lockfile.locked_parts(problem), problem) if locked else None
        if shipped is not None:
            return shipped
    refs = run_solver(problem, bank)
    if use_cache:
        write_entry(path, {"key": key, "dlcheck": __version__, "problem": problem.full_id,
                           "parts": {k: r.to_json() for k, r in refs.items()}})
    return refs


def _load_cached(path, key, problem) -> dict | None:
    body = read_entry(path, key, lambda b: b.get("problem") == problem.full_id
                      and _cached_references(b.get("parts"), problem) is not None)
    return None if body is None else _cached_references(body["parts"], problem)


def _cached_references(parts, problem: ProblemSpec) -> dict | None:
    """A cache entry's parts as References, or None if any is malformed or not the problem's."""
    if not isinstance(parts, dict) or not set(parts) <= set(problem.parts):
        return None
    try:
        return {name: Reference.from_json(r) for name, r in parts.items()}
    except ValueError:
        return None


def run_solver(problem: ProblemSpec, bank) -> dict[str, Reference]:
    try:
        raw = bank.solver(problem).solve(dict(problem.given))    # importing a solver may need torch too
    except DlcheckError:
        raise
    except Exception as exc:
        hint = missing_torch(exc)
        if hint:
            raise SolverError(f"{problem.full_id}: deriving its references: {hint}") from None
        raise SolverError(f"{problem.full_id}: the solver failed: {type(exc).__name__}: {exc}") from exc
    return _validated(problem, raw)


def _validated(problem: ProblemSpec, raw) -> dict[str, Reference]:
    if not isinstance(raw, dict):
        raise SolverError(f"{problem.full_id}: solve() must return a mapping of part -> Reference")
    refs = {}
    for name, ref in raw.items():
        if name not in problem.parts:
            raise SolverError(f"{problem.full_id}: the solver returned unknown part {name!r}")
        if not isinstance(ref, Reference):
            raise SolverError(f"{problem.full_id}/{name}: expected a Reference, got {type(ref).__name__}")
        undeclared = set(ref.rules) - {r.name for r in problem.parts[name].rules}
        if undeclared:
            raise SolverError(f"{problem.full_id}/{name}: rules {sorted(undeclared)} are not declared in the spec")
        refs[name] = Reference.from_json(ref.to_json())  # normalised to what the cache holds
    return refs


def memoized(problem: ProblemSpec, parts: tuple, compute, use_cache: bool = True) -> Outcome:
    """An expensive, deterministic judgement (a simulation, a symbolic comparison)
    stored on disk under the problem's key plus `parts`, so a warm grade repeats none.
    Timeouts are not stored (the next run may have more time), nor transient
    outcomes (a killed worker says nothing about the answer)."""
    stored = memoized_json(problem, parts, lambda: compute().to_json(), use_cache,
                           keep=lambda data: data.get("verdict") != "timeout", valid=_is_outcome)
    return Outcome.from_json(stored)


def _is_outcome(value) -> bool:
    try:
        Outcome.from_json(value)
    except ValueError:
        return False
    return True


def durable(value) -> bool:
    """What may be memoised at all: never a value marked transient (an infrastructure failure)."""
    return not (isinstance(value, dict) and value.get("transient") is True)


def memoized_json(problem: ProblemSpec | None, parts: tuple, compute, use_cache: bool = True,
                  keep=lambda data: True, valid=lambda data: True):
    """compute() -> a JSON value, stored on disk under the problem's key plus `parts`
    (problem None: shared by every problem, keyed by dlcheck's own code only).
    `keep` says which values are worth storing (transient ones never are, whatever
    it says); `valid` checks a stored value's schema before it is trusted."""
    owner = problem_key(problem) if problem is not None else digest(__version__, package_digest())
    key = digest(owner, *(json.dumps(p, sort_keys=True, ensure_ascii=False, default=str) for p in parts))
    path = cache_dir() / f"v{CACHE_FORMAT}" / "checks" / f"{key[:40]}.json"
    if use_cache:
        if (path, key) in _RECENT:          # a batch worker meets the same answers again and again
            return _RECENT[(path, key)]
        body = read_entry(path, key, lambda b: "value" in b and durable(b["value"]) and valid(b["value"]))
        if body is not None:
            return _remember((path, key), body["value"])
    value = jsonable(compute())
    if use_cache and durable(value) and keep(value):
        write_entry(path, {"key": key, "value": value})
        _remember((path, key), value)
    return value


_RECENT: dict = {}       # memo entries this process has read or written (values are only read)


def _remember(key, value):
    if len(_RECENT) > 20_000:
        _RECENT.clear()
    _RECENT[key] = value
    return value


def working_values(problem: ProblemSpec, bank, settings: dict, use_cache: bool = True) -> dict:
    """The solver's `working(given, settings)`: values a derivation states for
    the settings it chose (RMSProp iterates for its η, β, ε), memoised."""
    def run():
        working = getattr(bank.solver(problem), "working", None)
        return working(dict(problem.given), dict(settings)) if working else {}

    return memoized_json(problem, ("working", settings), run, use_cache)


def solver_check(problem: ProblemSpec, bank, part_name: str, answer, reference: Reference,
                 use_cache: bool = True, siblings: dict | None = None) -> Outcome:
    """Run the solver's check_<part> on a plain-JSON answer (memoised: the same
    answer to the same problem is simulated once). A check that declares a
    `siblings` parameter also receives the other parts of the same answer."""
    answer = jsonable(answer)
    siblings = jsonable(siblings or {})

    def run() -> Outcome:
        check = getattr(bank.solver(problem), f"check_{part_name}", None)
        if check is None:
            raise SolverError(f"{problem.full_id}: the spec says `check: solver` for {part_name!r}, "
                              f"but the solver has no check_{part_name} function")
        if "siblings" in check.__code__.co_varnames[:check.__code__.co_argcount]:
            return check(answer, dict(problem.given), reference, siblings=siblings)
        return check(answer, dict(problem.given), reference)

    return memoized(problem, ("solver-check", part_name, answer, siblings), run, use_cache)
