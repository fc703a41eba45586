"""Equivalence-check latency and agreement (issues: symbolic answers, 14).

Latency: the time of one full check (parse both, shape-check, decide in the
checking worker) for every pair of tests/data/equivalence_table.py, scalar and
matrix apart, and for STACK's 70 plain AlgEquiv pairs (tests/test_stack.py):
median / worst, mean CPU time and checks per second; then the worst time over the hostile
corpus of tests/test_equivalence.py against its limit. Baselines in the same run:
a fork of the grader (what each check paid before the worker was kept) and a
round trip to the kept worker. Each line also gives the mean CPU time of a check
(the grader's and its worker's), which other jobs on the same cores inflate
least. Targets: median < 10 ms on STACK's pairs and < 20 ms
on the table's scalar pairs, < 50 ms matrix, every scalar check < 1 s; hostile
worst < limit + 1 s.

Agreement (unless --no-agreement): on the same pairs, how often dlcheck, sympy's
`equals` and math-verify give the expected verdict (STACK's expected result; the
table's own), measured in this run. sympy's `equals` gets the sympy objects of
dlcheck's readings (the same trees; never sympy's parser on the text);
math-verify gets LaTeX (as written, or printed from dlcheck's reading) and reads
it itself. Each external check runs in the checking worker, 5 s at most.
Usage: python bench/bench_equiv.py [--no-agreement]"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from data.equivalence_table import PAIRS  # noqa: E402

from dlcheck.kinds import module, parse  # noqa: E402
from dlcheck.mathexpr import ExprError, scalar  # noqa: E402
from dlcheck.mathexpr.context import parse_symbol_spec  # noqa: E402
from dlcheck.mathexpr.equiv import check_texts, is_matrix, read  # noqa: E402
from dlcheck.mathexpr.limits import Timeout, run_limited, worker_pid  # noqa: E402
from dlcheck.spec import PartSpec  # noqa: E402
from dlcheck.verdict import Invalid  # noqa: E402

EXTERNAL_SECONDS = 5


def timed(fn) -> tuple:
    """(wall, cpu) seconds; cpu counts the checking worker too, and is what a busy
    machine (other jobs on the same cores) changes least."""
    start, cpu = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - start, _cpu() - cpu


def _cpu() -> float:
    """This process's CPU time, its reaped children's, and the live worker's so far
    (from /proc, in clock ticks of 10 ms: meaningful as a mean over many checks)."""
    own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime + _worker_cpu()


def _worker_cpu() -> float:
    pid = worker_pid()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")    # utime, stime


def fork_once() -> None:
    """What each check paid before the worker was kept: a fork of this (sympy-loaded)
    process, and its exit."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def check_pair(a, b, symbols):
    try:
        return check_texts(a, b, parse_symbol_spec(symbols)).equivalent
    except ExprError:
        return "refused"


def print_latency(label: str, runs: list, target_ms: float | None = None, worst_s: float | None = None):
    times, cpu = [wall for wall, _ in runs], sum(c for _, c in runs) / len(runs) * 1e3
    med, worst = statistics.median(times) * 1e3, max(times) * 1e3
    verdict = ""
    if target_ms is not None:
        verdict = f"< {target_ms:g} ms {'ok' if med < target_ms else 'MISSED'}"
        if worst_s is not None:
            verdict += f", worst < {worst_s:g} s {'ok' if worst < worst_s * 1e3 else 'MISSED'}"
    print(f"{label:30} {len(times):4} {med:10.1f} {worst:9.1f} {cpu:8.1f} {len(times) / sum(times):9.0f}  {verdict}")


def latency(stack) -> None:
    fork = [timed(fork_once) for _ in range(30)]
    round_trip = [timed(lambda: run_limited(int, 0)) for _ in range(30)]
    for a, b, symbols, _ in PAIRS[:10]:  # warm-up
        check_pair(a, b, symbols)
    by_kind = {"scalar": [], "matrix": []}
    for a, b, symbols, _ in PAIRS:
        ctx = parse_symbol_spec(symbols)
        try:
            kind = "matrix" if is_matrix(read(a, ctx), ctx) else "scalar"
        except ExprError:
            kind = "matrix"
        by_kind[kind].append(timed(lambda: check_pair(a, b, symbols)))
    print(f"{'checks':30} {'n':>4} {'median ms':>10} {'worst ms':>9} {'cpu mean':>8} {'checks/s':>9}  target")
    print_latency("fork the grader (baseline)", fork)
    print_latency("ask the kept worker", round_trip)
    print_latency("table: scalar pairs", by_kind["scalar"], 20, 1)
    print_latency("table: matrix pairs", by_kind["matrix"], 50)
    if stack:
        times = [timed(lambda: check_pair(t, s, symbols)) for t, s, symbols, _ in stack]
        print_latency("STACK AlgEquiv: plain pairs", times, 10, 1)
    hostile()


