"""Where dlcheck finds and keeps things, in one place.

    the problem bank   $DLCHECK_PROBLEMS (several folders, joined with the OS path separator),
                       else problems/ beside the package; `dlcheck --bank DIR` adds a folder
    bundled answers    answers/ beside the bank (`dlcheck check`)
    the cache          $DLCHECK_CACHE_DIR, else $XDG_CACHE_HOME/dlcheck, else ~/.cache/dlcheck,
                       else a private /tmp/dlcheck-cache-<uid>
    data sets          --data-dir, else $DLCHECK_DATA (never downloaded)

Each is read from the environment when asked for (a test or a batch worker that
changes one gets the new place). At the bottom of the layers: it imports nothing
of dlcheck's."""
from __future__ import annotations

import functools
import os
import stat
import sys
import tempfile
from pathlib import Path

PROBLEMS_ENV = "DLCHECK_PROBLEMS"
CACHE_ENV = "DLCHECK_CACHE_DIR"
DATA_ENV = "DLCHECK_DATA"
PROJECT = Path(__file__).resolve().parent.parent


def bank_roots() -> list[Path]:
    """The folders problem sets are read from, in order."""
    env = os.environ.get(PROBLEMS_ENV, "")
    listed = [Path(p) for p in env.split(os.pathsep) if p.strip()]
    return listed or [bundled_bank()]


def bank_root() -> Path:
    return bank_roots()[0]


def bundled_bank() -> Path:
    """problems/ beside the package (a clone, an editable install), else where an installed
    dlcheck keeps it (pyproject's data-files: <prefix>/share/dlcheck/problems)."""
    import sysconfig

    beside = PROJECT / "problems"
    installed = [Path(sysconfig.get_path("data")) / "share" / "dlcheck" / "problems",
                 Path(sys.prefix) / "share" / "dlcheck" / "problems"]
    return next((p for p in [beside, *installed] if p.is_dir()), beside)


def add_banks(folders) -> None:
    """`--bank DIR`: course banks before the ones in force, for this process and the workers it
    starts (they read the same variable)."""
    roots = [str(Path(f).resolve()) for f in folders] + [str(p) for p in bank_roots()]
    os.environ[PROBLEMS_ENV] = os.pathsep.join(dict.fromkeys(roots))


def answers_root(bank: Path) -> Path:
    return Path(bank).parent / "answers"


def data_dir(explicit: str | None = None) -> Path | None:
    chosen = explicit or os.environ.get(DATA_ENV)
    return Path(chosen).expanduser() if chosen else None


def cache_dir() -> Path:
    return _cache_dir(os.environ.get(CACHE_ENV), os.environ.get("XDG_CACHE_HOME"),
                      os.environ.get("HOME"), tempfile.gettempdir())


@functools.lru_cache(maxsize=8)
def _cache_dir(explicit: str | None, xdg: str | None, home: str | None, tmp: str) -> Path:
    """Keyed on everything it reads, so a test that changes one gets a fresh answer."""
    if explicit:
        return Path(explicit)
    if xdg and os.path.isabs(xdg):          # the XDG spec: a relative value is to be ignored
        return Path(xdg) / "dlcheck"
    home = home if home is not None else _passwd_home()
    if home and os.path.isabs(home) and os.path.isdir(home):   # HOME= or a missing HOME is never created
        return Path(home) / ".cache" / "dlcheck"
    return _private_tmp(Path(tmp))


def _passwd_home() -> str | None:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return None


def _private_tmp(tmp: Path) -> Path:
    """/tmp/dlcheck-cache-<uid>, made 0700 and checked to be ours: another user could
    otherwise plant entries there (a checksum proves integrity, not authorship)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = tmp / f"dlcheck-cache-{uid}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o077:
            return path
    except OSError:
        pass
    try:
        return Path(tempfile.mkdtemp(prefix="dlcheck-cache-", dir=tmp))    # one per process: slower, never shared
    except OSError:
        return Path(os.devnull) / "dlcheck-cache"      # nothing can be read or written there: no cache at all
