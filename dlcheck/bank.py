"""The problem bank: problems/<set>/<question>.yaml with its <question>.py solver."""
from __future__ import annotations

import importlib.util
import re
import sys
from functools import cached_property
from pathlib import Path
from types import ModuleType

from dlcheck import checks, layout, packages
from dlcheck.errors import SpecError, UnknownProblem, did_you_mean
from dlcheck.spec import ProblemSpec, load_spec


def default_root() -> Path:
    """The first bank folder: $DLCHECK_PROBLEMS's first, else problems/ beside the package (layout.py)."""
    return layout.bank_root()


def natural_key(text: str):
    """Order ids as people do: 2.1.2 < 2.10.1, p2 < p10a."""
    return [(0, int(tok), "") if tok.isdigit() else (1, 0, tok) for tok in re.findall(r"\d+|\D+", text)]


class Bank:
    """The problem sets of one or more bank folders (a course's own beside the bundled one)."""

    def __init__(self, root: Path | None = None, roots=None):
        self.roots = [Path(root)] if root else [Path(r) for r in roots] if roots else layout.bank_roots()
        for folder in self.roots:
            if not folder.is_dir():
                raise SpecError(f"problem bank not found at {folder} (set {layout.PROBLEMS_ENV} to the folders "
                                f"of your banks, or pass --bank DIR)")
        self.root = self.roots[0]
        self._problems: dict[str, ProblemSpec] = {}
        self._solvers: dict[str, ModuleType] = {}

    @cached_property
    def _folders(self) -> dict[str, Path]:
        """Each set's folder; a set name in two banks is an error naming both."""
        found = {}
        for root in self.roots:
            for set_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
                if not any(set_dir.glob("*.yaml")):
                    continue
                if set_dir.name in found and found[set_dir.name] != set_dir:
                    raise SpecError(f"problem set {set_dir.name!r} is in two banks: {found[set_dir.name]} and "
                                    f"{set_dir}; rename one of them")
                found[set_dir.name] = set_dir
        return found

    @cached_property
    def _index(self) -> dict[str, list[str]]:
        return {name: sorted((p.stem for p in folder.glob("*.yaml")), key=natural_key)
                for name, folder in self._folders.items()}

    def set_dir(self, set_name: str) -> Path:
        """The folder of a set (its specs, solvers and _lib)."""
        return self._folders.get(set_name, self.root / set_name)

    def sets(self) -> list[str]:
        return list(self._index)

    def problem_ids(self, set_name: str) -> list[str]:
        """Full ids of a set's problems, in natural order."""
        return [f"{set_name}/{q}" for q in self._index.get(set_name, [])]

    def all_ids(self) -> list[str]:
        return [pid for s in self.sets() for pid in self.problem_ids(s)]

    def has_set(self, set_name: str) -> bool:
        return set_name in self._index

    def problem(self, full_id: str) -> ProblemSpec:
        if full_id not in self._problems:
            set_name, _, qid = full_id.partition("/")
            if qid not in self._index.get(set_name, []):
                raise UnknownProblem(f"unknown problem {full_id!r}{did_you_mean(full_id, self.all_ids())}")
            problem = load_spec(self.set_dir(set_name) / f"{qid}.yaml", set_name)
            checks.validate(problem)
            self._problems[full_id] = problem
            self.set_package(set_name)        # cached references may name its own networks (code checks)
        return self._problems[full_id]

    def resolve(self, key: str, default_set: str | None = None) -> str:
        """A key as a user writes it (full id, or relative to `default_set`,
        or a bare id unique in the bank) -> full id; UnknownProblem otherwise."""
        key = key.strip()
        if "/" in key:
            if key in self.all_ids():
                return key
            set_name = key.split("/", 1)[0]
            if set_name not in self._index:
                raise UnknownProblem(f"unknown problem set {set_name!r}{did_you_mean(set_name, self.sets())}")
            raise UnknownProblem(f"unknown problem {key!r}{did_you_mean(key, self.problem_ids(set_name))}")
        if default_set:
            if f"{default_set}/{key}" in self.all_ids():
                return f"{default_set}/{key}"
            valid = self._index.get(default_set, [])
            raise UnknownProblem(f"unknown problem {key!r} in set {default_set!r}{did_you_mean(key, valid)}")
        matches = [pid for pid in self.all_ids() if pid.split("/", 1)[1] == key]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownProblem(f"{key!r} is in several sets: {', '.join(matches)}; give the full id")
        raise UnknownProblem(f"unknown problem {key!r}{did_you_mean(key, self.all_ids())}")

    def set_package(self, set_name: str) -> str:
        """The set's folder as a package (its solvers import its own helpers from `._lib`)."""
        return packages.register(set_name, self.set_dir(set_name))

    def solver(self, problem: ProblemSpec) -> ModuleType | None:
        """The problem's solver module, imported from its file on first use, inside its set's package."""
        if problem.solver_path is None:
            return None
        if problem.full_id not in self._solvers:
            module_name = re.sub(r"\W", "_", problem.id)
            name = f"{self.set_package(problem.set)}.{module_name}"
            spec = importlib.util.spec_from_file_location(name, problem.solver_path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            if not callable(getattr(module, "solve", None)):
                raise SpecError(f"{problem.solver_path}: defines no solve(given) function")
            self._solvers[problem.full_id] = module
        return self._solvers[problem.full_id]
