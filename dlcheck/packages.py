"""A problem set's folder as an importable package, so that its solvers and its own
helpers (problems/<set>/_lib/) import each other the way a course writes them
(`from ._lib.colour import PoolUpsampleNet`), with no edit to dlcheck.

Every set is `dlcheck_bank.<set>` (non-identifier characters as `_`); the bank
registers its sets, and the sandbox's trusted worker registers the one set whose
experiment it runs."""
from __future__ import annotations

import re
import sys
import types

ROOT = "dlcheck_bank"


def package_name(set_name: str) -> str:
    return ROOT + "." + re.sub(r"\W", "_", set_name)


def register(set_name: str, folder) -> str:
    """Make `folder` importable as the set's package; returns the package's name."""
    if ROOT not in sys.modules:
        root = types.ModuleType(ROOT, "Problem sets, one package each (dlcheck.packages).")
        root.__path__ = []
        sys.modules[ROOT] = root
    name = package_name(set_name)
    package = sys.modules.get(name)
    if package is None or list(getattr(package, "__path__", [])) != [str(folder)]:
        package = types.ModuleType(name, f"The problem set {set_name}.")
        package.__path__ = [str(folder)]
        package.__package__ = name
        sys.modules[name] = package
    return name
