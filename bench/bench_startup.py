"""Start-up and grading latency of the dlcheck CLI (issue: foundation).

Prints the median wall time of:
  python -c pass                       the interpreter's own floor (baseline)
  dlcheck --help
  dlcheck grade student.yaml, cold     empty reference cache: solvers run (torch)
  dlcheck grade student.yaml, warm     cache filled: no torch, no sympy
  dlcheck check, cold and warm         every spec, solver and bundled answer file
each with its ratio to the baseline measured in the same run.
Targets on the 2-core dev machine: --help < 0.3 s, warm grade < 0.6 s, warm check < 5 s.
Usage: python bench/bench_startup.py [--repeats N]"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBMISSION = ROOT / "answers/csc413-a2/student.yaml"


def dlcheck_command() -> list[str]:
    script = Path(sys.executable).with_name("dlcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dlcheck"]


def timed(cmd, env, repeats: int, before=None, check: bool = True) -> list[float]:
    """Wall seconds of `repeats` runs of `cmd` (`before` runs first each time, untimed); with
    `check`, a failing run stops the bench (a grade with --fail-under may exit 3: check=False)."""
    times = []
    for _ in range(repeats):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=check)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="dlcheck-bench-"))
    env = dict(os.environ, DLCHECK_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users see: byte-code cached
    cli = dlcheck_command()
    for warm_up in ([sys.executable, "-c", "pass"], cli + ["--help"], cli + ["grade", str(SUBMISSION)]):
        subprocess.run(warm_up, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def clear_cache():
        shutil.rmtree(cache, ignore_errors=True)

    rows = [
        ("python -c pass (baseline)", timed([sys.executable, "-c", "pass"], env, args.repeats), None),
        ("dlcheck --help", timed(cli + ["--help"], env, args.repeats), 0.3),
        ("grade student.yaml, cold cache", timed(cli + ["grade", str(SUBMISSION)], env, 3, clear_cache), None),
        ("grade student.yaml, warm cache", timed(cli + ["grade", str(SUBMISSION)], env, args.repeats), 0.6),
        ("dlcheck check, cold cache", timed(cli + ["check"], env, 1, clear_cache), None),
        ("dlcheck check, warm cache", timed(cli + ["check"], env, 3), 5.0),
    ]
    shutil.rmtree(cache, ignore_errors=True)
    base = statistics.median(rows[0][1])
    print(f"{'command':34} {'median s':>9} {'min s':>7} {'× baseline':>11}  target")
    for name, times, target in rows:
        med = statistics.median(times)
        verdict = "" if target is None else f"< {target} s {'ok' if med < target else 'MISSED'}"
        print(f"{name:34} {med:9.3f} {min(times):7.3f} {med / base:11.1f}  {verdict}")


if __name__ == "__main__":
    main()
