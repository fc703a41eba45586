"""Reading answers as people write them (issue 14): digit grouping, LaTeX numbers
and matrices, control characters from double-quoted YAML, words around a value
(one rule for every kind), big-O prose, Keras shapes, k×k kernels, numbers as
people round them, and the exact boundaries of rounding and tolerances.

Inputs here are our own, not copied from tests/data/corpus."""
import math
import subprocess
import sys
import textwrap
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from dlcheck import kinds
from dlcheck.errors import SpecError
from dlcheck.safemath import MathError, evaluate
from dlcheck.spec import PartSpec, load_spec
from dlcheck.verdict import CORRECT, INCORRECT, PARTIAL, Invalid
from conftest import read, judge


def refused(result, *words):
    assert isinstance(result, Invalid), result
    for word in words:
        assert word in result.message, result.message
    return True


# -- digit grouping ---------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("47 103", 47103), ("2 097 152", 2097152), ("2\u2009097\u2009152", 2097152), ("65\u202f536", 65536),
    ("65\u00a0536", 65536), ("1 234.5", Fraction("1234.5")), ("3 * 1 024", 3072), ("2,048 + 1,024", 3072),
    ("4\\,096", 4096), ("8{,}192", 8192),
])
def test_spaces_and_commas_group_thousands(text, value):
    assert evaluate(text) == value


@pytest.mark.parametrize("text", ["7 45", "12 3", "1 2", "4 5.5", "100 20", "2 .5"])
def test_two_numbers_side_by_side_are_never_multiplied(text):
    with pytest.raises(MathError, match="side by side"):
        evaluate(text)


def test_a_spaced_pair_is_invalid_with_the_reason_not_a_product():
    assert refused(judge("integer", 315, "7 45"), "side by side", "21 024")
    assert refused(judge("number", 6, "2 3"), "side by side")


def test_dot_groups_of_three_are_thousands_and_say_so():
    value = read("integer", "2.097.152")
    assert value.value == 2097152 and "group thousands" in value.note
    assert read("number", "2.097").value == Fraction("2.097")      # one group: a decimal point
    with pytest.raises(MathError, match="more than one decimal point"):
        evaluate("3.14.15")
    assert refused(read("integer", "2.09.7152"), "decimal point")


def test_a_string_inside_a_list_is_one_number():
    assert judge("vector", [1024, 2048, 4096, 0], ["1,024", "2 048", "4\u2009096", "0"]).verdict == CORRECT
    assert judge("vector", [1024, 2048], "1,024, 2,048").verdict == CORRECT     # commas with a space split
    assert judge("vector", [1, 2, 3], "1,2,3").verdict == CORRECT
    assert refused(read("vector", ["1, 2", "3"]), "','")


# -- LaTeX and unicode numbers -----------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("\\frac{3}{8}", 0.375), ("\\frac38", 0.375), ("\\dfrac{5}{2}", 2.5), ("\\tfrac{1}{3}", 1 / 3),
    ("\\sqrt{7}", math.sqrt(7)), ("\\sqrt7", math.sqrt(7)), ("√3", math.sqrt(3)), ("2√3", 2 * math.sqrt(3)),
    ("exp(1.5)", math.exp(1.5)), ("e^{-1}", math.exp(-1)), ("\\exp(2)", math.exp(2)), ("¾", 0.75),
    ("\\frac{2}{1 + e^{-0.25}}", 2 / (1 + math.exp(-0.25))), ("\\left(3 + 1\\right) \\cdot 2", 8),
    ("3 \\times 10^{4}", 30000), ("\\sqrt[3]{27}", 3), ("10⁻²", 0.01), ("\\mathrm{e}^{2}", math.exp(2)),
])
def test_latex_and_unicode_in_numbers(text, value):
    assert float(evaluate(text)) == pytest.approx(value)


def test_latex_numbers_refuse_what_they_cannot_read():
    with pytest.raises(MathError, match="unsupported LaTeX command \\\\alpha"):
        evaluate("\\frac{\\alpha}{2}")
    with pytest.raises(MathError, match="mixed number"):
        evaluate("2½")


