"""Each answer kind: parse and compare, with property tests that no input
raises and that equal values compare equal however they are written."""

import pytest
from hypothesis import given, settings, strategies as st

from dlcheck import kinds
from dlcheck.spec import PartSpec, Rule
from dlcheck.verdict import CORRECT, INCORRECT, REVIEW, Invalid
from conftest import judge


# -- number ---------------------------------------------------------------
@pytest.mark.parametrize("raw", [0.3775, "0.3775", "37.75%", "151/400", "3.775e-1", "0.378", "0.38"])
def test_number_accepts_forms_and_rounding(raw):
    assert judge("number", 0.3775, raw).verdict == CORRECT


@pytest.mark.parametrize("raw, words", [(0.75, "off by"), (0.7550, "2× too large"), (-0.3775, "wrong sign"),
                                        ("0.4", "off by")])
def test_number_feedback_names_the_gap(raw, words):
    outcome = judge("number", 0.3775, raw)
    assert outcome.verdict == INCORRECT and words in outcome.feedback


def test_number_rounding_needs_two_significant_digits():
    assert judge("number", 0.3775, "0.4").verdict == INCORRECT


def test_number_tolerance_from_the_spec():
    assert judge("number", 100, 103, tolerance={"rel": 0.05}).verdict == CORRECT
    assert judge("number", 100, 106, tolerance={"rel": 0.05}).verdict == INCORRECT


@pytest.mark.parametrize("raw", [True, [1], {"a": 1}, None, float("inf"), float("nan"), 1e301, "1e400", "x"])
def test_number_invalid_inputs(raw):
    assert isinstance(judge("number", 1, raw), Invalid)


def test_sqrt_answers():
    assert judge("number", 10 ** 0.5, "sqrt(10)").verdict == CORRECT


# -- integer --------------------------------------------------------------
@pytest.mark.parametrize("raw", [21024, "21,024", "21024", 21024.0, "3*3*3*32 + 3*3*32*64 + 3*3*64*3"])
def test_integer_forms(raw):
    assert judge("integer", 21024, raw).verdict == CORRECT


def test_integer_is_exact_unless_told():
    assert judge("integer", 21024, 21025).verdict == INCORRECT
    assert judge("integer", 21024, 21025, tolerance={"abs": 1}).verdict == CORRECT
    assert "4× too large" in judge("integer", 16, 64).feedback


def test_integer_refuses_fractions():
    assert "whole number" in judge("integer", 1, 1.5).message
    assert "whole number" in judge("integer", 1, "5/7").message


# -- vector and matrix ----------------------------------------------------
@pytest.mark.parametrize("raw", [[0.8, 0.4], "[0.8, 0.4]", "(4/5, 2/5)", ["4/5", "2/5"], [[0.8], [0.4]], "0.8 0.4"])
def test_vector_forms(raw):
    assert judge("vector", [0.8, 0.4], raw).verdict == CORRECT


def test_vector_feedback():
    assert "4×" in judge("vector", [0.8, 0.4], [3.2, 1.6]).feedback
    assert "reverse" in judge("vector", [0.8, 0.4], [0.4, 0.8]).feedback
    assert "shape" in judge("vector", [0.8, 0.4], [0.8, 0.4, 0]).feedback


M = [[1, 2, 3], [4, 5, 6]]


@pytest.mark.parametrize("raw", [M, "[[1, 2, 3], [4, 5, 6]]", "1 2 3; 4 5 6", [["1", "2", "3"], [4, 5, "6.0"]]])
def test_matrix_forms(raw):
    assert judge("matrix", M, raw).verdict == CORRECT


@pytest.mark.parametrize("raw, words", [
    ([[1, 4], [2, 5], [3, 6]], "transpose"), ([[-1, -2, -3], [-4, -5, -6]], "wrong sign"),
    ([[2, 4, 6], [8, 10, 12]], "2×"), ([[1, 2, 3], [4, 0, 6]], "element (2, 2) is 0, expected 5; 1 of 6"),
    ([[1, 2], [4, 5]], "wrong shape: expected 2×3, got 2×2"),
])
def test_matrix_recognises_mistakes(raw, words):
    outcome = judge("matrix", M, raw)
    assert outcome.verdict == INCORRECT and words in outcome.feedback


