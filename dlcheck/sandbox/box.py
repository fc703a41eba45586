"""The grader's side of the sandbox: start the template worker, send it one
request at a time, read its reply within a deadline.

Each request carries a fresh nonce and a reply counts only with that nonce, so
a reply can never be taken for another check's; a worker that answers late,
too much, or wrongly is killed and replaced, and that check's failure is marked
transient (never memoised). See worker.py for what happens inside."""
from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from dlcheck.sandbox import view, wire
from dlcheck.sandbox.limits import Limits

START_SECONDS = 120.0        # importing torch on a cold disk
MARGIN_SECONDS = 30.0        # killing and cleaning up after a check that hit its wall limit


@dataclass
class Protections:
    """Which protections hold in this mode (reported with every verdict)."""

    mode: str
    enforced: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    def note(self) -> str:
        if not self.missing:
            return "ran in the sandbox (bubblewrap: no network, only the system and Python visible, own PIDs)"
        return f"ran in the sandbox ({self.mode}); NOT enforced: {', '.join(self.missing)}"


ALWAYS = ["separate process", "fresh working directory", "wall-clock, CPU, memory, process and disk limits "
          "over the whole process tree", "every process killed after each check", "protocol pipes closed "
          "to the code", "1 thread", "scrubbed environment"]
ISOLATED = ["no network", "read-only file system", "private /tmp", "own PID namespace", "no capabilities",
            "only the system, Python and the sandbox's own modules visible (no dlcheck references, homes, "
            "data, cache or other submissions)"]
NOT_ISOLATED = ["network isolation", "read-only file system", "PID namespace", "hiding dlcheck's own files"]


@lru_cache(maxsize=1)
def bubblewrap() -> str | None:
    path = shutil.which("bwrap")
    if not path:
        return None
    probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--cap-drop", "ALL",
                            "--die-with-parent", "true"], capture_output=True, timeout=10)
    return path if probe.returncode == 0 else None


def supported() -> bool:
    """Whether this system can run the sandbox at all: it needs fork, pipes handed to a child and
    POSIX resource limits (Linux or macOS; not Windows)."""
    return os.name == "posix" and hasattr(os, "fork")


def mode() -> str:
    """The mode a sandbox would start in here (part of every memo key of sandbox verdicts)."""
    if not supported():
        return "unavailable"
    return "bubblewrap" if bubblewrap() else "process limits only"


