"""Shipped references: each set's references.lock.json, written by `dlcheck check --update`.

A first grade would otherwise run every solver it meets (importing torch and
sympy: seconds). The lock holds, per problem, the References its solver derived,
under the hashes of what they were derived from: the spec, the solver and the
set's own helpers (_lib/), plus REFERENCE_FORMAT. Deliberately not dlcheck's own
source, or every engine edit would make every lock stale; the price is that an
engine change (an nnkit helper) could alter a reference the lock still serves,
so `dlcheck check` (in the test suite) derives every reference afresh and fails,
naming the problem, when the lock differs, is stale or was edited by hand.

The lock is project data, trusted no more than a cache entry: read with its schema
and each entry's checksum checked; a bad entry is ignored (the solver runs).
A set without a lock (a course's own bank) derives and caches as before."""
from __future__ import annotations

import functools
import json
import math
import os
import re
import sys
import tempfile
from pathlib import Path

from dlcheck.cache import digest, json_dumps, read_json

LOCK_NAME = "references.lock.json"
LOCK_FORMAT = 1          # the file's layout
REFERENCE_FORMAT = 1     # what a Reference's JSON holds; bump to make every entry stale
SEAL = "sha256"
UPDATE = "run `dlcheck check --update`"
_SOURCES = ("spec", "solver", "lib", "format")


def lock_path(set_dir: Path) -> Path:
    return Path(set_dir) / LOCK_NAME


def sources(problem) -> dict:
    """The hashes a locked entry was derived from: spec, solver, the set's _lib, the format."""
    spec, solver = Path(problem.path), problem.solver_path
    lib = spec.parent / "_lib"
    lib_files = sorted(lib.rglob("*.py")) if lib.is_dir() else []
    stamps = tuple(_stamp(p) for p in [spec, *([solver] if solver else []), *lib_files])
    return _sources(stamps, str(lib), solver is not None)


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return str(path), st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=1024)
def _sources(stamps: tuple, lib: str, has_solver: bool) -> dict:
    spec, rest = stamps[0], stamps[1:]
    solver, lib_stamps = (rest[0], rest[1:]) if has_solver else (None, rest)
    def read(stamp):
        return Path(stamp[0]).read_bytes()

    return {"spec": digest(read(spec)), "solver": digest(read(solver)) if solver else "",
            "lib": digest(*(c for s in lib_stamps for c in (str(Path(s[0]).relative_to(lib)), read(s)))),
            "format": REFERENCE_FORMAT}


def seal(entry: dict) -> str:
    """sha256 of an entry's canonical JSON ("" for what JSON cannot hold: matches no seal)."""
    body = {k: v for k, v in entry.items() if k != SEAL}
    try:
        return digest(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return ""


# -- reading ------------------------------------------------------------------------------------
def load(set_dir: Path) -> dict | None:
    """A set's lock ({problem id: entry}), or None: no lock, or not one (schema refused)."""
    path = lock_path(set_dir)
    try:
        st = path.stat()
    except OSError:
        return None
    return _load(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int, size: int) -> dict | None:
    data = read_json(Path(path))
    if not isinstance(data, dict) or data.get("lock_format") != LOCK_FORMAT:
        return None
    problems = data.get("problems")
    if not isinstance(problems, dict) or not all(isinstance(e, dict) for e in problems.values()):
        return None
    return problems


def entry_status(problem) -> tuple[dict | None, str]:
    """(the locked parts as JSON, "") when the lock holds a sound, current entry for the
    problem; else (None, why not): no lock, no entry, hand-edited, or stale (naming what changed)."""
    locked = load(Path(problem.path).parent)
    if locked is None:
        return None, f"no readable {LOCK_NAME} in its set's folder; {UPDATE}"
    entry = locked.get(problem.id)
    if entry is None:
        return None, f"not in {LOCK_NAME}; {UPDATE}"
    if entry.get(SEAL) != seal(entry) or not isinstance(entry.get("parts"), dict) \
            or not isinstance(entry.get("sources"), dict):
        return None, f"hand-edited: its {LOCK_NAME} entry fails its checksum; {UPDATE}"
    now, then = sources(problem), entry["sources"]
    changed = [name for name in _SOURCES if then.get(name) != now[name]]
    if changed:
        what = {"spec": "the spec", "solver": "the solver", "lib": "the set's _lib",
                "format": "the reference format"}
        return None, f"stale: {' and '.join(what[c] for c in changed)} changed since the lock was written; {UPDATE}"
    return entry["parts"], ""


def locked_parts(problem) -> dict | None:
    """The problem's locked references as JSON (schema-checked by the caller), or None."""
    if problem.solver_path is None:
        return None
    parts, why = entry_status(problem)
    if why.startswith("hand-edited"):
        warn_once(f"{problem.full_id}: {why.replace(UPDATE, 'derived instead')}")
    return parts


# -- writing and verifying (`dlcheck check`) ------------------------------------------------------
def entry(problem, parts: dict) -> dict:
    body = {"problem": problem.full_id, "sources": sources(problem), "parts": parts}
    return {**body, SEAL: seal(body)}


def write(set_dir: Path, set_name: str, entries: dict) -> bool:
    """Write the set's lock (sorted, indented: a reviewable diff) if its content changes;
    True when written. Atomic: readers see the old lock or the new one."""
    data = {"lock_format": LOCK_FORMAT, "set": set_name,
            "note": "references derived by the solvers; written by `dlcheck check --update`, never by hand",
            "problems": dict(sorted(entries.items()))}
    path = lock_path(set_dir)
    text = json_dumps(data, indent=1, sort_keys=False) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, ValueError):
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)             # shipped data, readable by all (mkstemp makes it private)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _load.cache_clear()
    return True