def test_latex_matrices():
    m = [[3, -1], [0, 7]]
    for raw in ("\\begin{bmatrix} 3 & -1 \\\\ 0 & 7 \\end{bmatrix}", "\\begin{pmatrix}3&-1\\\\0&7\\end{pmatrix}",
                "\\left[\\begin{array}{cc} 3 & -1 \\\\ 0 & 7 \\end{array}\\right]",
                "\\frac{1}{2}\\begin{bmatrix} 6 & -2 \\\\ 0 & 14 \\end{bmatrix}", "2 * [[1.5, -0.5], [0, 3.5]]",
                "\\begin{bmatrix} 3 & 0 \\\\ -1 & 7 \\end{bmatrix}^T", "[[3, 0], [-1, 7]]^\\top",
                "\\begin{bmatrix} \\frac{6}{2} & -\\sqrt{1} \\\\ 0 & 7 \\end{bmatrix}"):
        assert judge("matrix", m, raw).verdict == CORRECT, raw
    assert refused(read("matrix", "\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}"), "determinant")


def test_latex_vectors_and_a_transposed_row():
    v = [0.6, 0.2]
    for raw in ("\\begin{bmatrix} 3/5 \\\\ 1/5 \\end{bmatrix}", "\\left[\\frac{3}{5}, \\frac{1}{5}\\right]^T",
                "[0.6, 0.2]ᵀ", "\\left(0.6, 0.2\\right)^{\\top}", "\\begin{pmatrix} 0.6 & 0.2 \\end{pmatrix}^T"):
        assert judge("vector", v, raw).verdict == CORRECT, raw
    assert judge("vector", [1, math.sqrt(2), 0.25], ["1", "\\sqrt{2}", "¼"]).verdict == CORRECT
    assert judge("vector", [1, math.sqrt(2)], ["1", "√2"]).verdict == CORRECT


def test_matrices_of_latex_strings():
    got = ["\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}", [[0, 1], [1, 0]]]
    assert judge("matrices", [[[1, 0], [0, 1]], [[0, 1], [1, 0]]], got).verdict == CORRECT


def test_entries_left_empty_are_not_given_and_the_rest_judged():
    outcome = judge("matrix", [[1, 2], [3, 4]], [[1, 2], [3, None]])
    assert outcome.verdict == INCORRECT
    assert "not given" in outcome.feedback and "given ones are right" in outcome.feedback
    outcome = judge("matrix", [[1, 2], [3, 4]], [[1, 5], [None, 4]])
    assert outcome.verdict == INCORRECT and "element (1, 2) is 5" in outcome.feedback


# -- LaTeX in double-quoted YAML ------------------------------------------------
@pytest.mark.parametrize("kind, raw, what", [
    ("number", "\x0crac{1}{3}", "\\f became a form feed"),
    ("expr", "\x0crac{1}{2}\x1bta", "\\f became a form feed"),
    ("mexpr", "X^\top a", "\\t became a tab"),
    ("vector", ["1", "\x0crac{1}{2}"], "form feed"),
    ("label", "\x07lpha", "\\a became a bell"),
    ("bigO", "O(\x08eta)", "\\b became a backspace"),
    ("expr", "\\lambda / (2\\eta) \right)", "\\r became a carriage return"),
])
def test_control_characters_say_double_quoted_latex(kind, raw, what):
    assert refused(read(kind, raw), "double-quoted YAML string", what, "single quotes or a block scalar")


def test_tabs_and_line_breaks_alone_are_text():
    assert judge("matrix", [[1, 2], [3, 4]], "1\t2\n3\t4".replace("\n", ";")).verdict == CORRECT
    assert not isinstance(read("code", "def f():\n\treturn 1\n"), Invalid)


@pytest.mark.parametrize("kind, expected, raw", [
    ("matrix", [[1, 2], [3, 4]], "[1, 2; 3, 4]"),        # MATLAB's rows, with commas ...
    ("matrix", [[1, 2], [3, 4]], "[1,2;3,4]"),
    ("matrix", [[1, 2], [3, 4]], "[1 2; 3 4]"),          # ... or spaces
    ("matrix", [[1, 2], [3, 4]], "[1, 2; 3, 4;]"),       # a closing semicolon, as MATLAB allows
    ("matrix", [[1, 2], [3, 4]], "1 2; 3 4;"),
    ("vector", [0.8, 0.4], "[0.8; 0.4]"),                # a column
])
def test_matlab_rows_are_read(kind, expected, raw):
    assert judge(kind, expected, raw).verdict == CORRECT


