"""A synthetic class: N submissions mixing correct, wrong, invalid and hostile
answers, drawn from the bank's own parts and their derived references.

    python bench/synth_class.py OUT_DIR [N] [--parts 40] [--seed 0]

Each submission answers about `parts` non-code parts (full ids, several sets),
each one correct (70%), wrong (20%: the reference moved by a deliberate
mistake) or unreadable (10%). Every 50th file is hostile instead: an alias
bomb, a Python object tag, binary garbage, a 100,000-deep nesting, an
exponent tower, a file over the size limit. Used by tests/test_batch.py and
bench/bench_batch.py."""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SKIP_KINDS = {"code", "arch", "text", "mapping"}        # code runs in the sandbox; text needs a human
HOSTILE = {
    "alias_bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    "python_tag": "set: csc413-a2\nanswers:\n  '3.2': !!python/object/apply:os.system ['echo pwned > /tmp/pwned']\n",
    "binary": "\x00\x01\x02\xff garbage \x7f",
    "deep": "set: csc413-a2\nanswers:\n  '3.2': " + "[" * 100_000 + "]" * 100_000 + "\n",
    "tower": "set: csc413-a2\nanswers:\n  '2.3.2': '2^2^2^2^2^2^2^2^2^2^2^2^2^2^2^2'\n",
    "huge": "set: csc413-a2\nanswers:\n  '3.2': '" + "9" * 3_000_000 + "'\n",
}


def answerable_parts(bank) -> list:
    """(full id, part, kind, reference value, choices) for every automatic non-code part with a reference."""
    from dlcheck import kinds
    from dlcheck.reference import references

    out = []
    for pid in bank.all_ids():
        problem = bank.problem(pid)
        refs = references(problem, bank)
        for name, part in problem.parts.items():
            if part.kind in SKIP_KINDS or not kinds.is_automatic(part.kind) or part.check or name not in refs:
                continue
            out.append((pid, name, part.kind, refs[name].value, list(part.choices)))
    return out


def wrong(kind: str, value, choices: list, rng: random.Random):
    """The reference moved by a plausible mistake."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1 if isinstance(value, int) else round(value * 1.25 + 0.5, 6)
    if isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
        return [value[0] + 1] + value[1:]
    if isinstance(value, str) and choices:
        others = [c for c in choices if c != value]
        return rng.choice(others) if others else value
    if isinstance(value, str) and kind in ("expr", "mexpr"):
        return f"2*({value})"
    return value


def submission(parts: list, count: int, rng: random.Random) -> str:
    chosen = rng.sample(parts, min(count, len(parts)))
    answers = {}
    for pid, name, kind, value, choices in chosen:
        roll = rng.random()
        given = value if roll < 0.7 else wrong(kind, value, choices, rng) if roll < 0.9 else "%% not an answer ]]"
        answers.setdefault(pid, {})[name] = given
    lines = ["answers:"]
    for pid, entry in answers.items():
        lines.append(f"  {json.dumps(pid)}:")
        lines.extend(f"    {name}: {json.dumps(v, ensure_ascii=False)}" for name, v in entry.items())
    return "\n".join(lines) + "\n"


def generate(out_dir: Path, n: int, bank, parts_per: int = 40, seed: int = 0) -> list:
    rng = random.Random(seed)
    parts = answerable_parts(bank)
    out_dir.mkdir(parents=True, exist_ok=True)
    hostile = list(HOSTILE.items())
    paths = []
    for i in range(n):
        path = out_dir / f"student-{i:05d}.yaml"
        if i % 50 == 25:
            name, text = hostile[(i // 50) % len(hostile)]
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
        else:
            path.write_text(submission(parts, parts_per, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list) -> None:
    import argparse

    from dlcheck.bank import Bank

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int, nargs="?", default=100)
    parser.add_argument("--parts", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate(args.out, args.n, Bank(), args.parts, args.seed)
    print(f"wrote {len(paths)} submissions to {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
