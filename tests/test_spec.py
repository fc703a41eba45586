"""Spec schema: every bundled spec loads; broken specs name file, line and key."""
import pytest

from dlcheck.bank import Bank
from dlcheck.errors import SpecError, UnknownProblem
from dlcheck.spec import load_spec

CATALOG_CSC413 = {
    "1.1.1": ["holds", "proof"], "1.2.1": ["min_norm_solution", "always_min_norm", "counterexample"],
    "2.1.1": ["graph"], "2.1.2": ["forward", "backward"], "2.2.1": ["loss"], "2.2.3": ["eta"],
    "2.3.1": ["l2", "weight_decay"], "2.3.2": ["lambda_tilde"], "3.1": ["padding", "output"],
    "3.2": ["cnn_neurons", "cnn_params", "fcnn_neurons", "fcnn_params"], "3.3": ["factors"],
    "4.1": ["model"], "4.2": ["claims"],
    "4.3": ["weights", "outputs", "connections", "weights_2x", "outputs_2x", "connections_2x"],
    "5.1": ["model"], "5.2": ["claims"], "5.3": ["claims"], "5.4": ["k4", "k5"], "6.1": ["model"], "6.2": ["claims"],
}


def test_csc413_matches_the_catalog(bank):
    ids = [pid.split("/", 1)[1] for pid in bank.problem_ids("csc413-a2")]
    assert sorted(ids) == sorted(CATALOG_CSC413)
    for qid, parts in CATALOG_CSC413.items():  # the catalog's parts, in order; extra parts may follow
        assert list(bank.problem(f"csc413-a2/{qid}").parts)[:len(parts)] == parts, qid


def test_every_spec_loads(bank):
    for pid in bank.all_ids():
        assert bank.problem(pid).statement


def spec_file(tmp_path, text, name="q.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, words", [
    ("title: t\nstatement: s\nparts:\n  a: {kind: nunber}\n", ":4: key 'parts.a.kind': unknown kind 'nunber' (did you mean 'number'?)"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: number, tolerence: {rel: 1}}\n", "unknown key 'parts.a.tolerence' (did you mean 'tolerance'"),
    ("title: t\nparts:\n  a: {kind: number}\n", "missing key 'statement'"),
    ("title: t\nstatement: s\n", "missing key 'parts'"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: number, points: two}\n", "'parts.a.points': expected an integer or a number"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: text, rubric: [a: b]}\n", "quote items"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: number, rules: {r: {credit: 2, feedback: f}}}\n", "from 0 to 1"),
    ("id: other\ntitle: t\nstatement: s\nparts:\n  a: {kind: number}\n", "the file is named 'q'"),
    ("- a\n", "top level is a list"),
    ("title: [\n", "YAML syntax error"),
])
def test_broken_specs_say_where_and_what(tmp_path, text, words):
    with pytest.raises(SpecError) as info:
        load_spec(spec_file(tmp_path, text), "set")
    assert words in str(info.value) and str(tmp_path) in str(info.value)


def test_resolve_ids(bank):
    assert bank.resolve("3.2") == "csc413-a2/3.2"
    assert bank.resolve("3.2", "csc413-a2") == "csc413-a2/3.2"
    with pytest.raises(UnknownProblem, match="did you mean 'csc413-a2/3.2'"):
        bank.resolve("csc413-a2/3.22")
    with pytest.raises(UnknownProblem, match="unknown problem set 'csc413'"):
        bank.resolve("csc413/3.2")


def test_missing_bank_is_a_clear_error(tmp_path):
    with pytest.raises(SpecError, match="problem bank not found"):
        Bank(tmp_path / "nowhere")