@pytest.mark.parametrize("raw, expected", [
    ("(1/2)[1, 2]", [0.5, 1]),                   # a bracketed scalar in front
    ("(0.5) * [1, 2]", [0.5, 1]),
    ("-[0.8, 0.4]", [-0.8, -0.4]),               # a minus in front
    ("−[0.8, 0.4]", [-0.8, -0.4]),
    (r"-\begin{bmatrix}1 & 2\end{bmatrix}", [-1, -2]),
])
def test_a_scalar_or_a_sign_in_front_of_a_vector(raw, expected):
    assert judge("vector", expected, raw).verdict == CORRECT


def test_a_difference_hidden_by_rounding_is_shown_in_full():
    outcome = judge("vector", [0.25, 0.5], [0.2500001, 0.5], tolerance={"rel": 0})
    assert outcome.feedback == "element 1 is 0.2500001, expected 0.25; 1 of 2 elements differ"


@pytest.mark.parametrize("kind, expected, raw", [          # what numpy and torch print, pasted
    ("vector", [0.8, 0.4], "array([0.8, 0.4])"),
    ("vector", [0.8, 0.4], "np.array([0.8, 0.4])"),
    ("vector", [0.8, 0.4], "tensor([0.8000, 0.4000])"),
    ("vector", [0.8, 0.4], "tensor([0.8000, 0.4000], dtype=torch.float64, requires_grad=True)"),
    ("vector", [0.8, 0.4], "[0.8 0.4]"),
    ("matrix", [[1, 2], [3, 4]], "array([[1, 2],\n       [3, 4]])"),
    ("matrix", [[1, 2], [3, 4]], "tensor([[1., 2.],\n        [3., 4.]])"),
    ("matrix", [[1, 2], [3, 4]], "[[1 2]\n [3 4]]"),                # numpy's print: no commas
    ("matrix", [[1, 3], [2, 4]], "[1 2; 3 4]'"),                      # MATLAB's transpose
    ("number", 608, "tensor(608)"),
    ("number", 0.5, "np.float64(0.5)"),
    ("number", 0.5, "tensor(0.5000, grad_fn=<MeanBackward0>)"),
    ("shape", [1, 32, 16, 16], "torch.Size([1, 32, 16, 16])"),
])
def test_printed_numpy_and_torch_values_are_read(kind, expected, raw):
    assert judge(kind, expected, raw).verdict == CORRECT


@pytest.mark.parametrize("kind, expected, raw", [
    ("vector", [0.8, 0.4], "tensor([0.8000, 0.5000])"),
    ("matrix", [[1, 2], [3, 4]], "[[1 2]\n [4 3]]"),
    ("integer", 608, "tensor(609)"),
    ("shape", [1, 32, 16, 16], "torch.Size([32, 16, 16])"),
])
def test_printed_wrong_values_stay_wrong(kind, expected, raw):
    assert judge(kind, expected, raw).verdict == INCORRECT


# found by an independent probe (a helper who had not read the code pasting answers as students do)
P_PASS = 0.3775406687981454          # islr p3: σ(−6 + 0.05·40 + 3.5)


@pytest.mark.parametrize("kind, expected, raw, spec", [
    ("number", P_PASS, "$P \\approx 0.3775$", {}),                 # LaTeX's \approx, as ≈ already was
    ("number", P_PASS, "\\approx 0.3775", {}),
    ("number", P_PASS, "0.3775 \\approx 37.75\\%", {}),
    ("number", P_PASS, "0.3775 (37.75%)", {}),                   # a percentage restating the value
    ("number", 50, "$h = 50$", {}),                               # dollars around a name and a value
    ("number", 50, "50 \\text{ hours}", {}),
    ("vector", [3, 2, 10 ** 0.5, 5 ** 0.5, 2 ** 0.5, 3 ** 0.5],
     "$\\mathbf{d} = (3, 2, \\sqrt{10}, \\sqrt{5}, \\sqrt{2}, \\sqrt{3})$", {}),
    ("integer", 1115684864, "$1.1157 \\times 10^{9}$", {"rounding": "stated"}),   # figures of a × 10^k
    ("integer", 1115684864, "≈ 1.116 × 10⁹", {"rounding": "stated"}),
    ("integer", 354418688, "3.544*10^8", {"rounding": "stated"}),
    ("matrices", [[[1, 1], [1, 1]]] * 2, "[[[1, 1], [1, 1]], [[1, 1], [1, 1]]]", {}),   # a list of matrices as text
])
def test_notations_a_stranger_pasted_are_read(kind, expected, raw, spec):
    assert judge(kind, expected, raw, **spec).verdict == CORRECT


