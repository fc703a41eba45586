"""Hostile input (issue 13): a bad value costs its own part, never the file; a
duplicate key is reported; special files are refused before they are read; a long
write-up imports in linear time; an answer cannot shrink max_score."""
import json
import os
import threading

import pytest

from conftest import verdicts
from dlcheck.errors import SubmissionFileError, WriteupFileError
from dlcheck.grade import Grader
from dlcheck.submission import load_submission
from dlcheck.trace import importer
from dlcheck.trace.importer import MAX_SECTION, MAX_WRITEUP_BYTES, import_writeup, read_writeup, to_yaml

pytestmark = pytest.mark.hostile

# a bad value on line 4 (padding), a good answer on line 5
TEMPLATE = "set: csc413-a2\nanswers:\n  '3.1':\n    padding: {value}\n  '3.2': {{cnn_params: 21024}}\n"


def grade_text(write_yaml, bank, text):
    submission = load_submission(write_yaml(text), bank)
    return submission, Grader(bank).grade(submission)


def assert_one_part_lost(write_yaml, bank, value, words, line=4):
    submission, report = grade_text(write_yaml, bank, TEMPLATE.format(value=value))
    v = verdicts(report)
    assert v["3.1/padding"] == "invalid" and v["3.2/cnn_params"] == "correct"
    padding = next(r for r in report.results if r.part == "padding")
    assert words in padding.feedback and padding.line == line
    assert [(e.key, e.line) for e in submission.errors] == [("csc413-a2/3.1/padding", line)]


@pytest.mark.parametrize("value", ["9" * 4301, "0x" + "f" * 4000, "1" + ":59" * 3000],
                         ids=["decimal", "hex", "sexagesimal"])
def test_an_integer_over_4300_digits_costs_one_part(write_yaml, bank, value):
    assert_one_part_lost(write_yaml, bank, value, "over 4,300 digits")


def test_a_huge_integer_inside_a_critique_costs_that_part(write_yaml, bank):
    submission, report = grade_text(write_yaml, bank, (
        "set: csc413-a2\nanswers:\n  '1.2.1':\n    answer: {min_norm_solution: [0.8, 0.4]}\n"
        f"    critique: {{verdict: incorrect, answer: {{min_norm_solution: [{'9' * 5000}, 1]}}}}\n"))
    assert verdicts(report)["1.2.1/min_norm_solution"] == "correct"
    assert [e.line for e in submission.errors] == [5] and "4,300 digits" in submission.errors[0].message
    assert report.critiques and report.critiques[0].problem == "csc413-a2/1.2.1"


@pytest.mark.parametrize("value, words", [
    ("!!python/object/apply:os.system ['touch /tmp/dlcheck-pwned-yaml']", "unknown YAML tag !!python/object"),
    ("!!int abc", "as !!int"),
    ("!!timestamp 2020-13-45", "month must be in 1..12"),
    ("2020-13-45", "as !!timestamp"),           # resolved as a date without any tag
    ("!foo bar", "unknown YAML tag !foo"),
    ("!!bool maybe", "as !!bool"),
])
def test_a_bad_or_unknown_tag_costs_one_part(write_yaml, bank, value, words):
    assert_one_part_lost(write_yaml, bank, value, words)
    assert not os.path.exists("/tmp/dlcheck-pwned-yaml")


def test_block_nesting_costs_one_part_and_deeper_the_file_with_its_line(write_yaml, bank):
    deep_value = "\n      " + "- " * 250 + "1"          # 500 bytes, 250 levels: PyYAML's constructor overflowed
    assert_one_part_lost(write_yaml, bank, deep_value, "nested more than 100 levels", line=5)
    flow = "[" * 150 + "1" + "]" * 150                  # flow nesting, once refused with the whole file
    assert_one_part_lost(write_yaml, bank, flow, "nested more than 100 levels")
    with pytest.raises(SubmissionFileError, match=r"submission.yaml:5: nested more than 300 levels"):
        grade_text(write_yaml, bank, TEMPLATE.format(value="\n      " + "- " * 450 + "1"))


def test_a_duplicate_key_inside_an_answer_is_reported_and_the_first_graded(write_yaml, bank):
    sub = load_submission(write_yaml(
        "set: csc413-a2\n"
        "answers:\n"
        "  '2.2.3': {eta: 'n/2', eta: '2'}\n"                                        # line 3
        "  '1.2.1':\n"
        "    counterexample: {eta: 0.1, beta: 0.9, eta: 0.5, eps: 0}\n"               # line 5
        "    min_norm_solution: [0.8, 0.4]\n"
        "  '3.1':\n"
        "    answer: {padding: 1}\n"
        "    answer: {padding: 2}\n"                                                 # line 9
        "    critique: {verdict: correct, verdict: incorrect}\n"), bank)              # line 10
    parts = {e.problem_id.split("/")[1]: e for e in sub.entries}
    assert parts["2.2.3"].parts["eta"].value == "n/2"
    assert parts["1.2.1"].parts["counterexample"].value == {"eta": 0.1, "beta": 0.9, "eps": 0}
    assert parts["3.1"].parts["padding"].value == 1 and parts["3.1"].critique.verdict == "correct"
    found = sorted((e.line, e.message.split(" (")[0]) for e in sub.errors)
    assert found == [(3, "duplicate key 'eta'"), (5, "duplicate key 'eta'"), (9, "duplicate key 'answer'"),
                     (10, "duplicate key 'verdict'")]
    assert all("the first is graded" in e.message for e in sub.errors)