def verify(problem, derived: dict) -> str:
    """Why the lock does not serve what the solver derives now ('' when it does)."""
    parts, why = entry_status(problem)
    if parts is None:
        return why
    difference = first_difference(parts, derived)
    if difference:
        return (f"stale: the locked references differ from a fresh derivation ({difference}; "
                f"did dlcheck's helpers change?); {UPDATE}")
    return ""


def first_difference(locked, fresh, where: str = "", rel: float = 1e-6, abs_tol: float = 1e-12) -> str:
    """Where two JSON values first differ ('' when equal: numbers within a relative 1e-6, far
    inside any part's tolerance, as float32 arithmetic differs across machines; text as _same_text)."""
    at = where or "the references"
    if isinstance(locked, bool) or isinstance(fresh, bool):
        return "" if locked is fresh else f"{at}: locked {locked!r}, derived {fresh!r}"
    if isinstance(locked, (int, float)) and isinstance(fresh, (int, float)):
        return "" if math.isclose(locked, fresh, rel_tol=rel, abs_tol=abs_tol) else \
            f"{at}: locked {locked!r}, derived {fresh!r}"
    if isinstance(locked, dict) and isinstance(fresh, dict):
        for key in sorted(set(locked) | set(fresh)):
            if key not in locked or key not in fresh:
                return f"{where}/{key}".lstrip("/") + (": not locked" if key not in locked else ": no longer derived")
            found = first_difference(locked[key], fresh[key], f"{where}/{key}".lstrip("/"), rel, abs_tol)
            if found:
                return found
        return ""
    if isinstance(locked, list) and isinstance(fresh, list):
        if len(locked) != len(fresh):
            return f"{at}: {len(locked)} items locked, {len(fresh)} derived"
        for i, (a, b) in enumerate(zip(locked, fresh)):
            found = first_difference(a, b, f"{where}[{i}]", rel, abs_tol)
            if found:
                return found
        return ""
    if isinstance(locked, str) and isinstance(fresh, str) and _same_text(locked, fresh):
        return ""
    return "" if locked == fresh and type(locked) is type(fresh) else \
        f"{at}: locked {_short(locked)}, derived {_short(fresh)}"


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _same_text(locked: str, fresh: str) -> bool:
    """A derivation step as text: equal but for the numbers it prints, which may differ in the
    last printed digit or below 1e-9 (a random check's residual, 3.0e-13 here, 2.9e-13 there)."""
    if _NUMBER.sub("#", locked) != _NUMBER.sub("#", fresh):
        return False
    for a, b in zip(_NUMBER.findall(locked), _NUMBER.findall(fresh)):
        x, y = float(a), float(b)
        if not math.isclose(x, y, rel_tol=1e-3, abs_tol=1e-9):
            return False
    return True


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_WARNED: list = []


def warn_once(message: str) -> None:
    if not _WARNED:
        _WARNED.append(message)
        sys.stderr.write(f"dlcheck: {message}\n")
