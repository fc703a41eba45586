"""Batch throughput (issue: CI batch grading).

1,000 synthetic submissions of about 40 non-code parts (bench/synth_class.py),
graded by `dlcheck batch` with --jobs 1 and --jobs 2 (every output written),
next to a floor measured in the same run: a minimal script that only reads the
same YAML files with libyaml's C loader and compares their numbers with
floats. Reports parts per second, the ratio dlcheck/floor, and the peak memory
of a batch of 250 and of 1,000 submissions (flat in the class size).
Targets: ≥ 2,000 parts/s with 2 jobs, within 5× of the floor."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DLCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="dlcheck-bench-batch-"))

import synth_class  # noqa: E402

FLOOR = r'''
import sys, yaml, glob
parts = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    try:
        text = open(path, encoding="utf-8").read()
        if "[" * 100 in text:       # libyaml would crash on the hostile deep file; the floor skips it
            continue
        doc = yaml.load(text, Loader=yaml.CSafeLoader)
    except Exception:
        continue
    for pid, entry in ((doc or {}).get("answers") or {}).items() if isinstance(doc, dict) else ():
        for name, value in (entry.items() if isinstance(entry, dict) else ()):
            parts += 1
            try:
                abs(float(value) - 1.0) <= 5e-3 * abs(float(value))
            except (TypeError, ValueError):
                pass
print(parts)
'''


def timed_run(cmd: list) -> tuple[float, str, int]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout + done.stderr, max(peak, before)


def graded_parts(out: Path) -> int:
    return sum(len((json.loads(p.read_text()).get("report") or {}).get("results", []))
               for p in (out / "results").glob("*.json"))


def peak_rss_mb(cmd: list) -> float:
    """Peak RSS of one batch run (the parent and, via /usr/bin/time-like wait4, its workers)."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvpe(cmd[0], cmd, os.environ)
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024


def main():
    from dlcheck.bank import Bank

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    work = Path(tempfile.mkdtemp(prefix="dlcheck-class-"))
    bank = Bank()
    synth_class.generate(work / "class", n, bank, parts_per=40, seed=1)
    dlcheck = str(Path(sys.executable).parent / "dlcheck")
    floor_time, floor_out, _ = timed_run([sys.executable, "-c", FLOOR, str(work / "class")])
    floor_parts = int(floor_out.strip().splitlines()[-1])
    print(f"synthetic class: {n} submissions, {floor_parts} parts read by the floor")
    print(f"floor (CSafeLoader + float compare): {floor_time:.2f} s, {floor_parts / floor_time:,.0f} parts/s")
    first = None
    for jobs in (1, 2):
        for label in ("first run (memo cold)", "again (memo warm)"):
            out = work / f"out-j{jobs}-{label.split()[0]}"
            elapsed, log, _ = timed_run([dlcheck, "batch", str(work / "class"), "--out", str(out), "--jobs", str(jobs)])
            parts = graded_parts(out)
            rate = parts / elapsed
            first = first or rate
            print(f"dlcheck batch --jobs {jobs}, {label}: {elapsed:.2f} s, {rate:,.0f} parts/s, "
                  f"{elapsed / floor_time:.1f}× the floor's time")
    small = work / "small"
    synth_class.generate(small, max(n // 4, 1), bank, parts_per=40, seed=2)
    rss_small = peak_rss_mb([dlcheck, "batch", str(small), "--out", str(work / "rss-small"), "--jobs", "2"])
    rss_full = peak_rss_mb([dlcheck, "batch", str(work / "class"), "--out", str(work / "rss-full"), "--jobs", "2"])
    print(f"peak memory (largest process): {rss_small:.0f} MB for {max(n // 4, 1)} submissions, "
          f"{rss_full:.0f} MB for {n}")


if __name__ == "__main__":
    main()
