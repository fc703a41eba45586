"""When a result in `--out` is still the grade its submission would get now.

Every record `dlcheck batch` writes carries a key:

    {"format": 1, "submission": sha256 of the file's bytes,
     "dlcheck": version, "code": hash of dlcheck's source,
     "settings": hash of the training settings (data, seeds, budget, device),
     "sets": {set: hash of every problem of the set (reference.problem_key: spec + solver)},
     "bank": hash of the bank's set names       (only for a file that could not be graded)}

`--resume` keeps a record only when every part of its key is what it would be
now, so an edited spec or solver, a new problem in a set, a new dlcheck, other
training settings or an edited submission each regrade what they touch, and the
run says why (`reasons`). Times play no part: a copied folder or a clock that
jumps cannot keep a stale grade. A record without a key (an older dlcheck, a
worker that died, an internal error) is always graded again; a `timeout` is
tried again only under a larger `--timeout`."""
from __future__ import annotations

import os
import stat
from collections import Counter

from dlcheck import __version__
from dlcheck.cache import digest

KEY_FORMAT = 1
HASH_LIMIT = 256 << 20        # bytes of a submission hashed (the loader refuses far smaller files)

# why a submission is graded (again): shown in the run's summary, in this order
NEW, SUBMISSION, CODE, SPEC, SETTINGS, TIMEOUT, UNKEYED, FORCED = (
    "new", "submission changed", "dlcheck changed", "spec or solver changed", "training settings changed",
    "timed out before (larger --timeout)", "no key (older result, or grading failed)", "not --resume")
ORDER = (NEW, SUBMISSION, SPEC, CODE, SETTINGS, TIMEOUT, UNKEYED, FORCED)


def content_digest(path) -> str | None:
    """sha256 of a regular file's bytes (None when it cannot be read); never blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        import hashlib

        h, left = hashlib.sha256(), HASH_LIMIT
        while left > 0:
            chunk = os.read(fd, min(1 << 20, left))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        return h.hexdigest() if info.st_size <= HASH_LIMIT else f"{h.hexdigest()}+{info.st_size}"
    except OSError:
        return None
    finally:
        os.close(fd)


class Keys:
    """The keys results would get now, worked out once per process (parent and workers)."""

    def __init__(self, bank, training=None):
        self.bank, self.training = bank, training
        self._sets: dict = {}
        self._settings: str | None = None

    def code(self) -> str:
        from dlcheck.reference import package_digest

        return package_digest()

    def settings(self) -> str:
        """The training settings that can change a grade. Without a data folder no claim is
        re-trained, so seeds, budget and device change nothing: one key for all of them
        (the Grader's own default is read from the environment, as here)."""
        if self._settings is None:
            from dlcheck.claims.run import data_root
            from dlcheck.claims.settings import TrainingSettings

            t = self.training or TrainingSettings.from_env()
            root = data_root(t)
            if root is None:
                self._settings = ""
            else:
                try:
                    listing = sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in root.iterdir())
                except OSError:
                    listing = []
                self._settings = digest(repr((str(root), listing, t.seeds, float(t.budget_s), t.device)))
        return self._settings

    def set_key(self, name: str) -> str | None:
        """A set's problems with their specs and solvers (None: the bank has no such set now)."""
        if name not in self._sets:
            from dlcheck.reference import problem_key

            ids = self.bank.problem_ids(name) if self.bank.has_set(name) else []
            try:
                self._sets[name] = digest(*(f"{pid}={problem_key(self.bank.problem(pid))}" for pid in ids)) \
                    if ids else None
            except Exception:  # noqa: BLE001 - a spec that no longer loads: nothing cached is current
                self._sets[name] = None
        return self._sets[name]

    def bank_key(self) -> str:
        return digest(*self.bank.sets())

    def _base(self, content: str | None) -> dict:
        return {"format": KEY_FORMAT, "submission": content, "dlcheck": __version__, "code": self.code(),
                "settings": self.settings()}

    def graded(self, content: str | None, sets) -> dict | None:
        """The key of a graded report over `sets` (every set it was scored against)."""
        if content is None:
            return None
        return {**self._base(content), "sets": {name: self.set_key(name) for name in sorted(sets)}}

    def failed(self, content: str | None) -> dict | None:
        """The key of a file that could not be graded (not YAML, not a submission, an unknown set):
        the same file gets the same answer until the file, dlcheck or the bank's sets change."""
        if content is None:
            return None
        return {**self._base(content), "sets": {}, "bank": self.bank_key()}

    def stale(self, record, path, limit: float | None = None) -> str | None:
        """Why `record` is not the result `path` would get now (one of the reasons above), or None."""
        if not isinstance(record, dict) or record.get("status") not in ("graded", "error", "timeout"):
            return NEW
        key = record.get("key")
        if not isinstance(key, dict) or key.get("format") != KEY_FORMAT or not isinstance(key.get("sets"), dict):
            return UNKEYED
        if key.get("submission") != content_digest(path):
            return SUBMISSION
        if key.get("dlcheck") != __version__ or key.get("code") != self.code():
            return CODE
        if key.get("settings") != self.settings():
            return SETTINGS
        if any(self.set_key(name) != value for name, value in key["sets"].items()):
            return SPEC
        if "bank" in key and key["bank"] != self.bank_key():
            return SPEC
        if record["status"] == "timeout":
            before = record.get("limit_s")
            if limit is None or not isinstance(before, (int, float)) or limit > before:
                return TIMEOUT
        return None


def summary(reasons: Counter) -> str:
    """'3 regraded: 2 spec or solver changed, 1 new' (reasons: reason -> count)."""
    total = sum(reasons.values())
    if not total:
        return "0 regraded"
    parts = [f"{reasons[r]} {r}" for r in ORDER if reasons.get(r)]
    return f"{total} regraded: {', '.join(parts)}"
