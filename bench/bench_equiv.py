"""Equivalence-check latency (issue: symbolic answers).

For every pair of tests/data/equivalence_table.py: the time of one full check
(parse both, shape-check, decide in the forked worker), scalar and matrix
reported separately as median / worst and checks per second; then the worst
time over the hostile corpus of tests/test_equivalence.py against its limit.
Baseline in the same run: forking the worker alone (a no-op check).
Targets: median < 20 ms scalar and < 50 ms matrix; hostile worst < limit + 1 s."""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from data.equivalence_table import PAIRS  # noqa: E402

from dlcheck.kinds import module, parse  # noqa: E402
from dlcheck.mathexpr import ExprError  # noqa: E402
from dlcheck.mathexpr.context import parse_symbol_spec  # noqa: E402
from dlcheck.mathexpr.equiv import check_texts, is_matrix, read  # noqa: E402
from dlcheck.mathexpr.limits import run_limited  # noqa: E402
from dlcheck.spec import PartSpec  # noqa: E402
from dlcheck.verdict import Invalid  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def check_pair(a, b, symbols):
    try:
        check_texts(a, b, parse_symbol_spec(symbols))
    except ExprError:
        pass


def main() -> None:
    import numpy  # noqa: F401 - warm the libraries the checks use, as a long-lived grader would
    import sympy  # noqa: F401

    fork = [timed(lambda: run_limited(int, 0)) for _ in range(30)]
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

    print(f"{'checks':26} {'n':>4} {'median ms':>10} {'worst ms':>9} {'checks/s':>9}  target")
    print(f"{'fork a worker (baseline)':26} {len(fork):4} {statistics.median(fork) * 1e3:10.1f} "
          f"{max(fork) * 1e3:9.1f} {1 / statistics.mean(fork):9.0f}")
    for kind, target in (("scalar", 20), ("matrix", 50)):
        t = by_kind[kind]
        med = statistics.median(t) * 1e3
        print(f"{kind + ' pairs':26} {len(t):4} {med:10.1f} {max(t) * 1e3:9.1f} {len(t) / sum(t):9.0f}  "
              f"< {target} ms {'ok' if med < target else 'MISSED'}")

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
        t = timed(one)
        if t > worst:
            worst, worst_text = t, text
    print(f"{'hostile corpus':26} {len(HOSTILE):4} {'':>10} {worst * 1e3:9.1f} {'':>9}  "
          f"< {(ctx.timeout + 1) * 1e3:.0f} ms {'ok' if worst < ctx.timeout + 1 else 'MISSED'} "
          f"(slowest: {worst_text[:40]!r})")


if __name__ == "__main__":
    main()