def test_a_bracketed_percentage_is_a_restatement_never_a_factor():
    assert read("number", "0.3775 (47.75%)").message == "the value in brackets differs: 47.75% is 0.4775, not 0.3775"
    assert read("number", "2 (3)").value == 6 and read("number", "2(3%)").value == Fraction(6, 100)   # still factors
    outcome = judge("integer", 1115684864, "1.2 \\times 10^{9}", rounding="stated")
    assert (outcome.verdict, outcome.feedback) == (INCORRECT, "1.2 \\times 10^{9} is off by 7.56%: 1115684864 to 2 "
                                                              "significant figures is 1.1e9")


@pytest.mark.parametrize("raw", ["1 2;; 3 4", "[1, 2;; 3, 4]", "; 3", ";"])
def test_an_empty_row_is_refused_not_dropped(raw):
    assert "an empty row" in read("matrix", raw).message
    assert "an empty row" in read("vector", "; 3 reruns").message     # no 1×1 matrix out of a lone number


# -- words around values: one rule for every kind -----------------------------------
@pytest.mark.parametrize("kind, expected, raw, shown", [
    ("vector", [0.6, 0.2], "The answer is 0.6, 0.2", "[0.6, 0.2]"),
    ("vector", [0.6, 0.2], "w_1 = (0.6, 0.2)", "[0.6, 0.2]"),
    ("number", 0.6225, "Q ≈ 0.6225", "0.6225"),
    ("integer", 1792, "= 1,792 weights", "1792"),
    ("number", 75, "75 minutes", "75"),
    ("integer", 3, "3 epochs", "3"),
    ("integer", 3, "degree 3", "3"),
    ("number", 17, "N2 = 17", "17"),
    ("integer", 2359296, "Total parameters: 2,359,296", "2359296"),
    ("integer", 3, "3 (two hidden layers and the output)", "3"),
    ("integer", 600, "100 + 200 + 300 = 600", "600"),
    ("integer", 168, "6·(3·3·3 + 1) = 168", "168"),
    ("number", 0.5, "p = 2/4 = 0.5", "0.5"),
    ("label", "Red", "Y = Red", "Red"),
    ("label", "Red", "Red (closest is observation 2, distance 2)", "Red"),
    ("bool", False, "No: the gradients of every hidden unit stay equal", "false"),
    ("bool", True, "Yes, because nothing breaks the symmetry", "true"),
    ("bigO", "O(t)", "O(t) (not O(1))", "O(t)"),
    ("bigO", "O(1)", "O(1) (vs O(t) without checkpointing)", "O(1)"),
])
def test_a_value_among_words_is_read_with_a_note(kind, expected, raw, shown):
    spec = {"choices": ["Red", "Green"]} if kind == "label" else {"variable": "t"} if kind == "bigO" else {}
    outcome = judge(kind, expected, raw, **spec)
    assert outcome.verdict == CORRECT, outcome
    assert any(note.startswith(f"read as {shown} from ") for note in outcome.notes), outcome.notes


@pytest.mark.parametrize("kind, raw, spec", [
    ("number", "0.2 or 0.3", {}), ("integer", "2 or 3 layers", {}), ("bigO", "O(t) or O(t^2)", {"variable": "t"}),
    ("bigO", "O(1) vs O(t)", {"variable": "t"}), ("label", "Red or Green", {"choices": ["Red", "Green"]}),
    ("bool", "yes or no", {}), ("vector", "[1, 2] or [2, 1]", {}),
])
def test_two_values_are_never_correct(kind, raw, spec):
    assert refused(read(kind, raw, **spec), "states two values", "write only the value")


def test_one_value_written_two_ways_is_one_value():
    assert judge("number", 0.25, "0.25 or 1/4").verdict == CORRECT