def hostile() -> None:
    from test_equivalence import HOSTILE

    ctx = parse_symbol_spec("x,y,z:positive")
    ctx.timeout = 2.0
    part = PartSpec("answer", "expr", math=ctx)
    worst, worst_text = 0.0, ""
    for text in HOSTILE:
        def one():
            value = parse("expr", text, part)
            if not isinstance(value, Invalid):
                module("expr").compare("x + 1", value, part)
        t, _ = timed(one)
        if t > worst:
            worst, worst_text = t, text
    print(f"{'hostile corpus':30} {len(HOSTILE):4} {'':>10} {worst * 1e3:9.1f} {'':>8} {'':>9}  "
          f"< {(ctx.timeout + 1) * 1e3:.0f} ms {'ok' if worst < ctx.timeout + 1 else 'MISSED'} "
          f"(slowest: {worst_text[:40]!r})")


# -- agreement --------------------------------------------------------------------------
def stack_sets():
    """STACK's plain pairs and every row dlcheck reads: (expected, given, symbols, truth).
    Read in the checking worker: tests/test_stack.py imports pytest, which would make
    the timed grader larger than a real one (and the worker is replaced once the
    grader imports anything new, before the timed checks)."""
    return run_limited(_stack_sets, seconds=60)


def _stack_sets():
    try:
        from test_stack import ROWS, TRUTH, declared, gap, plain_rows
    except Exception:       # noqa: BLE001 - pytest missing: no STACK figures, the rest still runs
        return [], []

    def pair(row):
        symbols, student, teacher = declared(row)
        return (teacher, student, symbols, TRUTH[row.expected])
    return [pair(r) for r in plain_rows(ROWS)], [pair(r) for r in ROWS if gap(r) is None]


def table_latex_set():
    """The table's scalar pairs with LaTeX on a side, with the table's verdict."""
    from test_differential import table_pairs

    expected = {(a, b): verdict for a, b, _, verdict in PAIRS}
    return [(a, b, symbols, expected[(a, b)]) for a, b, symbols, *_ in table_pairs()]


def sympy_equals(expected: str, given: str, symbols: str):
    ctx = parse_symbol_spec(symbols)
    try:
        trees = [read(expected, ctx), read(given, ctx)]
    except ExprError:
        return "unread"

    return _limited(_sympy_decides, trees, ctx)


def _sympy_decides(trees, ctx):
    first, second = (scalar.to_sympy(t, ctx) for t in trees)
    answer = first.equals(second)
    return answer if answer in (True, False) else None


def math_verify(expected: str, given: str, symbols: str):
    from test_differential import latex, math_verify_says

    ctx = parse_symbol_spec(symbols)
    sides = []
    for text in (expected, given):
        if "\\" in text or "$" in text:
            sides.append(text.strip().strip("$"))
            continue
        try:
            sides.append(latex(read(text, ctx)))
        except (ExprError, ValueError):
            sides.append(text)
    return math_verify_says(*sides)


def _limited(fn, *args):
    try:
        return run_limited(fn, *args, seconds=EXTERNAL_SECONDS)
    except Timeout:
        return "timeout"
    except Exception as exc:  # noqa: BLE001 - an external checker's failure is its verdict here
        return f"error {type(exc).__name__}"


def agrees(verdict, truth) -> bool:
    return verdict is truth if truth is not None else verdict is not True


def agreement(sets: dict) -> None:
    try:
        import math_verify as _  # noqa: F401
        checkers = {"dlcheck": check_pair, "sympy `equals`": sympy_equals, "math-verify": math_verify}
    except ImportError:
        checkers = {"dlcheck": check_pair, "sympy `equals`": sympy_equals}
        print("(math-verify is not installed: pip install math-verify)")
    print("\n| pairs | n | " + " | ".join(checkers) + " |")
    print("|---|---|" + "---|" * len(checkers))
    for label, pairs in sets.items():
        counts = [sum(agrees(fn(a, b, symbols), truth) for a, b, symbols, truth in pairs) for fn in checkers.values()]
        print(f"| {label} | {len(pairs)} | " + " | ".join(str(c) for c in counts) + " |")


def main() -> None:
    import numpy  # noqa: F401 - warm the libraries the checks use, as a long-lived grader would
    import sympy  # noqa: F401

    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--no-agreement", action="store_true", help="latency only (no external checkers)")
    options = args.parse_args()
    plain, readable = stack_sets()
    latency(plain)
    if not options.no_agreement:
        sets = {"STACK AlgEquiv, plain pairs": plain, "STACK AlgEquiv, every row dlcheck reads": readable,
                "equivalence_table.py, scalar pairs with LaTeX": table_latex_set()}
        agreement({label: pairs for label, pairs in sets.items() if pairs})


if __name__ == "__main__":
    main()
