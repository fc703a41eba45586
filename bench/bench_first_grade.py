"""The first grade against a warm one (issue 18, "quick on first use").

A first grade meets an empty reference cache: without the shipped references
(problems/<set>/references.lock.json, written by `dlcheck check --update`) every
solver it touches runs, importing torch and sympy (8–15 s). With them it reads the
lock instead. Prints the median wall time of grading a numbers-and-formulas
submission of a bundled set with an empty cache (first) and with a filled one
(warm), run as on an install without torch (`import torch` fails), and the ratio.
Target: first ≤ 3 × warm.
Usage: python bench/bench_first_grade.py [--repeats N]"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_startup import timed     # bench/ is the script's folder, so on sys.path

SUBMISSION = r"""set: csc413-a2
answers:
  1.2.1: {min_norm_solution: [4/5, 2/5], always_min_norm: false}
  2.2.1:
    loss: \frac{1}{n} \left\| \mathbf{a} - \frac{2\eta}{n} \mathbf{X}\mathbf{X}^T \mathbf{a} \right\|_2^2
  2.2.3:
    eta: \frac{n}{2} \frac{\|\mathbf{X}^T \mathbf{a}\|_2^2}{\|\mathbf{X} \mathbf{X}^T \mathbf{a}\|_2^2}
  2.3.1:
    l2: (1 - 2\eta \tilde{\lambda}) \mathbf{w}_0 - \eta \frac{2}{n} \mathbf{X}^T (\mathbf{X} \mathbf{w}_0 - t)
    weight_decay: (1 - \lambda) \mathbf{w}_0 - \eta \frac{2}{n} \mathbf{X}^T (\mathbf{X} \mathbf{w}_0 - t)
  2.3.2: \tilde{\lambda} = \frac{\lambda}{2\eta}
  3.1: {padding: 1}
  3.2: {cnn_neurons: 61632, cnn_params: 21024, fcnn_neurons: 4992, fcnn_params: 10063872}
"""
WITHOUT_TORCH = ("import sys; sys.modules['torch'] = None; sys.modules['torchvision'] = None; "
                 "from dlcheck.cli import main; sys.argv = ['dlcheck'] + sys.argv[1:]; main()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dlcheck-bench-first-"))
    submission = work / "numbers.yaml"
    submission.write_text(SUBMISSION, encoding="utf-8")
    cache = work / "cache"
    env = dict(os.environ, DLCHECK_CACHE_DIR=str(cache), NO_COLOR="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)       # byte-code cached, as users have it
    cmd = [sys.executable, "-c", WITHOUT_TORCH, "grade", str(submission), "--format", "json"]
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)    # byte-code warm

    def empty_cache():
        shutil.rmtree(cache, ignore_errors=True)

    try:
        first = timed(cmd, env, args.repeats, empty_cache, check=False)
        timed(cmd, env, 1, check=False)
        warm = timed(cmd, env, args.repeats, check=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = statistics.median(first) / statistics.median(warm)
    print(f"{'grade numbers+formulas (csc413-a2), no torch':46} {'median s':>9} {'min s':>7}")
    for name, times in (("first grade, empty cache (shipped references)", first), ("warm grade", warm)):
        print(f"{name:46} {statistics.median(times):9.3f} {min(times):7.3f}")
    print(f"first / warm: {ratio:.2f}×  (target ≤ 3×: {'ok' if ratio <= 3 else 'MISSED'})")


if __name__ == "__main__":
    main()
