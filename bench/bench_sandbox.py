"""Latency of one module check of csc413-a2 4.1 (the bundled LLM answer):
through the warm worker (torch imported once, a fork per check) and through
the cold path (a new sandbox process per check), median and max over 20 runs.
Target: warm median < 150 ms on this machine's CPU."""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dlcheck.bank import Bank  # noqa: E402
from dlcheck.reference import references  # noqa: E402
from dlcheck.sandbox import Sandbox  # noqa: E402


def main(runs: int = 20) -> None:
    bank = Bank()
    expected = references(bank.problem("csc413-a2/4.1"), bank)["model"].value
    source = yaml.safe_load((ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml").read_text())["answers"][4.1]["answer"]
    request = {"op": "module", "source": source, "class": expected["class"], "args": expected["args"],
               "input": expected["input"]}

    def timed(fn):
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    box = Sandbox()
    mode = box.protections.mode
    warm = [timed(lambda: box.run(request)) for _ in range(runs)]
    ping = [timed(lambda: box.run({"op": "ping"})) for _ in range(runs)]
    box.close()
    cold = [timed(lambda: (lambda b: (b.run(request), b.close()))(Sandbox())) for _ in range(5)]
    print(f"sandbox mode: {mode}")
    print(f"{'path':34} {'n':>3} {'median ms':>10} {'max ms':>8}  target")
    for name, t, target in (("fork a child, no work (baseline)", ping, None),
                            ("module check, warm worker", warm, 150), ("module check, cold sandbox", cold, None)):
        med = statistics.median(t) * 1e3
        mark = "" if target is None else f"< {target} ms {'ok' if med < target else 'MISSED'}"
        print(f"{name:34} {len(t):3} {med:10.1f} {max(t) * 1e3:8.1f}  {mark}")


if __name__ == "__main__":
    main()
