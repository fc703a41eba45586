"""Latency of one code check of csc413-a2 4.1 (the bundled LLM answer), the way
`dlcheck grade` does it: the grader draws an input and the reference's weights
and runs the reference (its own torch), the warm sandbox worker forks a clean
child that runs the submission on them, the grader compares. Median and max
over 20 runs, beside the cost of forking a child that does nothing (baseline,
same run) and of a cold sandbox. Target: warm median < 150 ms."""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dlcheck.bank import Bank  # noqa: E402
from dlcheck.kinds import code  # noqa: E402
from dlcheck.reference import references  # noqa: E402
from dlcheck.sandbox import Sandbox, box as box_module  # noqa: E402


def main(runs: int = 20) -> None:
    bank = Bank()
    expected = references(bank.problem("csc413-a2/4.1"), bank)["model"].value
    source = yaml.safe_load((ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml").read_text())["answers"][4.1]["answer"]

    def timed(fn):
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    box = Sandbox()
    box_module.shared = lambda *a, **k: box          # kinds.code talks to this worker
    mode = box.protections.mode
    assert code.compare(expected, source, None).verdict == "correct"
    ping = [timed(lambda: box.run({"op": "ping"})) for _ in range(runs)]
    warm = [timed(lambda: code.compare(expected, source, None)) for _ in range(runs)]
    box.close()

    def cold_check():
        fresh = Sandbox()
        box_module.shared = lambda *a, **k: fresh
        code.compare(expected, source, None)
        fresh.close()
    cold = [timed(cold_check) for _ in range(3)]
    print(f"sandbox mode: {mode}")
    print(f"{'path':40} {'n':>3} {'median ms':>10} {'max ms':>8}  target")
    for name, t, target in (("fork a clean child, no work (baseline)", ping, None),
                            ("4.1 check, warm worker", warm, 150), ("4.1 check, cold sandbox", cold, None)):
        med = statistics.median(t) * 1e3
        mark = "" if target is None else f"< {target} ms {'ok' if med < target else 'MISSED'}"
        print(f"{name:40} {len(t):3} {med:10.1f} {max(t) * 1e3:8.1f}  {mark}")
    print(f"warm check / baseline: {statistics.median(warm) / statistics.median(ping):.1f}x")


if __name__ == "__main__":
    main()
