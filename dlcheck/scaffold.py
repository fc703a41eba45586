"""`dlcheck new SET/ID`: a new problem's three files, to fill in (docs/authoring.md).

    <bank>/<set>/<id>.yaml                 the spec: statement, given data, parts
    <bank>/<set>/<id>.py                   the solver: solve(given) -> {part: Reference}
    <bank>/<set>/tests/test_<set>_<id>.py  its test: every automatic part derived, and an
                                           independent check of the value to write

The solver starts empty, so `dlcheck check` fails on the problem ("no reference
derived for answer") until its solve() returns a Reference for every automatic
part; the test fails the same way. Nothing is overwritten."""
from __future__ import annotations

import os
import re
from pathlib import Path

from dlcheck.errors import DlcheckError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "spec.schema.json"


class ScaffoldError(DlcheckError):
    """A name or a place `dlcheck new` cannot use (exit 2)."""


def paths(folder: Path, full_id: str) -> tuple[Path, Path, Path]:
    """The spec, solver and test that `new` writes for SET/ID in the set's `folder`."""
    set_name, qid = split_id(full_id)
    module = re.sub(r"\W", "_", f"{set_name}_{qid}")
    return folder / f"{qid}.yaml", folder / f"{qid}.py", folder / "tests" / f"test_{module}.py"


def split_id(full_id: str) -> tuple[str, str]:
    set_name, slash, qid = full_id.strip().partition("/")
    if not slash:
        raise ScaffoldError(f"expected SET/ID (for example my-course/1a), got {full_id!r}")
    for what, name in (("set", set_name), ("problem id", qid)):
        if not _NAME.fullmatch(name) or name.endswith(".yaml") or name.endswith(".py"):
            raise ScaffoldError(f"{what} {name!r}: use letters, digits, '.', '_' and '-', starting with a "
                                f"letter or digit (no extension)")
    return set_name, qid


def set_folder(bank, full_id: str) -> Path:
    """Where SET/ID goes: the set's own folder when a bank has the set, else a new set in the
    first bank (a course's, with --bank or DLCHECK_PROBLEMS)."""
    set_name, _ = split_id(full_id)
    return bank.set_dir(set_name) if bank.has_set(set_name) else bank.root / set_name


def create(folder: Path, full_id: str) -> list[Path]:
    """Write the three files into the set's `folder`; ScaffoldError when one exists already
    (nothing is written then)."""
    set_name, qid = split_id(full_id)
    spec, solver, test = paths(folder, full_id)
    existing = [p for p in (spec, solver, test) if p.exists()]
    if existing:
        raise ScaffoldError(f"{', '.join(map(str, existing))} already exist{'s' if len(existing) == 1 else ''}; nothing written")
    test.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(spec_text(set_name, qid, spec.parent), encoding="utf-8")
    solver.write_text(solver_text(set_name, qid), encoding="utf-8")
    test.write_text(test_text(set_name, qid), encoding="utf-8")
    return [spec, solver, test]


def spec_text(set_name: str, qid: str, folder: Path) -> str:
    schema = ""
    if SCHEMA.exists():     # editors complete and check the keys (docs/authoring.md)
        schema = f"# yaml-language-server: $schema={Path(os.path.relpath(SCHEMA, folder.resolve())).as_posix()}\n"
    return f"""{schema}# {set_name}/{qid}: fill in the statement, the given data and the parts (docs/authoring.md).
title: "{qid}: a short title"
statement: |
  The question as students read it, with every convention it fixes
  (padding, whether biases count, which way a matrix is laid out).
given:                 # the inputs the solver works from: the only values typed here
  filters: 8
  kernel: 5
  in_channels: 3
conventions: []        # decisions the statement makes for an ambiguous question
parts:
  answer:              # a part name is an identifier; submissions use it
    kind: integer      # number integer vector matrix matrices shape shapes label labels bool bigO mapping expr mexpr arch code text
    prompt: How many parameters does the layer have, biases included?
    rules:             # known mistakes: the solver derives the value each one gives
      no_bias:
        feedback: each filter also has a bias.
"""


def solver_text(set_name: str, qid: str) -> str:
    return f'''"""{set_name} {qid}: the worked solution that derives each part's reference.

solve(given) receives the spec's `given` mapping and returns {{part name: Reference}} for
every automatic part: Reference(value, steps, rules={{rule name: the value that mistake
gives}}). No reference value is typed here; derive it (torch for shapes and counts,
sympy for formulas). Until this returns a Reference for every automatic part,
`dlcheck check` fails on {set_name}/{qid}."""
from dlcheck.reference import Reference  # noqa: F401  (used once solve() is written)


def solve(given):
    # f, k, c = given["filters"], given["kernel"], given["in_channels"]
    # weights = f * k * k * c
    # return {{"answer": Reference(weights + f, [f"weights {{f}}·{{k}}·{{k}}·{{c}} = {{weights}}, biases {{f}}"],
    #                             rules={{"no_bias": weights}})}}
    return {{}}
'''


def test_text(set_name: str, qid: str) -> str:
    return f'''"""Tests of {set_name}/{qid}: written by `dlcheck new`, to fill in."""
from pathlib import Path

from dlcheck.bank import Bank
from dlcheck.reference import references
from dlcheck.selfcheck import underived

BANK = Path(__file__).resolve().parents[2]     # <bank>/{set_name}/tests/this file
PROBLEM = "{set_name}/{qid}"


def derived():
    bank = Bank(BANK)
    problem = bank.problem(PROBLEM)
    return problem, references(problem, bank, use_cache=False)


def test_every_automatic_part_is_derived():
    problem, refs = derived()
    assert not underived(problem, refs)


def test_the_answer_by_an_independent_route():
    """Check the solver's value another way (a formula against a torch count, a closed
    form against a simulation), never against a number copied from the solver."""
    problem, refs = derived()
    given = problem.given
    independent = None         # for example: given["filters"] * (given["kernel"] ** 2 * given["in_channels"] + 1)
    assert independent is not None, "write the independent check of {set_name}/{qid}"
    assert refs["answer"].value == independent
'''
