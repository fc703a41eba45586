"""Kill rate per module from mutmut's results in ./mutants/ (after `make mutate`).

    python bench/mutation_score.py            # a table: module, mutants, killed, survived, other, kill rate
    python bench/mutation_score.py --survivors   # and the surviving mutants' names, per module
    python bench/mutation_score.py --unexplained # survivors with no reason in tests/data/mutmut_survivors.md

Reads mutmut 3's own result files (mutants/<path>.meta, JSON: exit code per mutant) so that
it needs no import of mutmut. Kill rate = (killed + timeout) / (mutants that were tested),
as `mutmut export-cicd-stats` and its badge count it: mutants with no covering test count as
tested and not killed; mutants not checked yet (an interrupted run) are left out."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REASONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "mutmut_survivors.md"

# mutmut 3's exit codes (mutmut/stats.py: status_by_exit_code)
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def scores(root: Path = Path("mutants")) -> list[dict]:
    rows = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        checked = {k: v for k, v in codes.items() if v is not None}
        killed = sum(v in KILLED or v in TIMEOUT for v in checked.values())
        survivors = sorted(k for k, v in checked.items() if v in SURVIVED)
        no_tests = sum(v in NO_TESTS for v in checked.values())
        rows.append(dict(module=str(meta.relative_to(root))[: -len(".meta")], total=len(codes),
                         checked=len(checked), killed=killed, survived=len(survivors), no_tests=no_tests,
                         other=len(checked) - killed - len(survivors) - no_tests, survivors=survivors))
    return rows


def main(argv: list[str]) -> int:
    rows = scores()
    if not rows:
        print("no mutmut results in ./mutants/: run `make mutate` first", file=sys.stderr)
        return 1
    print(f"{'module':32} {'mutants':>7} {'checked':>7} {'killed':>6} {'survived':>8} {'no tests':>8} "
          f"{'other':>5} {'kill rate':>9}")
    totals = dict(total=0, checked=0, killed=0, survived=0, no_tests=0, other=0)
    for row in rows + [None]:
        if row is None:
            row = dict(module="all", **totals)
        else:
            for key in totals:
                totals[key] += row[key]
        rate = f"{row['killed'] / row['checked']:.1%}" if row["checked"] else "-"
        print(f"{row['module']:32} {row['total']:>7} {row['checked']:>7} {row['killed']:>6} {row['survived']:>8} "
              f"{row['no_tests']:>8} {row['other']:>5} {rate:>9}")
    if "--survivors" in argv:
        for row in rows:
            for name in row["survivors"]:
                print(name)
    if "--unexplained" in argv:
        explained = explained_mutants()
        missing = [name for row in rows for name in row["survivors"] if _short(name) not in explained]
        print(f"\n{len(missing)} survivors without a reason in {REASONS.name}")
        for name in missing:
            print(name)
        surviving = {_short(name) for row in rows for name in row["survivors"]}
        stale = sorted(explained - surviving)
        print(f"\n{len(stale)} reasons for mutants that no longer survive (killed, or renumbered by an edit)")
        for module, function, number in stale:
            print(f"{module} {function} {number}")
    return 0


def explained_mutants(path: Path = REASONS) -> set:
    """(module, function, number) for every mutant a reason row names, under its module's heading:
    `## safemath` then | `xǁ_Parserǁatom` 12, 14; `_finite` 3 | why |."""
    found, module = set(), ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            module = line[3:].split()[0]
        cells = line.split("|")
        if len(cells) < 3:
            continue
        for function, numbers in re.findall(r"`([^`]+)`\s*([\d,\s]+)", cells[1]):
            found |= {(module, function, int(n)) for n in re.findall(r"\d+", numbers)}
    return found


def _short(name: str) -> tuple:
    """dlcheck.safemath.xǁ_Parserǁatom__mutmut_12 -> ("safemath", "xǁ_Parserǁatom", 12)"""
    function, number = name.rsplit("__mutmut_", 1)
    module, function = function.rsplit(".", 1)
    return module.rsplit(".", 1)[1], function, int(number)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
