"""`dlcheck check`: the bank checks itself — every spec loads, every solver
derives its references, each set's references.lock.json holds what they derive
(`--update` rewrites it), every bundled answer file grades to the verdicts
recorded beside it (<name>.expected.yaml)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from dlcheck import lockfile
from dlcheck.checks import derived_references
from dlcheck.claims import TrainingSettings
from dlcheck.errors import DlcheckError
from dlcheck.grade import Grader
from dlcheck.layout import bundled_bank
from dlcheck.reference import references as solver_references
from dlcheck.submission import load_submission


@dataclass
class Row:
    what: str
    name: str
    ok: bool
    detail: str


def default_answers_root(bank) -> Path:
    from dlcheck.layout import answers_root

    return answers_root(bank.root)


def run(bank, answers_root: Path, use_cache: bool = True, update: bool = False) -> list[Row]:
    rows, derived, failed = [], {}, set()
    for pid in bank.all_ids():
        try:
            problem = bank.problem(pid)
            solved = solver_references(problem, bank, use_cache, locked=False)   # never the lock: it is checked
            refs = derived_references(problem, solved)
            auto = [n for n, p in problem.parts.items() if p.auto]
            missing = underived(problem, refs)
            if missing:
                rows.append(Row("problem", pid, False, missing))
            else:
                rows.append(Row("problem", pid, True, f"{len(refs)} of {len(auto)} automatic parts derived"))
            if problem.solver_path is not None:
                derived[pid] = (problem, {name: ref.to_json() for name, ref in solved.items()})
        except DlcheckError as exc:
            rows.append(Row("problem", pid, False, str(exc)))
            failed.add(pid)
    rows += lock_rows(bank, derived, failed, update)
    grader = Grader(bank, use_cache, training=TrainingSettings())   # no data sets: the same verdicts everywhere
    for path in sorted(p for p in answers_root.rglob("*.yaml") if not p.name.endswith(".expected.yaml")):
        rows.append(_check_answers(grader, bank, path, answers_root))
    return rows


def lock_rows(bank, derived: dict, failed: set, update: bool) -> list[Row]:
    """Each set's references.lock.json against what its solvers derive now: with `update`,
    rewritten first (a problem whose solver failed keeps its old entry; its row fails).
    A set without a lock passes (a course's own bank derives as before), unless it is in
    the bundled bank, which ships one for every set."""
    rows = []
    try:
        bundled = bundled_bank().resolve()
    except OSError:
        bundled = None
    for set_name in bank.sets():
        folder, written = bank.set_dir(set_name), False
        problems = {pid: v for pid, v in derived.items() if pid.split("/", 1)[0] == set_name}
        name = f"{set_name}/{lockfile.LOCK_NAME}"
        if update:
            kept = {qid: e for qid, e in (lockfile.load(folder) or {}).items() if f"{set_name}/{qid}" in failed}
            try:
                written = lockfile.write(folder, set_name, {**kept, **{p.id: lockfile.entry(p, parts)
                                                                       for p, parts in problems.values()}})
            except OSError as exc:
                rows.append(Row("lock", name, False, f"cannot write it: {exc}"))
                continue
        locked = lockfile.load(folder)
        if locked is None:
            if lockfile.lock_path(folder).exists() or folder.parent.resolve() == bundled:
                rows.append(Row("lock", name, False, f"missing or unreadable; {lockfile.UPDATE}"))
            continue
        wrong = [Row("lock", pid, False, f"{pid}: {why}") for pid, (problem, parts) in problems.items()
                 if (why := lockfile.verify(problem, parts))]
        wrong += [Row("lock", f"{set_name}/{qid}", False, f"{set_name}/{qid}: locked, but the bank has no such "
                      f"problem with a solver; {lockfile.UPDATE}")
                  for qid in sorted(locked) if f"{set_name}/{qid}" not in set(problems) | failed]
        rows += wrong or [Row("lock", name, True, f"{'written: ' if written else ''}{len(problems)} problems' "
                                                   f"references as their solvers derive them")]
    return rows


def underived(problem, refs: dict) -> str:
    """Why some automatic parts have no reference ('' when none lacks one). A part re-trained
    from its claim (`check: claim`) is judged without one; every other automatic part would
    otherwise be left for review on every submission, unnoticed."""
    missing = [n for n, p in problem.parts.items() if p.auto and p.check != "claim" and n not in refs]
    if not missing:
        return ""
    solver = problem.path.with_suffix(".py") if problem.path else None
    why = (f"no solver: write {solver.name if solver else '<id>.py'} beside the spec" if problem.solver_path is None
           else f"{problem.solver_path.name}'s solve() returns no Reference for them")
    return f"{problem.full_id}: no reference derived for {', '.join(missing)} ({why})"


def _check_answers(grader, bank, path: Path, root: Path) -> Row:
    name = str(path.relative_to(root))
    expected_path = path.with_name(path.stem + ".expected.yaml")
    if not expected_path.exists():
        return Row("answers", name, False, f"no {expected_path.name} beside it")
    try:
        expected = yaml.safe_load(expected_path.read_text(encoding="utf-8")) or {}
        report = grader.grade(load_submission(path, bank))
    except (DlcheckError, yaml.YAMLError) as exc:
        return Row("answers", name, False, str(exc))
    got = {f"{r.problem.split('/', 1)[1]}/{r.part}": r.verdict for r in report.results}
    want = {str(k): v for k, v in (expected.get("results") or {}).items()}
    diffs = [f"{k}: expected {want.get(k, '—')}, got {got.get(k, '—')}" for k in sorted(set(got) | set(want))
             if got.get(k) != want.get(k)]
    critiques = {c.problem.split("/", 1)[1]: c.critique_right for c in report.critiques}
    for key, spec in (expected.get("critiques") or {}).items():
        if critiques.get(str(key), "absent") != spec.get("critique_right"):
            diffs.append(f"critique {key}: expected critique_right={spec.get('critique_right')}, "
                         f"got {critiques.get(str(key), 'no critique')}")
    if diffs:
        return Row("answers", name, False, "; ".join(diffs))
    return Row("answers", name, True, f"{len(got)} verdicts as expected, score {report.score:g}/{report.max_score:g}")