class Sandbox:
    def __init__(self, limits: Limits | None = None, isolate: bool = True, readable: tuple = (),
                 hidden: tuple = (), trusted: bool = False, operations: tuple = ()):
        self.limits = limits or Limits()
        self.operations = {op.name: op for op in operations}     # what layers above added (operations.py)
        self.readable = tuple(sorted({os.path.realpath(p) for p in readable}))
        self.hidden = tuple(sorted({os.path.realpath(p) for p in hidden}))
        self.trusted = trusted
        self.lock = threading.Lock()
        self.workdir = view.scratch("dlcheck-sandbox-")
        modules = tuple(m for op in operations for m in op.modules)
        self.inside = None if trusted else view.inside_tree(self.workdir, modules)
        self.bwrap = bubblewrap() if isolate else None
        self.process = None
        if not self._start():
            self.close()
            raise RuntimeError("the sandbox worker did not start")

    # -- starting -------------------------------------------------------------------
    def _start(self) -> bool:
        if self.bwrap:
            for whole_root in (False, True):   # an unusual layout the narrow view misses: the whole system
                if self._spawn(*self._isolated(whole_root)):
                    extra = [] if whole_root else ISOLATED[-1:]
                    self.protections = Protections("bubblewrap", ALWAYS + ISOLATED[:-1] + extra)
                    return True
            return False
        enforced = ALWAYS + (["runs as nobody"] if os.getuid() == 0 else [])
        self.protections = Protections("process limits only", enforced, list(NOT_ISOLATED))
        pythonpath = self.inside or str(view.PACKAGE.parent)
        return self._spawn(view.interpreter(), view.environment(self.workdir, pythonpath, bool(self.inside)),
                           self.workdir,
                           {"scratch": self.workdir, "wipe_scratch": False, "drop_to_nobody": True})

    def _isolated(self, whole_root: bool):
        prefix = view.bubblewrap_args(self.bwrap, self.inside, self.limits.disk_mb, self.readable, self.hidden,
                                      whole_root)
        pythonpath = view.INSIDE_MOUNT if self.inside else str(view.PACKAGE.parent)
        return (prefix + view.interpreter(), view.environment("/tmp", pythonpath, bool(self.inside)), "/",
                {"scratch": "/tmp", "wipe_scratch": True, "drop_to_nobody": False})

    def _spawn(self, command: list, env: dict, cwd: str, settings: dict) -> bool:
        """The worker, talking over two pipes of its own (never its stdin or stdout)."""
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        settings = {**settings, "limits": self.limits.to_json(),
                    "operations": {name: op.settings() for name, op in self.operations.items()}}
        argv = command + ["-m", "dlcheck.sandbox.worker", str(requests_r), str(replies_w), json.dumps(settings)]
        process = subprocess.Popen(argv, pass_fds=(requests_r, replies_w), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd,
                                   start_new_session=True)
        os.close(requests_r)
        os.close(replies_w)
        self.process, self._requests, self._replies = process, requests_w, wire.LineReader(replies_r)
        try:
            if self._replies.read(START_SECONDS).get("ready"):
                return True
        except wire.WireError:
            pass
        self._stop()
        return False

    # -- one check ---------------------------------------------------------------------
    def run(self, request: dict, limits: Limits | None = None) -> dict:
        """One check in a fresh child of the worker: its reply, with "status" ok | error | timeout
        (and "transient": true when the sandbox, not the code, failed)."""
        limits = limits or self.limits
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                if not self._start():
                    return _transient("the sandbox worker could not be started")
            nonce = secrets.token_hex(16)
            try:
                wire.write_all(self._requests, wire.dumps({**request, "nonce": nonce, "limits": limits.to_json()}))
                reply = self._replies.read(limits.wall_seconds + MARGIN_SECONDS)
            except (OSError, wire.WireError) as exc:
                self._stop()
                return _transient(f"the sandbox worker failed ({exc})")
            if reply.pop("nonce", None) != nonce:
                self._stop()
                return _transient("the sandbox worker answered another request")
            return reply

    # -- stopping ----------------------------------------------------------------------
    def _stop(self) -> None:
        process, self.process = self.process, None
        for fd in (getattr(self, "_requests", None), getattr(getattr(self, "_replies", None), "fd", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._requests = self._replies = None
        if process is not None:
            try:
                process.wait(timeout=5)        # the worker kills what its checks left, then exits
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()

    def close(self) -> None:
        with self.lock:
            self._stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _transient(message: str) -> dict:
    return {"status": "error", "message": message, "transient": True}


_shared: dict = {}


def shared(readable: tuple = (), hidden: tuple = (), trusted: bool = False, operations: tuple = ()) -> Sandbox:
    """The process-wide warm worker for submitted code (trusted: the one for dlcheck's own
    reference networks), started on first use, again when it must see or hide more paths or
    run an operation it was started without."""
    wanted = {os.path.realpath(p) for p in readable}
    masked = {os.path.realpath(p) for p in hidden}
    ops = {op.name: op for op in operations}
    box = _shared.get(trusted)
    if box is not None and not (wanted <= set(box.readable) and masked <= set(box.hidden)
                                and ops.items() <= box.operations.items()):
        wanted |= set(box.readable)
        masked |= set(box.hidden)
        ops = {**box.operations, **ops}
        box.close()
        box = None
    if box is None:
        box = _shared[trusted] = Sandbox(readable=tuple(wanted), hidden=tuple(masked), trusted=trusted,
                                         operations=tuple(ops.values()))
        atexit.register(box.close)
    return box