def test_sides_that_differ_are_invalid_saying_so():
    assert refused(read("integer", "100 + 200 = 400"), "the two sides differ", "is 300, not 400")
    assert refused(read("integer", "1000 + 2248 = 3000"), "the two sides differ")   # trailing zeros: no rounding
    assert read("number", "\\frac{3}{7} = 0.43").value == Fraction("0.43")          # decimals: rounded, one value
    assert read("integer", "112·112·128 = 1.6M").value == 1_600_000


@pytest.mark.parametrize("kind, raw, spec", [
    ("label", "not Green", {"choices": ["Red", "Green"]}), ("bool", "not true", {}),
    ("number", "between 0.2 and 0.4", {}), ("integer", "2 layers, 3 units", {}),
    ("label", "Green, Red", {"choices": ["Red", "Green"]}),
])
def test_unclear_prose_is_invalid_write_only_the_value(kind, raw, spec):
    assert refused(read(kind, raw, **spec), "write only the value")


def test_free_labels_follow_the_same_rule():
    aliases = {"F6": ["the fully connected layer"]}
    for raw in ("layer F6", "F6 (84 units, fully connected)", "The fully connected layer with 84 sigmoid units"):
        outcome = judge("label", "F6", raw, aliases=aliases)
        assert outcome.verdict == CORRECT and outcome.notes[0].startswith("read as F6"), raw
    assert judge("label", "F6", "layer S4", aliases=aliases).verdict == INCORRECT
    assert refused(read("label", "F6 or S4", aliases=aliases), "states two values")


def test_choices_in_parentheses_and_labelled_sequences():
    assert judge("labels", ["c"], "(c)", choices=list("abcd")).verdict == CORRECT
    assert judge("labels", ["c"], ["(c)"], choices=list("abcd")).verdict == CORRECT
    want = ["B", "BA", "BAD"]
    for raw in ("B BA BAD", "Nearest-1: B, Nearest-2: BA, Nearest-3: BAD"):
        assert judge("labels", want, raw, ordered=True).verdict == CORRECT, raw
    assert judge("labels", want, "B BAD BA", ordered=True).verdict == INCORRECT
    assert refused(read("labels", "a or b", choices=list("abcd")), "states two values")


# -- big-O: words are never factors -----------------------------------------------
@pytest.mark.parametrize("raw", ["O(t) or O(1)", "O(size of the input)", "O(t) (or O(1) with checkpointing)",
                                 "O(t steps)"])
def test_bigo_words_are_not_factors(raw):
    assert isinstance(read("bigO", raw, variable="t"), Invalid)


def test_bigo_script_o_and_products_of_letters():
    assert judge("bigO", "O(t)", "𝒪(t)", variable="t").verdict == CORRECT
    assert judge("bigO", "O(t)", "O(tn)", variable="t").verdict == CORRECT
    assert judge("bigO", "O(t log t)", "O(tlogt)", variable="t").verdict == CORRECT


# -- shapes and kernels --------------------------------------------------------------
def test_keras_batch_dimension_is_dropped_with_a_note():
    outcome = judge("shape", [30, 8], "(None, 30, 8)")
    assert outcome.verdict == CORRECT and "batch dimension" in outcome.notes[0]
    assert judge("shape", [30, 8], [None, 30, 8]).verdict == CORRECT
    outcome = judge("shapes", [[30, 8], [240]], ["(None, 30, 8)", "(None, 240)"])
    assert outcome.verdict == CORRECT and len(outcome.notes) == 1
    assert isinstance(read("shape", "(30, None, 8)"), Invalid)


def test_kernels_written_k_by_k_in_lists():
    assert read("arch", [["5x5"], ["3×3", "3x3"], ["conv3", 3, "1"]]) == [[5], [3, 3], [3, 3, 1]]
    assert refused(read("arch", [["5x3"]]), "not square")
    assert refused(read("arch", "5x3, 3x3"), "not square")


# -- numbers as people round them -------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("7k", 7000), ("2.5 thousand", 2500), ("4.2 bn", 4_200_000_000), ("1.5 lakh", 150000), ("2 crore", 20_000_000),
    ("6.4M", 6_400_000), ("0.5 Million", 500000), ("12K", 12000),
])
def test_multiplier_words(text, value):
    assert evaluate(text) == value


