"""Trace audit (issue: step-by-step checking of working).

1. Time to audit every trace of answers/csc413-a2/chatgpt-reviewed.yaml, cold
   (no memo: every step decided) and warm (the memoised audit), with steps per
   second; baseline in the same run: extracting the steps only.
2. Precision and recall of "wrong" over the labelled table tests/data/trace_steps.py.
3. `dlcheck import` round trip over the seeds' write-ups (../shared/seeds when
   present): sections mapped, parts with an extracted answer, and how many of
   those get the same verdict as the hand transcription in answers/."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ["DLCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="dlcheck-bench-trace-")

from data.trace_steps import STEPS  # noqa: E402

from dlcheck.bank import Bank  # noqa: E402
from dlcheck.grade import Grader  # noqa: E402
from dlcheck.reference import references, working_values  # noqa: E402
from dlcheck.submission import load_submission  # noqa: E402
from dlcheck.trace import audit_trace  # noqa: E402
from dlcheck.trace.extract import extract  # noqa: E402
from dlcheck.trace.importer import import_writeup, to_yaml  # noqa: E402

SEEDS = {"000": ("csc413-a2", "chatgpt-reviewed"), "001": ("csc413-a2", "student"),
         "002": ("islr-cnn-hw", "student"), "003": ("convnets-hw3", "student"),
         "004": ("dl-principles", "student")}


def audit_all(bank, entries, use_memo: bool):
    steps = 0
    for entry in entries:
        problem = bank.problem(entry.problem_id)
        refs = references(problem, bank)
        if use_memo:
            steps += len(Grader(bank)._audit_working(problem, entry, refs, []).steps)
        else:
            steps += len(audit_trace(problem, entry.trace, refs,
                                     simulate=lambda s, p=problem: working_values(p, bank, s)).steps)
    return steps


def timing(bank):
    submission = load_submission(ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml", bank)
    entries = [e for e in submission.entries if e.trace]
    for e in entries:
        references(bank.problem(e.problem_id), bank)       # references are not what is measured
    audit_all(bank, entries, use_memo=False)                # imports (sympy, mpmath, torch) once
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        steps = audit_all(bank, entries, use_memo=False)
        runs.append(time.perf_counter() - start)
    extract_runs = []
    for _ in range(5):
        start = time.perf_counter()
        for e in entries:
            extract(e.trace)
        extract_runs.append(time.perf_counter() - start)
    audit_all(bank, entries, use_memo=True)
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        audit_all(bank, entries, use_memo=True)
        warm.append(time.perf_counter() - start)
    cold = statistics.median(runs)
    print(f"audit of {len(entries)} traces ({steps} steps) in chatgpt-reviewed.yaml:")
    print(f"  every step decided: median {cold * 1000:.0f} ms ({steps / cold:.0f} steps/s)")
    print(f"  memoised (a warm grade): median {statistics.median(warm) * 1000:.1f} ms")
    print(f"  baseline, extraction only: median {statistics.median(extract_runs) * 1000:.2f} ms "
          f"(audit/extract = {cold / statistics.median(extract_runs):.0f}×)")


def precision_recall(bank):
    tp = fp = fn = decided = 0
    for pid, text, label in STEPS:
        problem = bank.problem(pid)
        steps = audit_trace(problem, text, references(problem, bank),
                            simulate=lambda s, p=problem: working_values(p, bank, s)).steps
        status = steps[-1].status if steps else "none"
        decided += status in ("ok", "wrong")
        if status == "wrong":
            tp, fp = (tp + 1, fp) if label == "wrong" else (tp, fp + 1)
        elif label == "wrong":
            fn += 1
    wrong = tp + fn
    print(f"labelled steps: {len(STEPS)} ({wrong} wrong, {len(STEPS) - wrong} sound); "
          f"precision {tp / max(tp + fp, 1):.2f}, recall {tp / max(wrong, 1):.2f}, "
          f"decided (ok or wrong) {decided}/{len(STEPS)}")


def round_trip(bank):
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        print("import round trip: ../shared/seeds not found; skipped")
        return
    print("import round trip (seed -> dlcheck import -> grade, against the hand transcription):")
    for seed, (set_name, hand) in SEEDS.items():
        path = next(seeds.glob(f"{seed}_*.txt"))
        start = time.perf_counter()
        imported = import_writeup(path.read_text(encoding="utf-8"), set_name, bank)
        elapsed = time.perf_counter() - start
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as fh:
            fh.write(to_yaml(imported, path.name))
        report = Grader(bank).grade(load_submission(fh.name, bank))
        hand_report = Grader(bank).grade(load_submission(ROOT / f"answers/{set_name}/{hand}.yaml", bank))
        hand_verdicts = {(r.problem, r.part): r.verdict for r in hand_report.results}
        extracted = [r for r in report.results if r.verdict != "missing"]
        same = sum(1 for r in extracted if hand_verdicts.get((r.problem, r.part)) == r.verdict)
        hand_ids = {r.problem for r in hand_report.results if r.verdict != "missing"}
        mapped = {f"{set_name}/{s.problem}" for s in imported.mapped}
        print(f"  seed {seed} ({set_name}): {len(imported.mapped)} sections mapped "
              f"({len(mapped & hand_ids)}/{len(hand_ids)} of the hand-transcribed problems), "
              f"{len(imported.unmapped)} unmapped; {len(extracted)} answers extracted, "
              f"{same} with the hand transcription's verdict; {len(report.traces)} traces audited, "
              f"{sum(1 for t in report.traces if t.earliest_wrong)} with a wrong step; split in {elapsed * 1000:.1f} ms")
        os.unlink(fh.name)


def main():
    bank = Bank()
    timing(bank)
    precision_recall(bank)
    round_trip(bank)


if __name__ == "__main__":
    main()
