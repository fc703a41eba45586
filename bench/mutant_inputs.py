"""Inputs on which a surviving mutant reads answers differently from the original (after `make mutate`).

    python bench/mutant_inputs.py NAME [NAME ...]        # mutant names as `mutmut results` prints them
    python bench/mutant_inputs.py --survivors [--budget 1500]

For each mutant it reads answer texts twice in one process inside ./mutants/ (mutmut's copy with
every mutant built in): once as the original, once with the mutant switched on (mutmut's
MUTANT_UNDER_TEST, read at each call), and prints up to three texts whose reading differs (FOUND)
or NONE. "Reading" is what a student sees: the value and its note, or the refusal's message, as
number, integer, label, vector, matrix or big-O parts (by the mutant's module), and the verdict and
feedback against a few references. The texts are every string in the tests and the answer corpus
(tests/data/corpus), then random edits of them (words, signs, brackets, numbers inserted, removed,
replaced). FOUND gives a natural test to write; NONE suggests, never proves, an equivalent mutant.
This is how the MATLAB rows `[1, 2; 3, 4]` were found refused (issue 14)."""
from __future__ import annotations

import argparse
import ast
import itertools
import os
import random
import sys
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EDITS = ["apples", "about", "the", "answer", "is", "not", "or", "with", "roughly", "parameters", "layer", "C5",
         "Red", "Green", "n", "t", "O(n)", "O(1)", "(", ")", "[", "]", ",", ";", ":", "=", "≈", ".", "-", "—",
         "1", "2", "0.5", "1/2", "608", "14 838", "3.2M", "1e3", "10^3", "\\frac{1}{2}", "√2", "2 *", "[1, 2]",
         "and", "vs", "either", "(nearest)", "%", "million", " ", "x", "e", "pi", "^", "**", "\\cdot", "{", "}",
         "\\left(", "\\right)", "ᵀ", "^T", "λ", "_", "0", "000", "12,345", "1.234.567", "-3", "+", "*", "/",
         "sqrt(4)", "exp(1)", "log", "n^2", "O(n log n)", "Θ(t)"]
COLOURS = {"choices": ["Red", "Green"]}


def texts() -> list:
    """Every short string in the tests and in the answer corpus."""
    import yaml

    found = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) < 120:
                found.add(node.value)
    for path in (ROOT / "tests" / "data" / "corpus").glob("*.yaml"):
        found.update(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return sorted(found)


def _strings(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str) and len(value) < 120:
        yield value


def edits(text: str, rng: random.Random, count: int):
    """`count` random edits of `text`: a word or sign inserted, removed or replaced."""
    joiner = " " if " " in text else ""
    pieces = text.split(" ") if joiner else list(text)
    for _ in range(count):
        edited, at, roll = list(pieces), rng.randrange(len(pieces) + 1), rng.random()
        if roll < 0.4 or not edited:
            edited.insert(at, rng.choice(EDITS))
        elif roll < 0.7:
            del edited[min(at, len(edited) - 1)]
        else:
            edited[min(at, len(edited) - 1)] = rng.choice(EDITS)
        yield joiner.join(edited)


def readings(module: str, text: str) -> list:
    """What a student would see for `text` in the parts that `module` reads."""
    from conftest import judge, read

    from dlcheck.safemath import MathError, evaluate

    checks = []
    if module == "safemath":
        checks.append(lambda: evaluate(text))
    if module in ("safemath", "_numeric", "_prose"):
        checks += [lambda: read("number", text), lambda: read("integer", text),
                   lambda: judge("number", 608, text), lambda: judge("number", Fraction(1, 3), text, rounding="stated"),
                   lambda: judge("number", 0.5, text, tolerance={"rel": 0.01})]
    if module in ("_prose", "_text"):
        checks += [lambda: read("label", text, **COLOURS), lambda: judge("label", "Red", text, **COLOURS),
                   lambda: read("label", text)]
    if module in ("_array", "_prose"):
        checks += [lambda: read("vector", text), lambda: read("matrix", text), lambda: judge("vector", [1, 2], text),
                   lambda: judge("matrix", [[1, 2], [3, 4]], text)]
    if module == "bigo":
        checks += [lambda: read("bigO", text), lambda: judge("bigO", "O(n)", text),
                   lambda: judge("bigO", "O(t)", text, variable="t")]
    if module == "lexer":
        from dlcheck.mathexpr.lexer import tokenize

        checks.append(lambda: [(t.kind, t.value, t.pos) for t in tokenize(text)])
    out = []
    for check in checks:
        try:
            value = check()
        except MathError as exc:
            out.append(("MathError", str(exc), exc.position))
            continue
        except Exception as exc:  # noqa: BLE001 - a mutant may raise anything: that is a difference too
            out.append((type(exc).__name__, str(exc)[:200]))
            continue
        out.append(tuple(repr(getattr(value, attr, None))[:300]
                         for attr in ("value", "note", "message", "text", "verdict", "feedback", "notes"))
                   + (repr(value)[:300],))
    return out


def module_of(mutant: str) -> str:
    for module in ("safemath", "_numeric", "_prose", "_array", "_text", "bigo", "lexer"):
        if f".{module}." in mutant:
            return module
    raise SystemExit(f"{mutant}: not a mutant of the answer-reading modules")


def differences(mutant: str, candidates, budget: int) -> list:
    module, found = module_of(mutant), []
    for text in itertools.islice(candidates, budget):
        original = _as(None, module, text)
        if _as(mutant, module, text) != original:
            found.append(text)
            if len(found) == 3:
                break
    return sorted(found, key=len)


def _as(mutant, module: str, text: str):
    os.environ["MUTANT_UNDER_TEST"] = mutant or ""
    try:
        return readings(module, text)
    except BaseException as exc:  # noqa: BLE001 - a looping or crashing mutant differs
        return [("crashed", repr(exc))]
    finally:
        os.environ["MUTANT_UNDER_TEST"] = ""


def survivors() -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from mutation_score import scores

    return [name for row in scores(MUTANTS) for name in row["survivors"]]


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mutants", nargs="*")
    parser.add_argument("--survivors", action="store_true", help="every surviving mutant of the last run")
    parser.add_argument("--budget", type=int, default=1500, help="texts tried per mutant")
    options = parser.parse_args(argv)
    if not (MUTANTS / "dlcheck").is_dir():
        print("no ./mutants/: run `make mutate` first", file=sys.stderr)
        return 1
    names = options.mutants + (survivors() if options.survivors else [])
    os.environ["MUTANT_UNDER_TEST"] = ""
    sys.path[:0] = [str(MUTANTS), str(ROOT / "tests")]       # the mutated package, and the tests' helpers
    base = texts()
    rng = random.Random(0)
    for name in names:
        shuffled = rng.sample(base, len(base))
        candidates = itertools.chain(base, (e for text in shuffled for e in edits(text, rng, 3)))
        found = differences(name, candidates, options.budget)
        print(("FOUND " if found else "NONE  ") + name + ("  " + " | ".join(map(repr, found)) if found else ""),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