def test_rounded_values_need_the_part_to_allow_rounding():
    outcome = judge("integer", 6_422_528, "6.42M")
    assert outcome.verdict == INCORRECT and "rounded to 3 significant figures" in outcome.feedback
    assert "exact value" in outcome.feedback
    outcome = judge("integer", 6_422_528, "6.42M", rounding="stated")
    assert outcome.verdict == CORRECT and "rounded" in outcome.feedback


def test_wrongly_rounded_says_by_how_much_and_what_it_should_be():
    outcome = judge("integer", 6_462_528, "6.45M", rounding="stated")
    assert outcome.verdict == INCORRECT and "off by 0.19%" in outcome.feedback and "6.46M" in outcome.feedback
    outcome = judge("integer", 1_115_684_864, "1.11 billion", rounding="stated")   # truncated, not rounded
    assert outcome.verdict == INCORRECT and "1.12 billion" in outcome.feedback


def test_one_figure_is_partial_two_are_correct_trailing_zeros_count_to_two():
    for raw in ("6M", "6 million"):
        coarse = judge("integer", 6_422_528, raw, rounding="stated")
        assert coarse.verdict == PARTIAL and coarse.credit == 0.5 and "too coarse" in coarse.feedback, raw
    rounded = judge("integer", 6_422_528, "6.4M", rounding="stated")
    assert rounded.verdict == CORRECT and "rounded" in rounded.feedback
    assert judge("integer", 401_408, "401K", rounding="stated").verdict == CORRECT
    assert judge("integer", 401_408, "400K", rounding="stated").verdict == CORRECT     # 4.0 × 10⁵: 2 figures
    assert judge("integer", 406_000, "400K", rounding="stated").verdict == INCORRECT


def test_rounded_vectors():
    got = ["6.42M", "1.61M", "401K", 4096]
    assert judge("vector", [6_422_528, 1_605_632, 401_408, 4096], got, rounding="stated",
                 tolerance={"rel": 0}).verdict == CORRECT
    outcome = judge("vector", [6_422_528, 1_605_632], ["6M", "1.61M"], rounding="stated", tolerance={"rel": 0})
    assert outcome.verdict == PARTIAL and "element 1" in outcome.feedback    # one figure: too coarse
    assert judge("vector", [6_422_528], ["6.5M"], rounding="stated", tolerance={"rel": 0}).verdict == INCORRECT


# -- boundaries: half a step in, just out ---------------------------------------------
@pytest.mark.parametrize("expected, raw, verdict", [
    (1_235_000, "1.24M", CORRECT), (1_235_000, "1.23M", CORRECT),        # exactly half a unit (0.005M) away
    (1_235_001, "1.23M", INCORRECT), (1_234_999, "1.24M", INCORRECT),    # just beyond it
    (1_245_000, "1.23M", INCORRECT),                                     # a unit and a half: never
    (1_250_000, "1.3M", CORRECT), (1_250_001, "1.2M", INCORRECT),        # the same edge at 2 figures
    (1_500_000, "2M", PARTIAL), (1_500_001, "1M", INCORRECT),            # and at 1 figure: right but too coarse
])
def test_stated_rounding_boundary(expected, raw, verdict):
    assert judge("integer", expected, raw, rounding="stated").verdict == verdict


@pytest.mark.parametrize("expected, raw, verdict", [
    (0.125, "0.13", CORRECT), (0.135, "0.13", CORRECT),     # half a step (0.005) either side
    (0.1249, "0.13", INCORRECT), (0.1351, "0.13", INCORRECT),  # just out
    (0.11, "0.13", INCORRECT),                                # two steps: far out
])
def test_decimals_rounding_boundary(expected, raw, verdict):
    assert judge("number", expected, raw, tolerance={"rel": 0}).verdict == verdict


@pytest.mark.parametrize("expected, got, tolerance, verdict", [
    (200, 202, {"rel": 0.01}, CORRECT), (200, 202.001, {"rel": 0.01}, INCORRECT),
    (200, 198, {"rel": 0.01}, CORRECT), (200, 197.999, {"rel": 0.01}, INCORRECT),
    (1, 1.5, {"abs": 0.5}, CORRECT), (1, 1.5001, {"abs": 0.5}, INCORRECT),
])
def test_tolerance_boundary(expected, got, tolerance, verdict):
    assert judge("number", expected, got, tolerance=tolerance).verdict == verdict


