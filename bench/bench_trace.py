"""Trace audit (issue: step-by-step checking of working).

1. Time to audit every trace of answers/csc413-a2/chatgpt-reviewed.yaml, cold
   (no memo: every step decided) and warm (the memoised audit), with steps per
   second; baseline in the same run: extracting the steps only.
2. Precision and recall of "wrong" over the labelled table tests/data/trace_steps.py.
3. `dlcheck import` round trip over the seeds' write-ups (../shared/seeds when
   present): sections mapped, parts with an extracted answer, and how many of
   those get the same verdict as the hand transcription in answers/.
4. Issue 15's benchmark: seeded mutants of the 50 independent sound traces
   (tests/tracebench.py: each confirmed wrong by a reader of its own), and the
   37 hand-flawed ones, scored like ProcessBench (the earliest WRONG step's
   line must be the first wrong line; a sound trace must get no WRONG step):
   F1, precision and recall of "flawed", exact line, undecided share and time
   per trace, per problem and per operator, then where the audit fails.
   `python bench/bench_trace.py --benchmark [--seed N] [--per-op N]` runs only this."""
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


def independent_benchmark(bank, seed: int = 15, per_op: int = 3):
    import tracebench as tb

    traces = tb.load_independent()
    start = time.perf_counter()
    mutants, tally = tb.make_mutants(traces, seed=seed, per_op=per_op)
    made = time.perf_counter() - start
    sound = [t for t in traces if t.sound]
    hand = [t for t in traces if not t.sound]
    print(f"\nissue 15 benchmark: {len(sound)} sound and {len(hand)} hand-flawed independent traces; "
          f"{len(mutants)} mutants of the sound ones (seed {seed}, up to {per_op} per trace and operator), "
          f"made and confirmed in {made:.1f} s")
    _mutant_counts(tb, mutants, tally)
    start = time.perf_counter()
    predictions = tb.run_audit(traces + mutants, bank)
    print(f"audited {len(predictions)} traces in {time.perf_counter() - start:.1f} s (references included)")
    by_id = {p.trace.id: p for p in predictions}
    p_sound = [by_id[t.id] for t in sound]
    p_hand = [by_id[t.id] for t in hand]
    p_mut = [by_id[m.id] for m in mutants]
    print("\nScoring: on a flawed trace the audit is right when its earliest WRONG step sits on the first wrong")
    print("line; on a sound trace when no step is WRONG. F1 = harmonic mean of the two rates (ProcessBench).")
    print("prec = precision of 'the trace is flawed' on this pool; prec(bal) = the same with as many sound as")
    print("flawed traces; exact|flag = right line among flagged flawed traces; undecided = share of all steps.")
    print("Lines: StepCheck.line is 1-based within the trace, but a row inside a display is reported where its")
    print("text starts in the audit's scan (the `$$` / `\\[` line, or the row before after a `\\\\`); the")
    print("scores use the row's own line (tracebench.aligned_line); 'raw' rows use the line as reported.\n")
    problems = sorted({t.problem for t in traces})
    print(tb.table([("all mutants", tb.metrics(p_sound + p_mut)),
                    ("all mutants, raw lines", tb.metrics(p_sound + p_mut, raw=True)),
                    ("37 hand-flawed", tb.metrics(p_sound + p_hand)),
                    ("37 hand-flawed, raw lines", tb.metrics(p_sound + p_hand, raw=True))], "pool (+ the 50 sound)"))
    print()
    print(tb.table([(op, tb.metrics(p_sound + [p for p in p_mut if p.trace.op == op])) for op in tb.OPERATORS],
                   "mutants by operator"))
    print()
    print(tb.table([(pid, tb.metrics([p for p in p_sound + p_mut if p.trace.problem == pid])) for pid in problems],
                   "mutants by problem"))
    print()
    print(tb.table([(pid, tb.metrics([p for p in p_sound + p_hand if p.trace.problem == pid])) for pid in problems
                    if any(t.problem == pid for t in hand)], "hand-flawed by problem"))
    print("\nOn the flawed traces: exact line / WRONG before the first wrong line (a false alarm) / WRONG only")
    print("later (a consequence caught) / no WRONG step; and what the audit said on the wrong line itself.")
    rows = [("all mutants", tb.breakdown(p_mut)), ("37 hand-flawed", tb.breakdown(p_hand))]
    rows += [(op, tb.breakdown([p for p in p_mut if p.trace.op == op])) for op in tb.OPERATORS]
    keys = list(rows[0][1])
    width = max(len(r[0]) for r in rows) + 2
    print("".ljust(width) + "".join(f"{k:>15}" for k in keys))
    for label, counts in rows:
        print(label.ljust(width) + "".join(f"{counts[k]:>15d}" for k in keys))
    kept = [p for p in p_mut if p.trace.answer_kept]
    carried = [p for p in p_mut if not p.trace.answer_kept]
    print(f"\nmutants whose final line is the sound one (right answer, flawed working): {len(kept)}, "
          f"F1 {tb.metrics(p_sound + kept)['f1']:.2f}; with the error carried into the final line: {len(carried)}, "
          f"F1 {tb.metrics(p_sound + carried)['f1']:.2f}")
    print("\nWhere the audit fails (mutants, hand-flawed and sound traces together; one example each):")
    for kind, count, example in tb.failures(p_sound + p_hand + p_mut)[:14]:
        line = example.line if example.trace.sound or tb.outcome(example) == "earlier" else example.trace.wrong_line
        print(f"  {count:4d}  {kind}\n        {example.trace.id} line {line}: "
              f"{example.trace.lines[line - 1].strip()[:110]}")


