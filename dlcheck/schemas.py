"""JSON Schemas (draft 2020-12) for problem specs and submissions, written from the
loaders' own tables (spec.py's keys, each kind's OPTIONS, the submission's keys), so
an editor checks and completes what dlcheck reads. The files live in docs/schemas/;
`python -m dlcheck.schemas` writes them again, and tests/test_docs.py fails when they
differ from what this module makes.

An editor with the YAML language server uses them through a first line
    # yaml-language-server: $schema=../../docs/schemas/spec.schema.json
The loaders stay the authority (a schema cannot say "a rule's name must be declared
in the solver"); the schemas catch typos and misplaced keys as you type."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dlcheck import kinds, spec, submission

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FOLDER = Path(__file__).resolve().parent.parent / "docs" / "schemas"
IDENTIFIER = "^[A-Za-z_][A-Za-z0-9_]*$"

_TEXTS = {"type": "array", "items": {"type": "string"}}
_FLAWS = {"type": "array", "items": {
    "type": "object", "additionalProperties": False, "required": ["pattern", "feedback"],
    "properties": {"pattern": {"type": "string", "description": "A Python regular expression."},
                   "feedback": {"type": "string"}}}}

# every key a part may carry: its JSON type and what it means (docs/authoring.md says more)
PART_KEYS = {
    "kind": {"enum": list(kinds.NAMES), "description": "The answer kind (dlcheck/kinds/<kind>.py)."},
    "points": {"type": "number", "minimum": 0,
               "description": "Points the part is worth (default 1 for automatic kinds, 0 for text)."},
    "prompt": {"type": "string", "description": "What this part asks, shown by `dlcheck show`."},
    "optional": {"type": "boolean", "description": "No `missing` verdict when it is not answered."},
    "check": {"enum": None, "description": "How the part is judged: by its kind against the derived reference "
                                          "(absent), by the solver's check_<part> (solver), by re-training (claim)."},
    "rules": {"type": "object", "description": "Known mistakes (credit 0) and accepted variants (credit > 0); "
                                               "the solver derives the value each one gives.",
              "propertyNames": {"pattern": IDENTIFIER},
              "additionalProperties": {
                  "type": "object", "additionalProperties": False, "required": ["feedback"],
                  "properties": {
                      "feedback": {"type": "string", "description": "Shown when the answer matches the rule."},
                      "credit": {"type": "number", "minimum": 0, "maximum": 1},
                      "match": {"type": "string", "description": "expr/mexpr: the mistaken expression itself, "
                                                                 "when no solver derives it."},
                      "reveal": {"type": "boolean", "description": "Students may read this feedback."}}}},
    "trace_flaws": {**_FLAWS, "description": "Flawed claims looked for in the answer's working (trace)."},
    "reveal": {"type": "boolean", "description": "Students may see this part's reference (default: the problem's)."},
    "limits": {},                       # filled in by _limits(): the names sandbox/limits.py defines
    # the kinds' own options (kinds/<kind>.py OPTIONS)
    "tolerance": {"type": "object", "additionalProperties": False,
                  "properties": {"rel": {"type": "number", "minimum": 0}, "abs": {"type": "number", "minimum": 0}},
                  "description": "Numeric tolerance (default rel 0.005, abs 1e-9)."},
    "rounding": {"enum": ["", "stated"], "description": "stated: a value right to the figures it is written with "
                                                        "counts (for magnitudes, never for exact counts)."},
    "aliases": {"type": "object", "additionalProperties": _TEXTS,
                "description": "Canonical label -> other words accepted for it."},
    "choices": {**_TEXTS, "description": "The labels an answer may give."},
    "ordered": {"type": "boolean", "description": "labels: the order matters."},
    "judged": {**_TEXTS, "description": "labels: only these choices are decided here; the rest go to review."},
    "variable": {"type": "string", "description": "bigO: the growth variable (default n)."},
    "fields": {**_TEXTS, "description": "mapping: the field names an answer has."},
    "rubric": {**_TEXTS, "description": "text: the reviewer's checklist."},
    "flaws": {**_FLAWS, "description": "text: flawed claims found by a regular expression, with feedback."},
    "lhs": {**_TEXTS, "description": "expr/mexpr: names an answer may begin with (\"eta = ...\")."},
}
_SYMBOL = {"type": "object", "additionalProperties": False, "properties": {
    "shape": {"type": "array", "maxItems": 2, "items": {"type": ["string", "integer"]},
              "description": "[rows] or [rows, cols], sizes or dimension names."},
    "positive": {"type": "boolean"}, "integer": {"type": "boolean"}, "nonzero": {"type": "boolean"}}}


def _limits() -> dict:
    """`limits`: what checking one answer may use (sandbox/limits.py names them)."""
    try:
        from dlcheck.sandbox.limits import Limits
    except ImportError:
        names = ()
    else:
        names = Limits.names()
    return {"type": "object", "additionalProperties": False,
            "properties": {name: {"type": "number", "exclusiveMinimum": 0} for name in names},
            "description": "What checking one answer may use (sandbox/limits.py): a time, memory or process "
                           "limit over the kind's defaults."}


def _check_names() -> list:
    try:
        from dlcheck.checks import NAMES
    except ImportError:
        NAMES = getattr(spec, "CHECKS", ("", "solver", "claim"))
    return list(NAMES)


def spec_schema() -> dict:
    common = sorted(spec.COMMON_KEYS)
    unknown = sorted(set(common) | {o for k in kinds.NAMES for o in kinds.options(k)})
    missing = [k for k in unknown if k not in PART_KEYS]
    if missing:
        raise RuntimeError(f"schemas.PART_KEYS does not describe {missing}: add them")
    part_keys = {k: dict(PART_KEYS[k]) for k in unknown}
    if "limits" in part_keys:
        part_keys["limits"] = _limits()
    part_keys["check"]["enum"] = _check_names()
    per_kind = [{"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                 "then": {"propertyNames": {"enum": sorted(set(common) | set(kinds.options(kind)))}}}
                for kind in kinds.NAMES]
    top = {
        "id": {"type": ["string", "number"], "description": "The problem id; must be the file's name."},
        "title": {"type": "string"},
        "statement": {"type": "string", "description": "The question with every convention it fixes."},
        "given": {"type": "object", "description": "The inputs the solver works from (solve(given))."},
        "conventions": {"type": "array", "description": "Decisions the statement makes, listed by `dlcheck show`."},
        "parts": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": IDENTIFIER},
                  "additionalProperties": {"$ref": "#/$defs/part"}},
        "symbols": {"type": "object", "additionalProperties": {"$ref": "#/$defs/symbol"},
                    "description": "expr/mexpr: the symbols answers may use, their shapes and assumptions."},
        "aliases": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "Names that stand for an expression (a: X w0 - t)."},
        "dims": {"type": "object", "additionalProperties": {
            "type": "array", "prefixItems": [{"type": "integer", "minimum": 1, "maximum": 64}] * 2,
            "minItems": 2, "maxItems": 2}, "description": "Dimension name -> [low, high] sizes sampled."},
        "trace": {"type": "object", "additionalProperties": False, "properties": {
            "symbols": {"type": "object", "additionalProperties": {"$ref": "#/$defs/symbol"}},
            "answers": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "A name in the working -> the part whose answer it states."}}},
        "reveal": {"type": "boolean", "description": "Students may see every part's reference."},
    }
    missing = sorted(set(spec.TOP_KEYS) - set(top))
    if missing:
        raise RuntimeError(f"schemas.spec_schema does not describe the top-level keys {missing}: add them")
    return {
        "$schema": DRAFT,
        "title": "dlcheck problem spec (problems/<set>/<id>.yaml)",
        "type": "object", "additionalProperties": False, "required": ["title", "statement", "parts"],
        "properties": {k: top[k] for k in sorted(spec.TOP_KEYS)},
        "$defs": {
            "part": {"type": "object", "required": ["kind"], "properties": part_keys, "allOf": per_kind},
            "symbol": _SYMBOL,
        },
    }


def submission_schema() -> dict:
    critique = {"oneOf": [
        {"enum": list(submission.CRITIQUE_VERDICTS)},
        {"type": "object", "additionalProperties": False, "properties": {
            "verdict": {"enum": list(submission.CRITIQUE_VERDICTS)},
            "answer": {"description": "The reviewer's own answer: a value or a part mapping."}}}]}
    long_keys = sorted(submission.LONG_FORM_KEYS | set(submission.LONG_FORM_ALIASES))
    return {
        "$schema": DRAFT,
        "title": "dlcheck submission (docs/submission-format.md)",
        "type": "object", "required": ["answers"], "additionalProperties": False,
        "properties": {
            "set": {"type": "string", "description": "The problem set the keys below are relative to."},
            "author": {"type": ["string", "number"], "description": "A free label shown in reports."},
            "answers": {"type": "object", "description": "Problem id (or set/id) -> answer.",
                        "propertyNames": {"minLength": 1},
                        "additionalProperties": {"$ref": "#/$defs/answer"}},
        },
        "$defs": {
            "answer": {
                "description": "A bare value (single-part problem), a mapping part -> value, or the long "
                               "form with answer, trace and critique.",
                "if": {"type": "object", "anyOf": [{"required": [k]} for k in long_keys if k != "answer"]},
                "then": {"$ref": "#/$defs/long_form"},
            },
            "long_form": {"type": "object", "additionalProperties": False, "properties": {
                "answer": {"description": "The value, or a mapping part -> value."},
                "trace": {"type": "string", "description": "The working that produced the answer (markdown)."},
                "working": {"type": "string", "description": "Read as trace."},
                "critique": {"$ref": "#/$defs/critique"},
                "source": {"type": "object", "additionalProperties": False, "required": ["line"],
                           "properties": {"file": {"type": "string"}, "line": {"type": "integer", "minimum": 1}},
                           "description": "The write-up line of the trace's first line (dlcheck import)."}}},
            "critique": critique,
        },
    }


SCHEMAS = {"spec.schema.json": spec_schema, "submission.schema.json": submission_schema}


def text(make) -> str:
    return json.dumps(make(), indent=2, ensure_ascii=False) + "\n"


def main(folder: Path = FOLDER) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in SCHEMAS.items():
        (folder / name).write_text(text(make), encoding="utf-8")
        sys.stdout.write(f"wrote {folder / name}\n")


if __name__ == "__main__":
    main()
