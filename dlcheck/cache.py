"""The on-disk cache of derived references and solver checks.

Lives in the user's cache directory ($DLCHECK_CACHE_DIR, else
$XDG_CACHE_HOME/dlcheck, else ~/.cache/dlcheck). Entries are JSON written
atomically (temporary file + rename); an unreadable entry is treated as absent
and recomputed, never trusted."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    if os.environ.get("DLCHECK_CACHE_DIR"):
        return Path(os.environ["DLCHECK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlcheck"


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
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def write_json_atomic(path: Path, data) -> bool:
    """Write JSON so that readers see the old file or the new one, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, ensure_ascii=False))    # one C-encoded string: json.dump writes in pieces
        os.replace(tmp, path)
        return True
    except OSError:  # a read-only cache only costs speed
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
        return False