def _mutant_counts(tb, mutants, tally):
    ops = tb.OPERATORS
    problems = sorted({m.problem for m in mutants} | {p for _, p in tally.kept})
    short = {op: op.replace("_", " ")[:9] for op in ops}
    width = max(len(p) for p in problems) + 2
    print("mutants per problem and operator (kept = confirmed wrong):")
    print("".ljust(width) + "".join(f"{short[op]:>10}" for op in ops) + f"{'total':>8}")
    for pid in problems:
        cells = [tally.kept.get((op, pid), 0) for op in ops]
        print(pid.ljust(width) + "".join(f"{c:>10d}" for c in cells) + f"{sum(cells):>8d}")
    totals = [sum(tally.kept.get((op, pid), 0) for pid in problems) for op in ops]
    print("kept".ljust(width) + "".join(f"{c:>10d}" for c in totals) + f"{sum(totals):>8d}")
    dropped = [sum(n for (o, _), n in tally.discarded.items() if o == op) for op in ops]
    print("discarded".ljust(width) + "".join(f"{c:>10d}" for c in dropped) + f"{sum(dropped):>8d}")
    kinds = ("strong", "weak", "shape")
    print("confirmed wrong: " + ", ".join(f"{k} {sum(1 for m in mutants if m.confirmed == k)}" for k in kinds)
          + " (strong: the reader checks the original relation true and the mutated one false; weak: the mutated"
          " side differs from the original at every random draw and is equated with a claim; shape: it no longer"
          " type-checks)")
    reasons: dict = {}
    for (_, reason), n in tally.discarded.items():
        reasons[reason] = reasons.get(reason, 0) + n
    print("discarded candidates (tried before enough were kept), by reason: "
          + "; ".join(f"{r} {n}" for r, n in sorted(reasons.items(), key=lambda x: -x[1])))


def main():
    args = sys.argv[1:]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 15
    per_op = int(args[args.index("--per-op") + 1]) if "--per-op" in args else 3
    bank = Bank()
    if "--benchmark" not in args:
        timing(bank)
        precision_recall(bank)
        round_trip(bank)
    independent_benchmark(bank, seed, per_op)


if __name__ == "__main__":
    main()