def refuses_without_hanging(read, path, words):
    """`read(path)` must raise at once with `words`: on a FIFO the old reader blocked in open()."""
    outcome = {}

    def run():
        try:
            read(path)
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():               # blocked: give it a writer that closes at once, so it ends
        with open(path, "wb"):
            pass
        worker.join(30)
        pytest.fail(f"reading {path} blocked")
    assert words in str(outcome.get("error")), outcome


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_special_files_are_refused_before_they_are_read(tmp_path, bank):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    refuses_without_hanging(lambda p: load_submission(p, bank), fifo, "is a FIFO (named pipe), not a regular file")
    refuses_without_hanging(read_writeup, fifo, "is a FIFO (named pipe), not a regular file")
    # /dev/null reads as empty and /dev/zero never ends: a device is refused by its type
    refuses_without_hanging(lambda p: load_submission(p, bank), "/dev/null", "is a character device")
    refuses_without_hanging(read_writeup, "/dev/null", "is a character device")
    refuses_without_hanging(read_writeup, tmp_path, "is a directory")


def test_a_writeup_over_the_size_limit_is_refused(tmp_path, bank):
    big = tmp_path / "writeup.md"
    with open(big, "wb") as out:
        out.truncate(MAX_WRITEUP_BYTES + 1)     # sparse: no 8 MB written
    with pytest.raises(WriteupFileError, match=r"bytes; the limit is"):
        read_writeup(big)
    with pytest.raises(WriteupFileError, match=r"characters; the limit is"):
        import_writeup("x" * (MAX_WRITEUP_BYTES + 1), "csc413-a2", bank)


def test_a_two_megabyte_writeup_is_split_and_kept(bank, monkeypatch):
    """Each section's text used to grow by `+=` on an attribute, copying it every line
    (19.6 s for 2 MB without headings, 178 s for 5 MB); now lines are joined once. The
    characters stored into sections' text are counted: linear, not quadratic, in the input."""
    stored = []

    class Counted(importer.Section):
        def __setattr__(self, name, value):
            if name == "text":
                stored.append(len(value))
            super().__setattr__(name, value)

    monkeypatch.setattr(importer, "Section", Counted)
    line = "Some working, $w_1 = [0.1, 0.2]$, and more text to fill the line.\n"
    body = line * (1_050_000 // len(line))
    text = "Preamble before any heading.\n" + body + "## 2.2.3\n$$\\eta = 1/2$$\n" + body + "## 3-1\nthe end\n"
    assert len(text) > 2_000_000
    imported = import_writeup(text, "csc413-a2", bank)
    assert sum(stored) < 2 * len(text)
    assert [(s.problem, s.line) for s in imported.sections] == [
        (None, 1), ("2.2.3", body.count("\n") + 2), ("3.1", 2 * body.count("\n") + 4)]
    first, eta, last = imported.sections
    assert len(first.text) == len(eta.text) == MAX_SECTION and eta.text.startswith("$$\\eta = 1/2$$\n")
    assert last.text == "the end"
    assert "trace: |2-" in to_yaml(imported, "writeup.md")


def test_an_undecidable_answer_cannot_shrink_max_score(grade_yaml, refs, bank):
    """`9^9^9^9` made the automatic expr/mexpr parts `review`, out of max_score."""
    parts = {pid: [name for name, part in bank.problem(pid).parts.items() if part.kind in ("expr", "mexpr")]
             for pid in bank.problem_ids("csc413-a2")}
    parts = {pid: names for pid, names in parts.items() if names}

    def submission(answer):
        return "set: csc413-a2\nanswers:\n" + "".join(
            f"  '{pid.split('/')[1]}':\n" + "".join(f"    {name}: {json.dumps(answer(pid, name))}\n" for name in names)
            for pid, names in parts.items())

    correct = grade_yaml(submission(lambda pid, name: refs(pid)[name].value))
    towers = grade_yaml(submission(lambda pid, name: "9^9^9^9"))
    assert towers.max_score == correct.max_score and towers.score == 0
    hostile = [r for r in towers.results if r.kind in ("expr", "mexpr")]
    assert len(hostile) == sum(map(len, parts.values())) >= 8
    assert all(r.verdict in ("invalid", "incorrect", "timeout") and r.max_score == 1 for r in hostile)
    assert any("exponent" in r.feedback for r in hostile if r.verdict == "invalid")


def test_a_matrix_expression_dividing_by_zero_is_invalid(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          '2.2.3': {eta: 1/0}
    """)
    eta = next(r for r in report.results if r.part == "eta")
    assert eta.verdict == "invalid" and "division by zero" in eta.feedback and eta.max_score == 1
