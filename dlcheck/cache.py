"""The on-disk cache of derived references and solver checks.

Lives in the user's cache directory ($DLCHECK_CACHE_DIR, else
$XDG_CACHE_HOME/dlcheck, else ~/.cache/dlcheck when HOME is a real folder, else
a private per-user folder in the temporary directory). Entries are JSON written
atomically (temporary file + rename) and sealed with a checksum of their
content: an entry that is unreadable, fails its checksum or its schema is
recomputed and said so, never trusted."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from dlcheck.layout import cache_dir  # noqa: F401 - the cache's place, kept importable from here

SEAL = "sha256"
# what json.dumps(ensure_ascii=False) leaves raw but a terminal would obey (DEL, C1, bidi
# overrides), a JavaScript parser chokes on (U+2028/9), or UTF-8 cannot encode (lone surrogates)
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


# where the cache lives is the layout's business (layout.py); cache_dir stays importable from here


def digest(*chunks: bytes | str) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def read_json(path: Path):
    """The JSON stored at `path`, or None if it is missing or corrupt."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):       # bad UTF-8 is a ValueError; RecursionError: deep nesting
        return None


def json_dumps(data, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON that keeps every string exactly (json.loads gives them back) and is safe
    to print and to write as UTF-8: the characters above are \\u-escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_json_atomic(path: Path, data, best_effort: bool = False) -> bool:
    """Write JSON so that readers see the old file or the new one, never half.
    An OSError (a full disk, a read-only folder) is raised, or, with best_effort
    (the cache: a failure only costs speed), swallowed and False returned."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json_dumps(data))    # one C-encoded string: json.dump writes in pieces
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if best_effort:
            return False
        raise


# -- sealed entries ------------------------------------------------------------------
def _checksum(body: dict) -> str:
    """sha256 of the canonical JSON; "" (which matches no seal) for what JSON cannot hold."""
    try:
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return ""
    return digest(canonical)


def write_entry(path: Path, body: dict) -> bool:
    """Store `body` (which holds its own "key") with a checksum over all of it."""
    return write_json_atomic(path, {**body, SEAL: _checksum(body)}, best_effort=True)


def read_entry(path: Path, key: str, valid=lambda body: True) -> dict | None:
    """The entry at `path` for `key`, or None: missing, stale (another key: the
    spec changed) or corrupt (unreadable, a failed checksum, or `valid` refuses
    it; then it is removed and the run warned once)."""
    if not path.exists():
        return None
    data = read_json(path)
    body = {k: v for k, v in data.items() if k != SEAL} if isinstance(data, dict) else None
    if body is None or data.get(SEAL) != _checksum(body):
        return corrupt(path)
    if body.get("key") != key:
        return None
    return body if valid(body) else corrupt(path)


_WARNED = []


def corrupt(path: Path) -> None:
    """Drop a bad entry (it will be recomputed) and say so, once per run."""
    try:
        path.unlink()
    except OSError:
        pass
    if not _WARNED:
        _WARNED.append(path)
        sys.stderr.write(f"dlcheck: cache entry {path} was corrupt; recomputed "
                         f"(further corrupt entries are recomputed silently)\n")
    return None