def test_square_transpose_recognised():
    assert "transpose" in judge("matrix", [[1, 2], [3, 4]], [[1, 3], [2, 4]]).feedback


@pytest.mark.parametrize("raw", [[[1, 2], [3]], "[[1, 2], [3, 4]", [1, 2], "[]", [[1, [2]]]])
def test_matrix_invalid(raw):
    assert isinstance(judge("matrix", [[1, 2], [3, 4]], raw), Invalid)


# -- shape ----------------------------------------------------------------
@pytest.mark.parametrize("raw", [[28, 28, 8], "28x28x8", "28×28×8", "(28, 28, 8)", "28 x 28 x 8", "28 \\times 28 \\times 8"])
def test_shape_forms(raw):
    assert judge("shape", [28, 28, 8], raw).verdict == CORRECT


def test_shape_feedback():
    assert "another order" in judge("shape", [28, 28, 8], "8x28x28").feedback
    assert "dimensions" in judge("shape", [28, 28, 8], "28x28").feedback
    assert isinstance(judge("shape", [28, 28, 8], "28xAx8"), Invalid)


# -- label and labels -----------------------------------------------------
def test_label_case_spacing_and_aliases():
    spec = {"aliases": {"C5": ["first fully connected layer"]}}
    assert judge("label", "C5", " c5. ", **spec).verdict == CORRECT
    assert judge("label", "C5", "First  fully connected layer", **spec).verdict == CORRECT
    assert judge("label", "C5", "C3", **spec).verdict == INCORRECT


def test_label_choices_are_checked():
    invalid = judge("label", "Green", "Gren", choices=["Red", "Green"])
    assert isinstance(invalid, Invalid) and "Green" in invalid.message


def test_labels_as_sets_with_feedback():
    assert judge("labels", ["a", "c"], "c, a").verdict == CORRECT
    assert judge("labels", ["a", "c"], ["A", "C"]).verdict == CORRECT
    outcome = judge("labels", ["a", "c"], "a and b")
    assert "missing c" in outcome.feedback and "should not include b" in outcome.feedback
    assert judge("labels", ["a", "c"], "c, a", ordered=True).verdict == INCORRECT


# -- bool -----------------------------------------------------------------
@pytest.mark.parametrize("raw, value", [(True, True), ("yes", True), ("False", False), ("no", False), ("T", True)])
def test_bool_forms(raw, value):
    assert judge("bool", value, raw).verdict == CORRECT


def test_bool_invalid():
    assert isinstance(judge("bool", True, "maybe"), Invalid)
    assert isinstance(judge("bool", True, 2), Invalid)


# -- bigO -----------------------------------------------------------------
@pytest.mark.parametrize("raw", ["O(t)", "O(t*d)", "O(td)", "O(t \\cdot d)", "$\\mathcal{O}(t)$", "O(d t + 5)", "linear"])
def test_bigo_constants_and_other_variables_drop(raw):
    assert judge("bigO", "O(t)", raw, variable="t").verdict == CORRECT


@pytest.mark.parametrize("raw, expected", [("O(1)", "O(d)"), ("O(t^2 + t)", "O(t^{2})"), ("O(t log t)", "O(log(t) t)"),
                                           ("O(sqrt(t))", "O(t^0.5)"), ("O(2^t)", "O(2^t + t^3)")])
def test_bigo_equivalences(raw, expected):
    assert judge("bigO", expected, raw, variable="t").verdict == CORRECT


def test_bigo_feedback_and_invalid():
    assert "faster" in judge("bigO", "O(1)", "O(t)", variable="t").feedback
    assert isinstance(judge("bigO", "O(t)", "banana", variable="t"), Invalid)
    assert isinstance(judge("bigO", "O(t)", "O(t", variable="t"), Invalid)


# -- mapping --------------------------------------------------------------
def test_mapping_fields():
    spec = {"fields": ["eta", "beta"]}
    assert judge("mapping", {"eta": 0.1, "beta": 0.9}, {"eta": "1/10", "beta": 0.9}, **spec).verdict == CORRECT
    assert "beta should be 0.9" in judge("mapping", {"eta": 0.1, "beta": 0.9}, {"eta": 0.1, "beta": 0.5}, **spec).feedback
    assert "did you mean 'beta'" in judge("mapping", {}, {"eta": 1, "betta": 1}, **spec).message
    assert "missing field beta" in judge("mapping", {}, {"eta": 1}, **spec).message


