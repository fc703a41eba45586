"""The submission loader: keys, forms, and bad input that never stops the rest."""
import pytest

from conftest import verdicts
from dlcheck.errors import SubmissionFileError
from dlcheck.submission import load_submission


def load(write_yaml, bank, text):
    return load_submission(write_yaml(text), bank)


def test_unquoted_numeric_keys_keep_their_text(write_yaml, bank):
    sub = load(write_yaml, bank, """
        set: csc413-a2
        answers:
          3.1: {padding: 1}
          3.2: {cnn_params: 21024}
    """)
    assert [e.problem_id for e in sub.entries] == ["csc413-a2/3.1", "csc413-a2/3.2"]
    assert sub.errors == [] and sub.warnings == []


def test_numeric_key_not_recoverable_as_written_is_taken_with_a_warning(write_yaml, bank):
    sub = load(write_yaml, bank, """
        set: csc413-a2
        answers:
          3.10: {padding: 1}
    """)
    assert [e.problem_id for e in sub.entries] == ["csc413-a2/3.1"]
    assert "read as the number 3.1" in sub.warnings[0].message and sub.warnings[0].line == 4


def test_full_id_keys_ignore_set(write_yaml, bank):
    sub = load(write_yaml, bank, """
        answers:
          csc413-a2/3.2: {cnn_params: 21024}
    """)
    assert sub.entries[0].problem_id == "csc413-a2/3.2" and sub.errors == []


def test_long_form_with_trace_and_critique(write_yaml, bank):
    sub = load(write_yaml, bank, """
        set: csc413-a2
        answers:
          "1.2.1":
            answer: {min_norm_solution: [0.8, 0.4]}
            trace: "w = X^T (X X^T)^{-1} t"
            critique: {verdict: Incorrect, answer: {min_norm_solution: [2, 1]}}
    """)
    entry = sub.entries[0]
    assert entry.parts["min_norm_solution"].value == [0.8, 0.4]
    assert entry.trace.startswith("w = X^T")
    assert entry.critique.verdict == "incorrect"
    assert entry.critique.parts["min_norm_solution"].value == [2, 1]


def test_single_part_problem_takes_bare_value_or_its_part(write_yaml, bank):
    sub = load(write_yaml, bank, """
        set: csc413-a2
        answers:
          "2.3.2": \\frac{\\lambda}{2\\eta}
          "2.1.1": {graph: "a chain of w_k"}
    """)
    assert sub.entries[0].parts["lambda_tilde"].value == "\\frac{\\lambda}{2\\eta}"
    assert sub.entries[1].parts["graph"].value == "a chain of w_k"


def test_unknown_keys_and_parts_name_the_closest(write_yaml, bank):
    sub = load(write_yaml, bank, """
        set: csc413-a2
        answers:
          "9.9.9": 1
          "3.22": {cnn_params: 1}
          3.2: {cnn_param: 21024, fcnn_params: 10063872}
          "3.2": {cnn_params: 1}
    """)
    messages = {e.key: (e.message, e.line) for e in sub.errors}
    assert "unknown problem '9.9.9'" in messages["9.9.9"][0] and messages["9.9.9"][1] == 4
    assert "did you mean '3.2'" in messages["3.22"][0]
    assert "did you mean 'cnn_params'" in messages["csc413-a2/3.2/cnn_param"][0]
    assert "duplicate key" in messages["3.2"][0]
    # the good part of the entry is still there
    assert sub.entries[0].parts["fcnn_params"].value == 10063872


def test_unknown_set_and_top_level_typos(write_yaml, bank):
    sub = load(write_yaml, bank, """
        set: csc413
        autor: me
        answers:
          csc413-a2/3.2: {cnn_params: 21024}
          "3.1": {padding: 1}
    """)
    assert "did you mean 'csc413-a2'" in sub.errors[0].message
    assert "did you mean 'author'" in sub.warnings[0].message
    # a bare id that names one problem in the whole bank is still understood
    assert [e.problem_id for e in sub.entries] == ["csc413-a2/3.2", "csc413-a2/3.1"]


def test_bare_key_without_set_when_unknown(write_yaml, bank):
    sub = load(write_yaml, bank, """
        answers:
          "7.7": 1
    """)
    assert "no valid 'set'" in sub.errors[0].message


@pytest.mark.parametrize("text, words", [
    ("answers: [1, 2", "YAML syntax error"),
    ("- 1\n- 2\n", "top level is a list"),
    ("just text", "top level is a single value"),
    ("", "empty"),
    ("set: csc413-a2\nanwsers: {}\n", "did you mean 'answers'"),
    ("answers: [1, 2]\n", "'answers' must be a mapping"),
])
def test_file_level_faults(write_yaml, bank, text, words):
    with pytest.raises(SubmissionFileError, match=words):
        load_submission(write_yaml(text), bank)


def test_missing_file_and_binary(tmp_path, bank):
    with pytest.raises(SubmissionFileError, match="no such file"):
        load_submission(tmp_path / "nope.yaml", bank)
    (tmp_path / "b.yaml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(SubmissionFileError, match="UTF-8"):
        load_submission(tmp_path / "b.yaml", bank)


def test_alias_bomb_is_refused_per_value(write_yaml, bank):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefg"):
        prev = "abcdefg"[i]
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    text = "set: csc413-a2\nanswers:\n  '3.1':\n    padding: 1\n    output: *g\n"
    sub = load_submission(write_yaml("defs:\n  " + bomb.replace("\n", "\n  ") + "\n" + text), bank)
    assert sub.entries[0].parts["padding"].value == 1
    assert any("too large" in e.message for e in sub.errors)


def test_bad_values_never_stop_other_answers(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          3.2:
            cnn_neurons: 1.0e400
            cnn_params: "10**100000"
            fcnn_neurons: "__import__('os').system('touch /tmp/dlcheck-pwned')"
            fcnn_params: ""
          3.1:
            padding: [1, 2]
            output: {a: 1}
          "1.2.1":
            min_norm_solution: [0.8, 0.4]
            always_min_norm: perhaps
            counterexample: {eta: "exec('1')", beta: 0.9, eps: 0}
    """)
    v = verdicts(report)
    assert v["3.2/cnn_neurons"] == "invalid"
    assert v["3.2/cnn_params"] == "invalid"
    assert v["3.2/fcnn_neurons"] == "invalid"
    assert v["3.2/fcnn_params"] == "missing"
    assert v["3.1/padding"] == "invalid" and v["3.1/output"] == "invalid"
    assert v["1.2.1/min_norm_solution"] == "correct"
    assert v["1.2.1/always_min_norm"] == "invalid"
    assert v["1.2.1/counterexample"] == "invalid"
    import os
    assert not os.path.exists("/tmp/dlcheck-pwned")