def test_integer_tolerance_and_vector_tolerance_boundaries():
    assert judge("integer", 21024, 21025, tolerance={"abs": 1}).verdict == CORRECT
    assert judge("integer", 21024, 21026, tolerance={"abs": 1}).verdict == INCORRECT
    assert judge("vector", [100, 10], [100.5, 10], tolerance={"rel": 0.005}).verdict == CORRECT
    assert judge("vector", [100, 10], [100.51, 10], tolerance={"rel": 0.005}).verdict == INCORRECT


# -- the spec option ---------------------------------------------------------------------
def _spec(tmp_path, part: str):
    path = tmp_path / "q.yaml"
    path.write_text(textwrap.dedent(f"""\
        title: t
        statement: s
        parts:
          {part}
        """), encoding="utf-8")
    return path


def test_rounding_option_is_validated_with_its_line(tmp_path):
    spec = load_spec(_spec(tmp_path, "n: {kind: integer, rounding: stated}"), "s")
    assert spec.parts["n"].rounding == "stated"
    with pytest.raises(SpecError, match=r"q.yaml:4: key 'parts.n.rounding': expected 'stated'"):
        load_spec(_spec(tmp_path, "n: {kind: integer, rounding: nearest}"), "s")
    with pytest.raises(SpecError, match=r"q.yaml:4: key 'parts.n.rounding': not an option of a label part; label parts take .*choices"):
        load_spec(_spec(tmp_path, "n: {kind: label, rounding: stated}"), "s")


def test_bundled_parts_that_allow_rounding(bank):
    p10a, p10b = bank.problem("islr-cnn-hw/p10a"), bank.problem("islr-cnn-hw/p10b")
    assert p10a.parts["activations"].rounding == "stated"
    assert p10a.parts["params"].rounding == p10a.parts["total_params"].rounding == ""
    assert p10b.parts["naive_ops"].rounding == p10b.parts["reduction_ops"].rounding == "stated"


# -- safety ------------------------------------------------------------------------------
PROSE = st.lists(st.sampled_from(["0.5", "2", "=", "≈", "(", ")", "or", "not", "Red", "Green", ":", ",", "yes",
                                  "O(t)", "\\frac{1}{2}", "[1, 2]", "M", "layer", "1 024", "ᵀ", " ", "no", "vs"]),
                 max_size=12).map(" ".join)


@pytest.mark.parametrize("kind", ["number", "integer", "vector", "label", "labels", "bool", "bigO", "shape"])
@settings(max_examples=80, deadline=None)
@given(raw=PROSE)
def test_reading_prose_never_raises(kind, raw):
    part = PartSpec("p", kind, variable="t", choices=["Red", "Green"] if kind == "label" else [])
    value = kinds.parse(kind, raw, part)
    if not isinstance(value, Invalid):
        kinds.show(kind, value)


def test_reading_numbers_and_latex_imports_neither_sympy_nor_torch():
    code = ("import sys; from dlcheck import kinds; from dlcheck.spec import PartSpec\n"
            "for kind, raw in [('number', '\\\\frac{1}{1+e^{0.5}}'), ('integer', '= 608 parameters'),\n"
            "                  ('matrix', '\\\\begin{bmatrix} 1 & 2 \\\\\\\\ 3 & 4 \\\\end{bmatrix}'),\n"
            "                  ('bool', 'No: x')]:\n"
            "    assert not hasattr(kinds.parse(kind, raw, PartSpec('p', kind)), 'message')\n"
            "print(sorted(m for m in ('sympy', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_one_rule_for_words_around_labels_in_the_bank(bank):
    """islr p2 (colours) and p6 (LeNet's layers) read prose the same way: a known label among
    words is read with a note, words around no label are invalid, never `incorrect`."""
    for pid, part, readable, expected, unreadable in [
            ("islr-cnn-hw/p2", "k1", "Y = Red (observation 2 is nearest)", "red", "Y = purple-ish"),
            ("islr-cnn-hw/p6", "largest_layer", "layer S4", "s4", "the 120-unit convolution")]:
        spec = bank.problem(pid).parts[part]
        value = kinds.parse("label", readable, spec)
        assert value == expected and value.note.startswith("read as"), (pid, value)
        assert refused(kinds.parse("label", unreadable, spec), "write only the value")
