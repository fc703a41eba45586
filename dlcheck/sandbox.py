"""Running submitted code: only here, in a separate, limited process.

A warm worker process (`python -m dlcheck.sandbox_worker`) imports torch once
and forks a child per check, so a check costs milliseconds, not a torch import.
The worker runs under bubblewrap when it is installed: every namespace
unshared (no network, own PIDs), a read-only view of the system's programs and
libraries, Python and dlcheck alone (no home directories, data sets, dlcheck's
cache or other submissions), a tmpfs /tmp, and no new privileges. Each child gets a fresh working directory, a CPU-time
limit, a wall-clock limit and a resident-memory watchdog (RLIMIT_AS would break
torch's large virtual reservations), thread counts pinned to 1 and a scrubbed
environment. Without bubblewrap the same limits apply but the network and the
file system are not isolated, and every report says so. A training claim adds
the paths it reads (a data set copy without test labels) and hides the paths it
must not (the original data set, labels and all)."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


@dataclass
class Limits:
    wall_seconds: float = 10.0
    cpu_seconds: int = 10
    memory_mb: int = 2048


@dataclass
class Protections:
    """Which protections hold in this mode (reported with every verdict)."""

    mode: str
    enforced: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    def note(self) -> str:
        if not self.missing:
            seen = "system and Python only" if NARROW_VIEW in self.enforced else "read-only system"
            return f"ran in the sandbox ({self.mode}: no network, {seen}, own PIDs)"
        return f"ran in the sandbox ({self.mode}); NOT enforced: {', '.join(self.missing)}"


NARROW_VIEW = "only the system, Python and dlcheck visible (no homes, data, cache or other submissions)"
ALWAYS = ["separate process", "fresh working directory", "CPU and wall-clock limits", "memory watchdog",
          "1 thread", "scrubbed environment"]


def bubblewrap() -> str | None:
    path = shutil.which("bwrap")
    if not path:
        return None
    probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--cap-drop", "ALL",
                            "--die-with-parent", "true"], capture_output=True, timeout=10)
    return path if probe.returncode == 0 else None


def _environment(home: str) -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "PYTHONPATH": PACKAGE_PARENT,
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "TORCH_NUM_THREADS": "1"}


def gpu_devices() -> list:
    """The NVIDIA device nodes a training run needs (none on a machine without a GPU)."""
    return sorted(str(p) for p in Path("/dev").glob("nvidia*") if not p.is_dir())


# What submitted code sees of the machine: the system's programs and libraries and the few
# files of /etc the dynamic loader and Python read, never home directories, other
# submissions, dlcheck's cache (references, other answers' verdicts) or data sets.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/sys", "/etc/alternatives")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/nsswitch.conf", "/etc/passwd", "/etc/group")


def _system_view() -> list:
    """bubblewrap arguments that rebuild the system part of / (symlinks such as /bin -> usr/bin kept)."""
    args = []
    for path in SYSTEM_DIRS + SYSTEM_FILES:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


class Sandbox:
    def __init__(self, limits: Limits | None = None, isolate: bool = True, readable: tuple = (),
                 hidden: tuple = ()):
        self.limits = limits or Limits()
        self.readable = tuple(sorted({str(Path(p).resolve()) for p in readable}))
        self.hidden = tuple(sorted({str(Path(p).resolve()) for p in hidden}))
        self.lock = threading.Lock()
        self.workdir = tempfile.mkdtemp(prefix="dlcheck-sandbox-")
        bwrap = bubblewrap() if isolate else None
        worker_limits = dict(self.limits.__dict__, drop_to_nobody=not bwrap)
        worker = [sys.executable, "-m", "dlcheck.sandbox_worker", json.dumps(worker_limits)]
        if bwrap:
            base = ALWAYS + ["no network", "read-only file system", "private /tmp", "own PID namespace",
                             "no capabilities"]
            self.protections = Protections("bubblewrap", base + [NARROW_VIEW])
            self.process = self._start(self._bubblewrap(bwrap, worker, whole_root=False), _environment("/tmp"), "/")
            if self.process is None:     # an unusual layout the narrow view misses: the whole system, read-only
                self.protections = Protections("bubblewrap", base)
                self.process = self._start(self._bubblewrap(bwrap, worker, whole_root=True),
                                           _environment("/tmp"), "/")
        else:
            enforced = ALWAYS + (["runs as nobody"] if os.getuid() == 0 else [])
            self.protections = Protections("process limits only", enforced,
                                           ["network isolation", "read-only file system", "PID namespace"])
            self.process = self._start(worker, _environment(self.workdir), self.workdir)
        if self.process is None:
            raise RuntimeError("the sandbox worker did not start")

    def _bubblewrap(self, bwrap: str, worker: list, whole_root: bool) -> list:
        command = [bwrap] + (["--ro-bind", "/", "/"] if whole_root else _system_view()) + ["--tmpfs", "/tmp"]
        # the package (not the folder around it), the interpreter and the virtual environment,
        # read-only, even when they live under /tmp, which gets its own empty tmpfs
        keep = {str(Path(PACKAGE_PARENT) / "dlcheck"), sys.prefix, sys.base_prefix,
                str(Path(sys.executable).resolve().parent.parent)}
        for path in sorted(keep):
            command += ["--ro-bind", path, path]
        # then hidden paths (a data set's test labels) become empty, and the paths a training
        # claim reads (the copy without test labels) are mounted, even inside hidden ones
        for path in self.hidden:
            command += ["--tmpfs", path]
        for path in self.readable:
            command += ["--ro-bind", path, path]
        command += ["--dev", "/dev"]
        for node in gpu_devices():          # the GPU, for training claims; nothing else of /dev
            command += ["--dev-bind", node, node]
        return command + ["--proc", "/proc", "--unshare-all", "--cap-drop", "ALL", "--die-with-parent",
                          "--new-session", "--chdir", "/tmp"] + worker

    @staticmethod
    def _start(command: list, env: dict, cwd: str):
        """The worker process, or None when it does not come up."""
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=env, cwd=cwd, text=True, bufsize=1)
        if process.stdout.readline().startswith("ready"):
            return process
        process.kill()
        process.wait()
        return None

    def run(self, request: dict) -> dict:
        """One check in a fresh child of the worker; returns its JSON result,
        with "status" ok | error | timeout."""
        with self.lock:
            if self.process.poll() is not None:
                return {"status": "error", "message": "the sandbox worker is gone"}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        try:
            return json.loads(line)
        except ValueError:
            return {"status": "error", "message": "the sandbox worker gave no answer"}

    def close(self):
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - closing must never fail
            self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


_shared: Sandbox | None = None


def shared(readable: tuple = (), hidden: tuple = ()) -> Sandbox:
    """The process-wide warm worker, started on first use (again when it must see, or hide, more paths)."""
    global _shared
    wanted = {str(Path(p).resolve()) for p in readable}
    masked = {str(Path(p).resolve()) for p in hidden}
    if _shared is not None and not (wanted <= set(_shared.readable) and masked <= set(_shared.hidden)):
        _shared.close()
        wanted |= set(_shared.readable)
        masked |= set(_shared.hidden)
        _shared = None
    if _shared is None or _shared.process.poll() is not None:
        _shared = Sandbox(readable=tuple(wanted), hidden=tuple(masked))
        atexit.register(_shared.close)
    return _shared