def test_mapping_any_of_several():
    options = [{"p": 1, "q": 0}, {"p": 2, "q": 1}]
    assert judge("mapping", options, {"p": 2, "q": 1}).verdict == CORRECT
    assert judge("mapping", options, {"p": 2, "q": 0}).verdict == INCORRECT


# -- review kinds ---------------------------------------------------------
def test_text_is_never_auto_marked_and_reports_flaws():
    spec = {"rubric": ["names stride"], "flaws": []}
    from dlcheck.spec import TextFlaw
    spec["flaws"] = [TextFlaw(r"padding[^.]*increas\w*[^.]*receptive field", "padding does not grow it")]
    outcome = judge("text", None, "Padding increases the receptive field.", **spec)
    assert outcome.verdict == REVIEW and outcome.notes == ["flaw: padding does not grow it"]
    assert outcome.rubric == ["names stride"]


def test_code_without_a_reference_network_goes_to_review():
    assert judge("code", None, "def f(): pass").verdict == REVIEW


# -- properties over every kind -------------------------------------------
ANY_YAML = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
REFERENCES = {"number": 0.5, "integer": 7, "vector": [1, 2], "matrix": [[1, 2], [3, 4]], "shape": [2, 3],
              "shapes": [[2, 3], [4]], "matrices": [[[1, 2], [3, 4]]], "arch": [[3, 5]],
              "label": "a", "labels": ["a", "b"], "bool": True, "bigO": "O(t)", "mapping": {"x": 1},
              "text": None, "expr": None, "mexpr": None, "code": None}


@pytest.mark.parametrize("kind", kinds.NAMES)
@settings(max_examples=60, deadline=None)
@given(raw=ANY_YAML)
def test_no_input_raises(kind, raw):
    part = PartSpec("p", kind, variable="t", rules=[Rule("r", "f")])
    value = kinds.parse(kind, raw, part)
    if not isinstance(value, Invalid):
        outcome = kinds.module(kind).compare(REFERENCES[kind], value, part)
        assert outcome.verdict in ("correct", "incorrect", "partial", "review")
        kinds.show(kind, value)


@given(st.fractions(max_denominator=50).filter(lambda f: abs(f) < 1000))
def test_equal_numbers_compare_equal_however_written(f):
    for raw in (float(f), f"{f.numerator}/{f.denominator}", f"{float(f) * 100!r}%", f"({f.numerator})/({f.denominator})"):
        assert judge("number", float(f), raw).verdict == CORRECT, raw


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=4).flatmap(
    lambda row: st.lists(st.lists(st.integers(-50, 50), min_size=len(row), max_size=len(row)), min_size=1, max_size=4)))
def test_matrices_compare_equal_as_lists_or_text(m):
    text = "; ".join(" ".join(str(x) for x in row) for row in m) + ";"
    assert judge("matrix", m, text).verdict == CORRECT
    assert judge("matrix", m, str(m)).verdict == CORRECT


@given(st.lists(st.integers(1, 512), min_size=1, max_size=4), st.sampled_from(["x", "×", " x ", ", "]))
def test_shapes_compare_equal_however_joined(dims, sep):
    assert judge("shape", dims, sep.join(map(str, dims))).verdict == CORRECT


def test_matrices_and_shapes_kinds():
    assert judge("matrices", [[[1, 2], [3, 4]], [[0]]], [[[1, 2], [3, 4]], [[0]]]).verdict == CORRECT
    assert "matrix 2" in judge("matrices", [[[1, 2], [3, 4]], [[0]]], [[[1, 2], [3, 4]], [[1]]]).feedback
    assert judge("shapes", [[498, 16], [3776]], "498x16; 3776").verdict == CORRECT
    assert "layer 2" in judge("shapes", [[498, 16], [3776]], [[498, 16], [3775]]).feedback


def test_labels_judged_subset_leaves_the_rest_to_review():
    outcome = judge("labels", ["a"], ["a", "d"], judged=["a"])
    assert outcome.verdict == CORRECT and "for the reviewer: d" in outcome.notes[0]
    assert judge("labels", ["a"], ["d"], judged=["a"]).verdict == INCORRECT
