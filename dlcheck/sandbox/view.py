"""What the sandbox's processes see of the machine.

Submitted code gets a copy of the few dlcheck modules that run inside (the
worker, the observer, the tracer, the training loop), never the package itself:
dlcheck's reference networks and functions, its cache, other submissions and
home directories are not there to import or read. Under bubblewrap the rest of
the view is the system's programs and libraries, Python and the virtual
environment, read-only; a private /tmp of fixed size; a minimal /dev; no network.

The trusted view (dlcheck's own reference networks trained for an experiment,
with no submitted code in it) sees the whole package instead."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent          # .../dlcheck
INSIDE_MOUNT = "/opt/dlcheck-inside"
# the modules that run inside the sandbox; nothing here may import a reference
INSIDE_MODULES = ("__init__.py", "sandbox/__init__.py", "sandbox/wire.py", "sandbox/worker.py",
                  "sandbox/observe.py", "sandbox/tracer.py", "sandbox/operations.py")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/sys", "/etc/alternatives")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/nsswitch.conf", "/etc/passwd", "/etc/group")


STAND_INS = "stand_ins"                                # libraries the sandbox stands in for (torchvision)


def inside_tree(folder: str, extra: tuple = ()) -> str:
    """A copy of the inside modules under `folder` (readable by `nobody`), with the stand-ins
    in inside/stand_ins; returns the path for PYTHONPATH."""
    root = Path(folder) / "inside"
    for relative in INSIDE_MODULES + tuple(extra):     # extra: what the box's operations need
        target = root / "dlcheck" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / relative, target)
    shutil.copytree(PACKAGE / "sandbox" / STAND_INS, root / STAND_INS,
                    ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    Path(folder).chmod(0o755)
    return str(root)


def environment(home: str, first: str, inside: bool = True) -> dict:
    """A scrubbed environment. Python starts with -S (no site hooks: an editable install's
    finder would reach the real package), so the site-packages folders are named here; the
    stand-ins come last, so an installed library always wins."""
    stand_ins = [os.path.join(first, STAND_INS)] if inside else []
    pythonpath = os.pathsep.join([first, *site_packages(), *stand_ins])
    return {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "PYTHONPATH": pythonpath,
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "TORCH_NUM_THREADS": "1"}


def site_packages() -> list:
    import site

    return [p for p in site.getsitepackages() if os.path.isdir(p)]


def interpreter() -> list:
    return [sys.executable, "-S", "-s"]


def gpu_devices() -> list:
    """The NVIDIA device nodes a training run needs (none on a machine without a GPU)."""
    return sorted(str(p) for p in Path("/dev").glob("nvidia*") if not p.is_dir())


def _system() -> list:
    """bubblewrap arguments that rebuild the system part of / (symlinks such as /bin -> usr/bin kept)."""
    args = []
    for path in SYSTEM_DIRS + SYSTEM_FILES:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def python_dirs() -> list:
    """The interpreter, its standard library and the virtual environment (torch, numpy)."""
    return sorted({sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)})


def bubblewrap_args(bwrap: str, inside: str | None, tmp_mb: int, readable: tuple, hidden: tuple,
                    whole_root: bool) -> list:
    """The bubblewrap command line up to the program: `inside` is the copied modules
    (None: the trusted view, the whole package)."""
    command = [bwrap] + (["--ro-bind", "/", "/"] if whole_root else _system())
    command += ["--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    for path in python_dirs():      # read-only, even when they live under /tmp
        command += ["--ro-bind", path, path]
    if inside is None:
        command += ["--ro-bind", str(PACKAGE), str(PACKAGE)]
    else:
        command += ["--ro-bind", inside, INSIDE_MOUNT]
        hidden = tuple(hidden) + tuple(p for p in _installed_copies() if p)
    for path in hidden:             # a data set's test labels, an installed copy of dlcheck: empty
        command += ["--tmpfs", path]
    for path in readable:           # what a claim reads (the data without test labels), even inside hidden
        command += ["--ro-bind", path, path]
    command += ["--dev", "/dev"]
    for node in gpu_devices():      # the GPU, for training claims; nothing else of /dev
        command += ["--dev-bind", node, node]
    # the root bubblewrap builds is a tmpfs: read-only, or code could keep files there from one
    # check to the next (and past the size of /tmp)
    return command + ["--proc", "/proc", "--remount-ro", "/", "--unshare-all", "--cap-drop", "ALL",
                      "--die-with-parent", "--new-session", "--chdir", "/tmp"]


def _installed_copies() -> list:
    """dlcheck's package folder when it lies inside a folder the sandbox sees (a plain
    `pip install` puts it in the virtual environment's site-packages)."""
    seen = python_dirs()
    package = str(PACKAGE)
    return [package] if any(package == d or package.startswith(d.rstrip("/") + "/") for d in seen) else []


def scratch(prefix: str) -> str:
    return tempfile.mkdtemp(prefix=prefix)
