"""Tests that pin what mutation testing found unpinned in the answer-reading code (issue 14).

`make mutate` runs mutmut over safemath, kinds/_numeric, _prose, _array, _text, bigo and
mathexpr/lexer; every mutant that survived the other tests is killed by a test here (or
in test_reading.py / test_safemath.py) or explained in tests/data/mutmut_survivors.md.
Each test states behaviour a student or grader sees: a value read, a verdict, a message,
or an exact boundary; the mutant names are in the table, not here."""
import math
from fractions import Fraction

import pytest

from dlcheck import kinds
from dlcheck.kinds import bigo
from dlcheck.kinds._text import normalise
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.lexer import canonical_name, tokenize
from dlcheck.safemath import MAX_LENGTH, MathError, evaluate
from dlcheck.verdict import CORRECT, INCORRECT, Invalid
from conftest import read, judge


def message(result) -> str:
    assert isinstance(result, Invalid), result
    return result.message


# -- labels (kinds/_text.py) -------------------------------------------------------------
COLOURS = {"choices": ["Red", "Green"]}


@pytest.mark.parametrize("raw", ["`Red`", "$Red$", '"Red"', "'Red.'", "  red  ", "RED."])
def test_quotes_case_and_a_full_stop_around_a_label_do_not_matter(raw):
    assert judge("label", "Red", raw, **COLOURS).verdict == CORRECT


def test_normalise_keeps_letters_at_the_ends():
    assert normalise("MAX") == "max" and normalise("Xavier") == "xavier"
    assert normalise(' "Leaky  ReLU." ') == "leaky relu"


@pytest.mark.parametrize("raw, text", [
    ("Gren", "write only the value ('Gren' is not one of the choices: Red, Green; closest: Green)"),
    ("Blue", "write only the value ('Blue' is not one of the choices: Red, Green)"),
    (True, "expected a label (text), got bool"),
    (["Red"], "expected a label (text), got list"),
    ("  ", "empty label"), ('""', "empty label"),
    ("x" * 201, "label longer than 200 characters"),
])
def test_label_refusals_say_why(raw, text):
    assert message(read("label", raw, **COLOURS)) == text


def test_every_close_choice_is_named():
    outcome = read("label", "Gren", choices=["Red", "Green", "Grey"])
    assert message(outcome) == ("write only the value ('Gren' is not one of the choices: Red, Green, Grey; "
                                "closest: Green, Grey)")


def test_a_label_of_exactly_the_limit_is_read():
    assert read("label", "x" * 200) == "x" * 200
    assert message(read("label", "x" * 201)) == "label longer than 200 characters"


def test_a_free_label_that_is_not_plain_says_so():
    assert message(read("label", "(x")) == "'(x' is not a plain label"
    assert message(read("label", "x [y")) == "'x [y' is not a plain label"


def test_a_known_label_on_the_left_of_equals_is_a_value_not_a_name():
    """"F6 = S4": F6 is a label the part knows, so this states two labels that differ."""
    outcome = read("label", "F6 = S4", aliases={"F6": ["the fully connected layer"]})
    assert message(outcome) == "the two sides differ: F6 is F6, not S4"


# -- big-O (kinds/bigo.py) ---------------------------------------------------------------
T = {"variable": "t"}
E = 2.718281828459045


@pytest.mark.parametrize("raw, growth, shown", [
    ("O(log t)", (1, 0, 1), "O(log t)"),
    ("O(t log t)", (1, 1, 1), "O(t log t)"),
    ("O((log t)^2)", (1, 0, 2), "O((log t)^2)"),
    ("O(t/log t)", (1, 1, -1), "O(t/log t) = O(t (log t)^-1)"),
    ("O(ln t)", (1, 0, 1), "O(ln t) = O(log t)"),
    ("O(lg t)", (1, 0, 1), "O(lg t) = O(log t)"),
    ("O(\\log t)", (1, 0, 1), "O(\\log t) = O(log t)"),
    ("O(log(2^t))", (1, 1, 0), "O(log(2^t)) = O(t)"),
    ("O(log(5))", (1, 0, 0), "O(log(5)) = O(1)"),
    ("O(2^t)", (2, 0, 0), "O(2^t)"),
    ("O(2^(t))", (2, 0, 0), "O(2^(t)) = O(2^t)"),
    ("O(1.5^t)", (1.5, 0, 0), "O(1.5^t)"),
    ("O(t 2^t)", (2, 1, 0), "O(t 2^t) = O(2^t t)"),
    ("O(exp(t))", (E, 0, 0), "O(exp(t)) = O(2.71828^t)"),
    ("O(exp(1))", (1, 0, 0), "O(exp(1)) = O(1)"),
    ("O(sqrt(t))", (1, Fraction(1, 2), 0), "O(sqrt(t))"),
    ("O(t^{1.5})", (1, Fraction(3, 2), 0), "O(t^{1.5}) = O(t^3/2)"),
    ("O(1/t)", (1, -1, 0), "O(1/t) = O(t^-1)"),
    ("O(t/d)", (1, 1, 0), "O(t/d) = O(t)"),
    ("O(t·d)", (1, 1, 0), "O(t·d) = O(t)"),
    ("O(t×d)", (1, 1, 0), "O(t×d) = O(t)"),
    ("O(t \\cdot d)", (1, 1, 0), "O(t \\cdot d) = O(t)"),
    ("O(t**2)", (1, 2, 0), "O(t**2) = O(t^2)"),
    ("O(t^(2))", (1, 2, 0), "O(t^(2)) = O(t^2)"),
    ("O(t^2 d)", (1, 2, 0), "O(t^2 d) = O(t^2)"),
    ("O(t^(2) d)", (1, 2, 0), "O(t^(2) d) = O(t^2)"),
    ("O(t^2 - t)", (1, 2, 0), "O(t^2 - t) = O(t^2)"),
    ("O(tlogd)", (1, 1, 0), "O(tlogd) = O(t)"),          # t·log d: a function name inside a run of letters
    ("O(ttdd)", (1, 2, 0), "O(ttdd) = O(t^2)"),          # t·t·d·d: four letters, but symbols
    ("O(linear)", (1, 1, 0), "O(linear) = O(t)"),
    ("(t)", (1, 1, 0), "(t) = O(t)"),
])
def test_bigo_growth_and_how_it_is_shown(raw, growth, shown):
    value = read("bigO", raw, **T)
    assert not isinstance(value, Invalid), value
    assert value.growth == bigo.Growth(growth[0], Fraction(growth[1]), Fraction(growth[2]))
    assert bigo.show(value) == shown
    assert kinds.show("bigO", value) == shown


@pytest.mark.parametrize("raw, text", [
    ("O(t", "expected one big-O such as \"O(t)\", got 'O(t'"),
    ("O(t)X", "expected one big-O such as \"O(t)\", got 'O(t)X'"),
    ("t" * 70, f"write only the value (expected one big-O such as \"O(t)\", got {'t' * 60!r})"),
    ("O(size)", "write only the value ('size' is a word, not a factor: write only the growth, e.g. O(t))"),
    ("O(Size)", "write only the value ('Size' is a word, not a factor: write only the growth, e.g. O(t))"),
    ("O(\\Big( t \\Big))", "write only the value (unsupported LaTeX command \\Big in a big-O expression)"),
    ("O(t^t)", "only numeric powers, or a number to the power of the variable, are supported"),
    ("O(t +)", "unexpected ')' in a big-O expression"),
    ("O(t % 1234567890 + t)", "cannot read '  % 123456' in a big-O expression"),
    (5, "expected big-O text such as \"O(t)\""),
    ("O(" + "t" * 398 + ")", "expected big-O text such as \"O(t)\""),      # 401 characters: refused at once
])
def test_bigo_refusals_say_why(raw, text):
    assert message(read("bigO", raw, **T)) == text


def test_bigo_length_limits_are_exact():
    at_limit = "O(" + "t+" * 98 + "t)"          # 200 characters: read
    assert len(at_limit) == 200 and read("bigO", at_limit, **T).growth == bigo.Growth(power=Fraction(1))
    over = "O(" + "t+" * 98 + "tt)"             # 201: refused as too long for one big-O
    assert message(read("bigO", over, **T)) == "write only the value (expected big-O text such as \"O(t)\")"
    prose_limit = "O(" + "t" * 397 + ")"        # 400: still read as prose (and refused there)
    assert message(read("bigO", prose_limit, **T)) == "write only the value (expected big-O text such as \"O(t)\")"


def test_bigo_two_sides_of_one_growth_are_one_value():
    value = read("bigO", "O(t·d) = O(t)", **T)
    assert value.growth == bigo.Growth(power=Fraction(1)) and value.note == "read as O(t) from 'O(t·d) = O(t)'"
    assert read("bigO", "O(t) or O(1·t)", **T).growth == bigo.Growth(power=Fraction(1))


def test_bigo_verdicts_say_faster_or_slower_and_keep_the_reading_note():
    outcome = judge("bigO", "O(t)", "= O(t^2)", **T)
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (
        INCORRECT, "O(t^2) grows faster than the expected O(t)", "exact")
    assert outcome.notes == ["read as O(t^2) from '= O(t^2)'"]
    outcome = judge("bigO", "O(t^2)", "O(t)", **T)
    assert (outcome.verdict, outcome.feedback) == (INCORRECT, "O(t) grows slower than the expected O(t^2)")
    outcome = judge("bigO", "O(t)", "O(t)", **T)
    assert (outcome.verdict, outcome.decided_by) == (CORRECT, "exact")


def test_bigo_shows_a_reference_given_as_text():
    assert kinds.show("bigO", "O(t)") == "O(t)"


# -- numbers: stated precision, rounding and gaps (kinds/_numeric.py) ---------------------
@pytest.mark.parametrize("raw, note", [
    ("2.097.000", "read as 2097000: the dots group thousands"), ("2,097,000", None), ("2 097 000", None),
])
def test_grouped_rounded_counts_state_their_figures(raw, note):
    outcome = judge("integer", 2_097_152, raw, rounding="stated")
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (
        CORRECT, f"rounded: {raw} is 2097152 to 4 significant figures", "numeric")
    assert outcome.notes == ([note] if note else [])


def test_a_number_written_without_its_leading_zero_states_its_decimals():
    outcome = judge("number", 0.449, ".45", tolerance={"rel": 0})
    assert outcome.verdict == CORRECT and outcome.notes == ["accepted as rounded to 2 decimals"]


@pytest.mark.parametrize("expected, verdict, feedback", [
    (122_400, CORRECT, "rounded: 1.22e5 is 122400 to 3 significant figures"),
    (122_700, INCORRECT, "1.22e5 is off by 0.57%: 122700 to 3 significant figures is 1.23e5"),
    (123_456, INCORRECT, "1.22e5 is off by 1.18%: 123456 to 3 significant figures is 1.23e5"),
])
def test_e_notation_states_its_figures_and_is_rewritten_the_same_way(expected, verdict, feedback):
    outcome = judge("integer", expected, "1.22e5", rounding="stated")
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (verdict, feedback, "numeric")


def test_rounding_of_large_counts_is_exact_not_float():
    """10^16 + 49 is 49 from ...100's half unit of 50 away: one more than exact arithmetic allows."""
    assert judge("integer", 10**16 + 50, "10000000000000100", rounding="stated").verdict == CORRECT
    assert judge("integer", 10**16 + 49, "10000000000000100", rounding="stated").verdict == INCORRECT


def test_float_noise_on_a_large_reference_does_not_move_the_rounding_edge():
    """1234567.5 computed in floats as 1234567.4999999998: 1.234568M is still half a unit away."""
    expected = 1234567.5 - 2e-10
    assert judge("number", expected, "1.234568M", rounding="stated", tolerance={"rel": 0}).verdict == CORRECT


def test_multiplier_words_round_only_where_the_part_allows_it():
    outcome = judge("number", 6_422_528, "6.42M", tolerance={"rel": 0})
    assert (outcome.verdict, outcome.feedback, outcome.notes) == (INCORRECT, "off by 2528 (expected 6422528)", [])


@pytest.mark.parametrize("expected, raw, feedback", [
    (6_424_000, "6.42M", "off by 0.1% (expected 6424000); 6.42M is 6424000 rounded to 3 significant figures, "
                         "but this part asks for the exact value"),          # 0.4 of a unit away: the hint
    (6_422_528, "6.41M", "off by 0.2% (expected 6422528)"),                  # 1.25 units away: no hint
    (6_422_528, "6.5M", "off by 1.2% (expected 6422528)"),
    (16, 64, "4× too large (expected 16)"),
    (21024, 21025, "off by 1 (expected 21024)"),
])
def test_exact_parts_hint_at_rounding_only_within_half_a_unit(expected, raw, feedback):
    outcome = judge("integer", expected, raw)
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (INCORRECT, feedback, "exact")


def test_stated_rounding_feedback_in_full():
    outcome = judge("integer", 6_422_528, "6M", rounding="stated")
    assert (outcome.verdict, outcome.credit, outcome.decided_by) == ("partial", 0.5, "numeric")
    assert outcome.feedback == ("rounded to 1 significant figure, too coarse to check: 6M stands for 6422528, "
                                "but so would counts with a slip in them (write at least 2 figures)")
    outcome = judge("integer", 6_422_528, "6.4M", rounding="stated")
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (
        CORRECT, "rounded: 6.4M is 6422528 to 2 significant figures", "numeric")
    outcome = judge("integer", 406_000, "400K", rounding="stated")
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (
        INCORRECT, "400K is off by 1.48%: 406000 to 2 significant figures is 410K", "numeric")
    outcome = judge("number", 6_462_528.0, "6.45M", rounding="stated", tolerance={"rel": 0})   # a float reference
    assert outcome.feedback == "6.45M is off by 0.19%: 6462528 to 3 significant figures is 6.46M"
    outcome = judge("number", 0, "0.12", rounding="stated")
    assert outcome.feedback == "0.12 is off by 0.12: 0 to 2 significant figures is 0.00"


@pytest.mark.parametrize("raw, verdict", [
    ("1000 + 2248 = 3.2K", INCORRECT),   # 48 from 3.2K: one value, rounded (and this part wants it exact)
    ("1000 + 2260 = 3.2K", None),        # 60 from it: more than half of 0.1K, the sides differ
    ("1000 + 2260 = 3300", None),        # trailing zeros state no rounding: the sides differ
])
def test_sides_agree_when_one_is_the_other_rounded_to_half_a_unit(raw, verdict):
    outcome = judge("integer", 3248 if verdict else 3260, raw)
    if verdict:
        assert outcome.verdict == verdict and outcome.notes == [f"read as 3200 from {raw!r}"]
    else:
        assert message(outcome) == f"the two sides differ: 1000 + 2260 is 3260, not {raw.rsplit(' ', 1)[1]}"


def test_float_noise_between_two_sides_is_one_value():
    outcome = judge("number", 3, "sqrt(3)*sqrt(3) = 3")
    assert outcome.verdict == CORRECT and outcome.notes == ["read as 3 from 'sqrt(3)*sqrt(3) = 3'"]


@pytest.mark.parametrize("k", [2, 3, 4, 8, 9, 10, 100, 1000])
def test_a_factor_off_is_named(k):
    assert judge("number", 3, 3 * k).feedback == f"{k}× too large (expected 3)"
    assert judge("number", 3 * k, 3).feedback == f"{k}× too small (expected {3 * k})"


@pytest.mark.parametrize("expected, got, feedback", [
    (1, 2, "2× too large (expected 1)"),
    (2, -2, "right size, wrong sign (expected 2)"),
    (2, -1, "off by 150.0% (expected 2)"),
    (0, 0.5, "expected 0, got 0.5 (expected 0)"),
    (3, 3000.000001, "1000× too large (expected 3)"),       # a factor up to float noise
    (5, 7, "off by 40.0% (expected 5)"),
    (0.3775, 0.75, "off by 98.7% (expected 0.3775)"),
    (1000, 1000.3, "off by 0.3 (expected 1000)"),           # under 0.05%: the difference itself
    (1000, "1000 + 1/3", "off by 1/3 (≈0.333333) (expected 1000)"),   # exactly, when both are exact
    (0.3775, "3/8", "off by 0.7% (expected 0.3775)"),       # an exact form states no decimals
])
def test_the_gap_to_a_wrong_number_is_described(expected, got, feedback):
    outcome = judge("number", expected, got, tolerance={"rel": 0} if expected == 1000 else {})
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (INCORRECT, feedback, "numeric")


# -- vectors and matrices (kinds/_array.py) ------------------------------------------------
def values(array):
    return [values(x) for x in array] if isinstance(array, list) else (None if array is None else array.value)


@pytest.mark.parametrize("kind, raw, expected", [
    ("vector", "$[1, 2]$", [1, 2]),
    ("vector", "[1 2 3]", [1, 2, 3]),
    ("vector", "0.5, (1/2)", [Fraction(1, 2)] * 2),             # a parenthesised element last ...
    ("vector", "(1/2), 0.5", [Fraction(1, 2)] * 2),             # ... and first
    ("vector", "[1, 2]".ljust(100_000), [1, 2]),               # the length limit, exactly
    ("matrix", ["[1, 2]", "(3, 4)"], [[1, 2], [3, 4]]),         # bracketed rows inside a list
    ("matrix", ["$[1, 2]$", "$[3, 4]$"], [[1, 2], [3, 4]]),
    ("matrix", "[1 2; 3 4]", [[1, 2], [3, 4]]),
    ("matrix", "\\begin{bmatrix} 1 & 2 \\\\ \\hline 3 & 4 \\end{bmatrix}", [[1, 2], [3, 4]]),
    ("matrix", "\\begin{matrix} 1 & 2 \\cr 3 & 4 \\end{matrix}", [[1, 2], [3, 4]]),
    ("vector", [None, 1], [None, 1]),                           # an entry not given, in a vector too
])
def test_array_forms(kind, raw, expected):
    value = read(kind, raw)
    assert not isinstance(value, Invalid), value
    assert values(value) == expected


def test_an_empty_entry_shows_as_an_underscore():
    assert kinds.show("vector", read("vector", [None, 1])) == "[_, 1]"
    outcome = judge("vector", [2, 1], [None, 1])
    assert (outcome.verdict, outcome.feedback) == (INCORRECT, "1 of 2 elements not given (element 1 first); "
                                                              "the given ones are right")


def test_a_latex_matrix_inside_a_list_is_read_as_a_matrix():
    assert message(read("vector", ["\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}"])) == (
        "expected a vector, got a 3-dimensional array")


@pytest.mark.parametrize("kind, raw, text", [
    ("matrix", [[[[1]]]], "expected a matrix: a list of rows such as [[1, 2], [3, 4]]"),   # depth 4: read
    ("matrix", [[[[[1]]]]], "nested too deeply for a vector or matrix"),                     # depth 5: refused
    ("vector", "[1, 2]".ljust(100_001), "too long for a vector or matrix"),
    ("vector", [], "empty list"), ("vector", "[]", "empty list"),
    ("vector", "$ $", "empty answer"),
    ("vector", "5", "expected a list of numbers such as [0.8, 0.4]"),
    ("vector", "(1/2)", "expected a list of numbers such as [0.8, 0.4]"),
    ("vector", [[1, 2], [3]], "rows of different lengths"),
    ("vector", ["2 apples", "3"], "unknown name 'apples' (numbers may use: e, exp, pi, sqrt, π, √)\n  2 apples\n    ^"),
    ("matrix", "[1 2, 3 4]", "two numbers side by side ('1' and '2'): write one value; a space groups thousands "
                             "only in threes, as in 21 024\n  1 2\n    ^"),
    ("vector", "[1, 2]]", "unbalanced brackets in '[1, 2]]'"),
    ("vector", "[1] [2", "unbalanced brackets in '[1] [2'"),
    ("vector", "[[[" + "1, 2" * 20 + "]", f"unbalanced brackets in {('[[[' + '1, 2' * 20)[:60]!r}"),
    ("vector", "\\begin{foo} 1 \\end{foo}", "write only the value (cannot read this LaTeX environment: "
                                           "write \\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix})"),
    ("matrix", "\\begin{bmatrix} \\end{bmatrix}", "write only the value (empty matrix)"),
    ("matrix", "\\begin{bmatrix} 1 & & 2 \\end{bmatrix}", "write only the value (an empty element)"),
    ("matrix", "\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}",
     "write only the value (vmatrix is a determinant; write the matrix as bmatrix or pmatrix)"),
    ("vector", "w = [1, 2] = [[1], [2, 3]]", "the two sides differ: [1, 2] is [1, 2], not [[1], [2, 3]]"),
])
def test_array_refusals_say_why(kind, raw, text):
    assert message(read(kind, raw)) == text


def test_array_element_limits_are_exact():
    assert len(read("vector", [1] * 10_000)) == 10_000
    assert len(read("vector", "[" + ", ".join(["1"] * 10_000) + "]")) == 10_000
    for raw in ([1] * 10_001, "[" + ", ".join(["1"] * 10_001) + "]"):
        assert message(read("vector", raw)) == "more than 10000 elements"
    assert message(read("matrix", [[1] * 101] * 100)) == "more than 10000 elements"   # elements, not rows


def test_two_sides_of_one_vector_are_one_value():
    value = read("vector", "w = [0.8, 0.4] = [4/5, 2/5]")
    assert values(value) == [Fraction(4, 5), Fraction(2, 5)]
    assert value.note == "read as [0.8, 0.4] from 'w = [0.8, 0.4] = [4/5, 2/5]'"


def test_a_scalar_in_front_among_words_is_noted():
    value = read("vector", "the answer is 2 * [1, 2]")
    assert values(value) == [2, 4] and value.note == "read as [2, 4] from 'the answer is 2 * [1, 2]'"
    outcome = judge("vector", [1, 2], "2 * [0.5, 1.1]", rounding="stated")      # scaled elements state no figures
    assert (outcome.verdict, outcome.feedback) == (INCORRECT, "element 2 is 2.2, expected 2; 1 of 2 elements differ")


@pytest.mark.parametrize("kind, expected, got, feedback, decided_by", [
    ("matrix", [[1, 2, 3], [4, 5, 6]], [[1, 4], [2, 5], [3, 6]],
     "transposed: your matrix is the transpose of the expected one", "exact"),
    ("matrix", [[1, 2], [3, 4]], [[1, 3], [2, 4]], "transposed: your matrix is the transpose of the expected one",
     "numeric"),
    ("matrix", [[1, 2, 3], [4, 5, 6]], [[1, 3, 5], [2, 4, 6]],      # filled column by column: not a transpose
     "element (1, 2) is 3, expected 2; 4 of 6 elements differ", "numeric"),
    ("matrix", [[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4], [5, 6]], "wrong shape: expected 2×3, got 3×2", "exact"),
    ("matrix", [[1, 2], [3, 4]], [[1, 2], [5, 4]], "element (2, 1) is 5, expected 3; 1 of 4 elements differ", "numeric"),
    ("vector", [1, 2], [-1, -2], "every element has the wrong sign", "numeric"),
    ("vector", [1, 2, 3], [3, 2, 1], "the elements are in reverse order", "numeric"),
    ("vector", [1, 1], [1, 2], "element 2 is 2, expected 1; 1 of 2 elements differ", "numeric"),
    ("vector", [1, 2], [3, 4], "element 1 is 3, expected 1; 2 of 2 elements differ", "numeric"),
    ("vector", [0, 2], [0, 4], "every element is 2× the expected value (a missing or extra factor?)", "numeric"),
    ("vector", [0, 2], [1, 4], "element 1 is 1, expected 0; 2 of 2 elements differ", "numeric"),
    ("vector", [2, 3], [0, 0], "element 1 is 0, expected 2; 2 of 2 elements differ", "numeric"),
    ("matrix", [[1, 2], [3, 4]], [[1, None], [3, 5]], "element (2, 2) is 5, expected 4; 1 of the given elements "
                                                      "differ, and 1 of 4 elements not given (element (1, 2) first)",
     "numeric"),
    ("matrix", [[1, 2], [3, 4]], [[1, None], [3, 4]],
     "1 of 4 elements not given (element (1, 2) first); the given ones are right", "numeric"),
])
def test_array_mistakes_are_named_and_say_how_they_were_decided(kind, expected, got, feedback, decided_by):
    outcome = judge(kind, expected, got)
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (INCORRECT, feedback, decided_by)


def test_a_right_array_is_decided_numerically():
    outcome = judge("vector", [1, 2], [1, 2])
    assert (outcome.verdict, outcome.feedback, outcome.decided_by) == (CORRECT, "", "numeric")


def test_rounded_elements_after_an_exact_one():
    expected = [4096, 6_422_528, 1_605_632]
    outcome = judge("vector", expected, [4096, "6.42M", "1.61M"], rounding="stated", tolerance={"rel": 0})
    assert (outcome.verdict, outcome.decided_by) == (CORRECT, "numeric")
    assert outcome.feedback == ("rounded: 2 of 3 elements are written rounded to their stated figures "
                                "(element 2: 6.42M is 6422528 to 3 significant figures)")
    outcome = judge("vector", expected, [4096, "6.42M", "2M"], rounding="stated", tolerance={"rel": 0})
    assert (outcome.verdict, outcome.credit, outcome.decided_by) == ("partial", 0.5, "numeric")
    assert outcome.feedback == ("element 3: rounded to 1 significant figure, too coarse to check: 2M stands for "
                                "1605632, but so would counts with a slip in them (write at least 2 figures); "
                                "1 of 3 elements are given to too few figures")


# -- arithmetic (safemath.py) ----------------------------------------------------------------
def refusal(text):
    with pytest.raises(MathError) as info:
        evaluate(text)
    return info.value


@pytest.mark.parametrize("text, value", [
    ("2 Lac", 200_000),                            # a multiplier word of three letters: any case
    ("3.2\\,\\text{M}", 3_200_000),                # a multiplier written as LaTeX text
    ("\\left. \\frac{1}{2} \\right.", Fraction(1, 2)),   # \left. and \right. are no delimiters
    ("\\exp 2", math.exp(2)),                      # TeX's one-token argument, for \exp too
    ("2\\pi", 2 * math.pi),
    ("\\sqrt[2]{9}", 3), ("\\sqrt[100]{1}", 1),
    ("\\sqrt.25", Fraction(1, 2)),
    ("(" * 40 + "1" + ")" * 40, 1),                # the nesting limit, exactly
    ("+".join(["(1)"] * 50), 50),                  # many groups one after another are not nesting
    ("0^0", 1), ("1^100000", 1), ("(-1)^100001", -1), ("0^100000", 0),   # no size check for 0, 1, -1
    ("2^996", 2**996),                             # 996 × log10(10) digits: under the power limit
    ("0^0.5", 0), ("0.25^0.5", Fraction(1, 2)), ("0^(pi - pi)", 1),
    ("sqrt(0)", 0), ("sqrt(1/4)", Fraction(1, 2)),
])
def test_arithmetic_values(text, value):
    assert evaluate(text) == (pytest.approx(value) if isinstance(value, float) else value)


@pytest.mark.parametrize("text, words, position", [
    ("3 BN", "unknown name 'BN' (numbers may use: e, exp, pi, sqrt, π, √)", 2),   # two letters: k/M/B case only
    ("3 Bn", "unknown name 'Bn' (numbers may use: e, exp, pi, sqrt, π, √)", 2),
    ("x", "unknown name 'x' (numbers may use: e, exp, pi, sqrt, π, √)", 0),
    ("M", "'M' must follow a number, as in 3.2M", 0),
    ("\\mathrm 5", "expected {letters} after \\mathrm", 7),
    ("\\alpha + 1", "unsupported LaTeX command \\alpha in a number", 0),
    ("(1+2", "expected ')' but found the end", 4),
    ("1 )", "unexpected ')'", 2),
    ("\\sqrt12", "unexpected '2'", 6),                  # the rest of a split number keeps its place
    ("sqrt 4", "expected '(' after the function name", 5),
    ("sqrt(-1)", "square root of a negative number", 0),
    ("\\sqrt[2]{-4}", "square root of a negative number", 0),
    ("\\sqrt[3]{-8}", "a negative number to a fractional power", 0),
    ("exp(1000)", "exp(…) out of range", 0),
    ("\\sqrt[2.5]{4}", "a root's degree must be a whole number from 2 to 100", 0),
    ("\\sqrt[101]{2}", "a root's degree must be a whole number from 2 to 100", 0),
    ("\\sqrt[1]{2}", "a root's degree must be a whole number from 2 to 100", 0),
    ("(" * 41 + "1" + ")" * 41, "nested too deeply (limit 40)", 40),
    ("(1)+" * 5 + "(" * 41 + "1" + ")" * 41, "nested too deeply (limit 40)", 60),
    ("2^" * 41 + "2", "nested too deeply (limit 40)", 81),
    ("0^-1", "division by zero", 1),
    ("0^-0.5", "division by zero", 1),
    ("(10^99)^3000", "power too large", 7),           # refused before it is computed
    ("2^1001", "power too large", 1),
    ("10^(1000*sqrt(2))", "power out of range", 2),
    ("2^1000", "result is out of range (larger than 1e300)", None),
    ("10^400/sqrt(2)", "result is not a finite number", None),
])
def test_arithmetic_refusals_point_at_the_problem(text, words, position):
    error = refusal(text)
    assert (str(error), error.position, error.text) == (words, position, text)
    caret = [] if position is None else [f"  {text}", "  " + " " * position + "^"]
    assert error.pointed().splitlines() == [words, *caret]


# -- formula tokens (mathexpr/lexer.py) ------------------------------------------------------
def tokens(text):
    return [(t.kind, t.value, t.pos) for t in tokenize(text)]


@pytest.mark.parametrize("text, expected", [
    ("1" * 50, [("num", "1" * 50, 0), ("end", "", 50)]),                  # the digit limit, exactly
    ("1e300", [("num", "1e300", 0), ("end", "", 5)]),                     # the exponent limit, exactly
    ("x²", [("name", "x", 0), ("op", "^", 1), ("num", "2", 1), ("end", "", 2)]),
    ("x⁺²", [("name", "x", 0), ("op", "^", 1), ("num", "2", 1), ("end", "", 3)]),
    ("a^Tb", [("name", "a", 0), ("transpose", "^T", 1), ("name", "b", 3), ("end", "", 4)]),
    ("\\alpha", [("name", "alpha", 0), ("end", "", 6)]),
    ("\\epsilon + \\varepsilon", [("name", "epsilon", 0), ("op", "+", 9), ("name", "epsilon", 11), ("end", "", 22)]),
    ("\\exp(x)", [("func", "exp", 0), ("op", "(", 4), ("name", "x", 5), ("op", ")", 6), ("end", "", 7)]),
    ("\\left\\| x \\right\\|", [("norm", "\\lVert", 0), ("name", "x", 8), ("norm", "\\rVert", 10), ("end", "", 18)]),
    ("\\left\\Vert x \\right\\Vert", [("norm", "\\lVert", 0), ("name", "x", 11), ("norm", "\\rVert", 13),
                                    ("end", "", 24)]),
    ("\\left. x \\right\\|", [("name", "x", 7), ("norm", "\\rVert", 9), ("end", "", 17)]),
    ("\\hat{X}", [("name", "X_hat", 0), ("end", "", 7)]),
    ("\\hat \\Sigma", [("name", "Sigma_hat", 0), ("end", "", 11)]),
    ("\\tilde X", [("name", "X_tilde", 0), ("end", "", 8)]),
    ("\\tilde  x", [("name", "x_tilde", 0), ("end", "", 9)]),
    ("\\tilde{\\tilde{x}}", [("name", "x_tilde_tilde", 0), ("end", "", 17)]),
    ("\\bar{w}_{0}", [("name", "w_bar_0", 0), ("end", "", 11)]),
    ("\\mathbf{w}_0", [("name", "w_0", 0), ("end", "", 12)]),
    ("\\mathbf{" * 8 + "x" + "}" * 8, [("name", "x", 0), ("end", "", 73)]),    # eight decorations: read
    ("y + \\tilde{\\lambda}_0", [("name", "y", 0), ("op", "+", 2), ("name", "lambda_tilde_0", 4), ("end", "", 21)]),
    ("y + \\operatorname{tr}(A)", [("name", "y", 0), ("op", "+", 2), ("func", "tr", 4), ("op", "(", 21),
                                   ("name", "A", 22), ("op", ")", 23), ("end", "", 24)]),
    ("y + \\mathrm{d} x", [("name", "y", 0), ("op", "+", 2), ("name", "d", 4), ("name", "x", 15), ("end", "", 16)]),
    ("y + \\mathrm{x + 1}", [("name", "y", 0), ("op", "+", 2), ("name", "x", 5), ("op", "+", 7), ("num", "1", 9),
                             ("end", "", 18)]),
    ("x" * 2000, [("name", "x" * 2000, 0), ("end", "", 2000)]),         # the length limit, exactly
    (".5x", [("num", ".5", 0), ("name", "x", 2), ("end", "", 3)]),
    ("w.T", [("name", "w", 0), ("transpose", ".T", 1), ("end", "", 3)]),
    ("wᵀ", [("name", "w", 0), ("transpose", "ᵀ", 1), ("end", "", 2)]),
    ("w⊤", [("name", "w", 0), ("transpose", "ᵀ", 1), ("end", "", 2)]),
    ("λ", [("name", "lambda", 0), ("end", "", 1)]),
    ("w₁₂", [("name", "w_12", 0), ("end", "", 3)]),
    ("2√x", [("num", "2", 0), ("sqrt", "√", 1), ("name", "x", 2), ("end", "", 3)]),
    ("‖v‖₂", [("norm", "‖", 0), ("name", "v", 1), ("norm", "‖", 2), ("op", "_", 3), ("num", "2", 3), ("end", "", 4)]),
    ("‖v‖ₚ", [("norm", "‖", 0), ("name", "v", 1), ("norm", "‖", 2), ("op", "_", 3), ("name", "p", 3), ("end", "", 4)]),
    ("x ∏ y", [("name", "x", 0), ("bigop", "prod", 2), ("name", "y", 4), ("end", "", 5)]),
    ("a · b", [("name", "a", 0), ("op", "*", 2), ("name", "b", 4), ("end", "", 5)]),
    ("x**2", [("name", "x", 0), ("op", "^", 1), ("num", "2", 3), ("end", "", 4)]),
    ("||v||", [("norm", "‖", 0), ("name", "v", 2), ("norm", "‖", 3), ("end", "", 5)]),
])
def test_formula_tokens_and_where_they_start(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize("text, words, position", [
    ("1" * 51, "number with more than 50 digits", 0),
    ("y + 1e301", "exponent e301 is out of range (limit e±300)", 4),
    ("1e-301", "exponent e-301 is out of range (limit e±300)", 0),
    ("x⁻", "a superscript must be a whole number (x², x⁻¹)", 1),
    ("x\\", "a lone backslash", 1),
    ("y + \\tilde{x y}", "\\tilde must decorate a single symbol", 4),
    ("y + \\tilde", "\\tilde must decorate a single symbol", 4),
    ("y + \\tilde ", "\\tilde must decorate a single symbol", 4),
    ("y + \\int x", "\\int (an integral) is not supported in a formula answer", 4),
    ("y + \\foo", "the LaTeX command \\foo is not supported (dlcheck reads \\frac, \\sqrt, \\cdot, \\left( \\right), "
                  "\\|…\\|, \\sum, Greek letters, \\exp, \\log, \\operatorname{tr}, …)", 4),
    ("y + \\begin{bmatrix}1\\end{bmatrix}", "\\begin{bmatrix}: explicit matrices are not read in a formula answer; "
                                             "write the formula with the problem's symbols (X, w_0, …)", 4),
    ("y + \\begin{cases}", "\\begin{cases} is not supported in a formula answer: give one expression", 4),
    ("y + \\begin", "\\begin{…} is not supported in a formula answer: give one expression", 4),
    ("w.Tx + 1", "unexpected character '.'", 1),                   # .T then a letter is no transpose
    ("x" * 2001, "too long (2,001 characters; the limit is 2,000)", None),
])
def test_formula_token_refusals_point_at_the_problem(text, words, position):
    with pytest.raises(ExprError) as info:
        tokenize(text)
    assert (str(info.value), info.value.position) == (words, position)
    assert info.value.text == ("" if position is None else text)


def test_nine_nested_decorations_are_refused():
    with pytest.raises(ExprError, match=r"^nested too deeply \(more than 8 decorations such as \\mathbf\{…\}\)$"):
        tokenize("\\mathbf{" * 9 + "x" + "}" * 9)


@pytest.mark.parametrize("raw, name", [
    ("w_{0}", "w_0"), (" w_{ 0 } ", "w_0"), ("w₀", "w_0"), ("w₁₂", "w_12"), ("w0", "w_0"), ("W12", "W_12"),
    ("a1b", "a1b"), ("λ", "lambda"), ("\\lambda", "lambda"), ("λ̃", "lambda_tilde"), ("{λ̃}", "lambda_tilde"),
    ("λ̃_tilde", "lambda_tilde"), ("lambda_tilde", "lambda_tilde"),
])
def test_declared_names_are_canonical(raw, name):
    assert canonical_name(raw) == name


# -- survivors of the second run (tests/data/mutmut_survivors.md lists the rest with reasons) ----
def test_float_noise_between_two_sides_of_a_vector_is_one_value():
    """sqrt(2)*sqrt(2) is 2.0000000000000004 in floats: the sides agree to a relative 1e-9."""
    value = read("vector", "[sqrt(2)*sqrt(2), 1] = [2, 1]")
    assert values(value) == [2, 1] and value.note == "read as [2, 1] from '[sqrt(2)*sqrt(2), 1] = [2, 1]'"


def test_the_rounding_a_wrong_answer_is_shown_is_exact_for_an_exact_reference():
    """2.675 is 2.68 to two decimals; the float 2.675 (2.67499…) would say 2.67."""
    outcome = judge("number", Fraction(107, 40), "2.60", rounding="stated")
    assert (outcome.verdict, outcome.feedback) == (
        INCORRECT, "2.60 is off by 2.80%: 2.675 to 3 significant figures is 2.68")


def test_letters_are_checked_for_words_as_a_whole_run_not_from_every_letter():
    """"tin" is t·i·n; its tail "in" is a word, but a word is only ever a whole run of letters."""
    value = read("bigO", "O(tin)", **T)
    assert value.growth == bigo.Growth(power=Fraction(1)) and bigo.show(value) == "O(tin) = O(t)"


def test_too_many_decorations_point_at_the_decoration():
    with pytest.raises(ExprError) as info:
        tokenize("\\mathbf{" * 9 + "x" + "}" * 9)
    assert info.value.position == 0


def test_a_percentage_states_its_figures_in_percent():
    """38.5% is 0.385: a unit of 0.1% in its last place, so 0.3775 (37.75%) is 0.75 units away."""
    outcome = judge("number", 0.3775, "38.5%", rounding="stated")
    assert (outcome.verdict, outcome.feedback) == (
        INCORRECT, "38.5% is off by 1.99%: 0.3775 to 3 significant figures is 37.8%")


@pytest.mark.parametrize("raw, text", [
    ([1], "expected a number, got a list"), ({"a": 1}, "expected a number, got a mapping"),
    (None, "expected a number, got nothing"), (3j, "expected a number, got complex"),
])
def test_a_number_refusal_names_what_was_given(raw, text):
    assert message(read("number", raw)) == text


def test_a_long_sentence_is_quoted_to_seventy_characters_in_the_note():
    raw = "608 parameters: the six 5x5 filters with three input channels each, plus a bias for every filter"
    outcome = judge("integer", 608, raw)
    assert outcome.verdict == CORRECT and outcome.notes == [
        "read as 608 from '608 parameters: the six 5x5 filters with three input channels each, p…'"]
    short = "608 parameters: six 5x5 filters, three input channels each, and a bias"   # 70: quoted whole
    assert len(short) == 70 and judge("integer", 608, short).notes == [f"read as 608 from {short!r}"]


# -- survivors of the third run: words around values (kinds/_prose.py) ------------------------
@pytest.mark.parametrize("raw, value", [
    ("8, one per class", 8),                        # a one-character value before the explanation
    (": 608", 608),                                 # a bare sign before the value
    ("about 14 838 529", 14838529),                 # the words kept are joined again with their spaces
    ("output channels 64", 64),                     # three leading words at most ...
    ("608 weights in this whole network", 608),     # ... and up to six trailing ones
    ("8 with one filter for every class in the data set", 8),   # a qualifier longer than six words
    ("Weights in layer C5: 48120", 48120),          # a name of up to five words before the colon
    ("Number of weights in C5: 48120", 48120),
    ("1 115 684 864 operations", 1115684864),       # grouped thousands, then a word
    ("608. Total", 608),                            # two readings of one value ("608" and "608.")
])
def test_words_set_aside_around_a_number(raw, value):
    got = read("number", raw)
    assert got.value == value and got.note == f"read as {value} from {raw!r}"


@pytest.mark.parametrize("raw, text", [
    ("number of output channels 64", "write only the value (unknown name 'number' (numbers may use: e, exp, pi, "
                                     "sqrt, π, √))"),                               # four leading words
    ("64 kernels in the first conv layer here", "write only the value (unknown name 'kernels' (numbers "
                                                "may use: e, exp, pi, sqrt, π, √))"),   # seven trailing words
    ("12 or more parameters", "write only the value (unknown name 'or' (numbers may use: e, exp, pi, sqrt, π, √))"),
    ("5, not 6", "write only the value (unexpected character ',')"),     # a negation is never set aside
    ("12; not.", "write only the value (unexpected character ';')"),     # ... with its full stop too
    ("12 not.", "write only the value (unexpected character '.')"),
    ("8 with 3; maybe", "write only the value (unexpected character ';')"),   # the qualifier names a value
    ("Number of weights in layer C5: 48120", "write only the value (unexpected character ':')"),   # a six-word name
    ("2 + 2 = 5 = 4", "the two sides differ: 5 is 5, not 4"),          # every side, not only the first
    ("1 or 2 or 3 or 4", "states two values (1 and 2 and 3): write only the value"),
])
def test_words_around_a_number_that_leave_no_one_value(raw, text):
    assert message(read("number", raw)) == text


@pytest.mark.parametrize("raw", ["Red Green.", "Green with Red.", "Green, Red apples"])
def test_a_second_label_among_the_words_is_never_set_aside(raw):
    assert message(read("label", raw, **COLOURS)).startswith("write only the value")


def test_alternatives_that_agree_read_as_the_last_written():
    assert read("number", "0.5 or 1/2 or 0.50").text == "0.50"     # its stated figures count, not the first's


def test_two_readings_at_the_same_cost_are_two_values():
    from dlcheck.kinds import _prose
    from dlcheck.verdict import InvalidAnswer

    def strict(text):        # a reader that finds 1 in "foo A" and 2 in "A bar", each one dropped word away
        try:
            return {"foo A": 1, "A bar": 2}[text]
        except KeyError:
            raise InvalidAnswer("no") from None

    with pytest.raises(InvalidAnswer, match=r"^states two values \(1 and 2\): write only the value$"):
        _prose.read("foo A bar", strict, str)
    assert _prose.read("foo A bar", lambda text: {"foo A": 1, "A bar": 1}[text] if text in ("foo A", "A bar")
                       else strict(text), str) == (1, "read as 1 from 'foo A bar'")     # one value read twice


def test_notes_are_found_on_items_and_at_most_three():
    from types import SimpleNamespace

    from dlcheck.kinds._prose import notes_of

    items = [SimpleNamespace(note=f"read as {n}") for n in range(4)]
    assert notes_of(items) == ["read as 0", "read as 1", "read as 2"]
    assert notes_of({"first": items[0], "second": items[1]}) == ["read as 0", "read as 1"]   # a mapping's fields
    assert read("labels", ["Green (nearest)", "Red (the second point)"], **COLOURS) == ["green", "red"]
    assert judge("labels", ["Green", "Red"], ["Green (nearest)", "Red (the second point)"], **COLOURS).notes == [
        "read as Green from 'Green (nearest)'", "read as Red from 'Red (the second point)'"]


# -- survivors of the third run: numbers shown back, arithmetic messages ----------------------
@pytest.mark.parametrize("value, shown", [
    (True, "true"),
    (Fraction(1, 2 ** 20), "1/1048576 (≈9.53674e-07)"),     # exact as a float, but too long to show as one
    (Fraction(1234567891, 10 ** 10), "0.1234567891"),       # twelve characters: shown as a decimal
    (Fraction("0.12345678913"), "12345678913/100000000000 (≈0.123457)"),   # thirteen: as a fraction
    (1e15, "1e+15"),
    (1e15 - 1, "999999999999999"),
    ("n/a", "n/a"),
])
def test_numbers_are_shown_back_as_a_person_writes_them(value, shown):
    from dlcheck.kinds._numeric import fmt

    assert fmt(value) == shown


def test_an_arithmetic_error_points_only_at_a_short_text_it_has():
    assert MathError("bad", position=1).pointed() == "bad"
    assert MathError("bad", "x" * 120, 3).pointed() == f"bad\n  {'x' * 120}\n     ^"
    assert MathError("bad", "x" * 121, 3).pointed() == "bad"


# a label part with no choices reads a short plain name ("Leaky ReLU") out of words around it
@pytest.mark.parametrize("raw, read_as", [
    ("Activation = ReLU", "relu"),
    ("Activation: Leaky ReLU", "leaky relu"),
])
def test_a_free_label_is_read_out_of_a_name_and_a_sign(raw, read_as):
    value = read("label", raw)
    assert value == read_as and value.note == f"read as {read_as} from {raw!r}"


@pytest.mark.parametrize("raw, text", [
    ("sizes: [1, 2]", "write only the value ('sizes: [1, 2]' is not a plain label)"),
    ("(1+2", "'(1+2' is not a plain label"),
    ("1/(1 + exp(-x))", "write only the value ('1/(1 + exp(-x))' is not a plain label)"),
    ("(line, text) of each fenced block in that language.",
     "write only the value ('(line, text) of each fenced block in that language.' is not a plain label)"),
    ("ImageNet stem with the CIFAR head: avg_pool2d(4) on a 1×1 map crashes",
     "states two values (imagenet stem with the cifar head and imagenet stem): write only the value"),
    ("Leaky ReLU with slope 0.01 (for negatives)",
     "states two values (leaky relu with slope 0.01 and leaky relu): write only the value"),
])
def test_a_free_label_that_is_not_one_plain_name_is_refused(raw, text):
    assert message(read("label", raw)) == text


@pytest.mark.parametrize("remark", ["or O(1) with checkpointing", "Or O(1) with checkpointing", "either way"])
def test_an_alternative_in_a_remark_is_quoted_whole(remark):
    assert message(read("bigO", f"O(t) ({remark})")) == f"offers an alternative ({remark}): write only the value"


# == survivors of the third run: safemath (the evaluator's values, messages, positions, limits) ====
def caret(text, position):
    return ["  " + text, "  " + " " * position + "^"]


# -- refusals: the words, the text and where the caret goes -------------------------------
@pytest.mark.parametrize("text, words, position", [
    ("3 $ 4", "unexpected character '$'", 2),
    ("1.2.3", "more than one decimal point (dots group thousands only in threes, as in 14.838.529)", 3),
    ("3½", "a mixed number: write 3½ as 7/2 or as a decimal", 1),
    ("12 ¾", "a mixed number: write 12¾ as 51/4 or as a decimal", 3),
    ("7/0", "division by zero", 1),
    ("7 / (3-3)", "division by zero", 2),
    (r"2 + \frac{1}{0}", "division by zero", 4),
    ("3 +", "expected a number but found the end", 3),
    ("3 * )", "expected a number but found ')'", 4),
    ("0⁻¹", "division by zero", 1),
    ("2 + 1e401", "exponent 401 is out of range", 4),
    ("1e-401", "exponent -401 is out of range", 0),
    ("2 + " + "1" * 101, "number has too many digits (limit 100)", 4),
    ("(2% 3)", "expected ')' but found '3'", 4),
    ("(2 pi 3)", "expected ')' but found '3'", 6),
])
def test_refusals_name_the_problem_and_point_at_it(text, words, position):
    error = refusal(text)
    assert (str(error), error.text, error.position) == (words, text, position)
    assert error.pointed().splitlines() == [words, *caret(text, position)]


def test_a_mixed_number_with_a_bad_whole_part_is_refused_with_the_text():
    error = refusal("1e401½")
    assert (str(error), error.text, error.position) == ("exponent 401 is out of range", "1e401½", 5)


def test_a_blank_answer_is_called_empty():
    assert str(refusal("   ")) == "empty answer"


@pytest.mark.parametrize("value", [5, None, 2.5])
def test_an_answer_that_is_not_text_is_refused(value):
    assert str(refusal(value)) == "expected text"


def test_text_of_exactly_the_length_limit_is_read():
    text = "1+" * 127 + "10"
    assert len(text) == MAX_LENGTH
    assert evaluate(text) == 137
    assert str(refusal(text + "0")) == f"too long ({MAX_LENGTH + 1} characters; the limit is {MAX_LENGTH})"


# -- literals: digit and exponent limits ----------------------------------------------------
def test_a_literal_of_exactly_one_hundred_digits_is_read():
    assert evaluate("1" + "0" * 99) == 10 ** 99


@pytest.mark.parametrize("text, value", [
    ("1e-400", Fraction(1, 10 ** 400)),
    ("1E-400", Fraction(1, 10 ** 400)),
    ("2.5e3", 2500),
    ("2.5E3", 2500),
])
def test_exponents_up_to_four_hundred_are_read_exactly(text, value):
    assert evaluate(text) == value


@pytest.mark.parametrize("text", ["1e401", "1E401", "1e-401", "1E-401"])
def test_exponents_beyond_four_hundred_are_named_in_the_refusal(text):
    assert str(refusal(text)) == f"exponent {text[2:]} is out of range"


# -- results: the range an answer may have --------------------------------------------------
def test_an_exact_result_of_one_thousand_digits_is_kept():
    assert evaluate("1e-400 * 1e-400 * 1e-199") == Fraction(1, 10 ** 999)
    assert str(refusal("1e-400 * 1e-400 * 1e-200")) == "result needs more than 1000 digits"   # tiny, not large


def test_an_exact_result_equal_to_the_float_1e300_is_still_accepted():
    mantissa, power = 1681218273811815, 946          # the double nearest 1e300, exactly
    assert Fraction(mantissa * 2 ** power) == Fraction(1e300)
    assert evaluate(f"{mantissa} * 2^{power}") == mantissa * 2 ** power
    assert str(refusal(f"{mantissa + 1} * 2^{power}")) == "result is out of range (larger than 1e300)"


def test_a_float_result_of_exactly_1e300_is_accepted_and_a_larger_one_refused():
    assert evaluate("exp(0) * 10^300") == 1e300
    assert str(refusal("pi * 10^300")) == "result is not a finite number"


@pytest.mark.parametrize("text, words", [
    ("(10^400)^0.5", "result is not a finite number"),
    ("sqrt(10^401)", "result is not a finite number"),
    ("(-10^400)^0.5", "a negative number to a fractional power"),
])
def test_numbers_too_big_for_a_float_are_refused_with_their_sign_kept(text, words):
    assert str(refusal(text)) == words


# -- grammar ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [("+5", 5), ("2*+3", 6), ("-+4", -4), ("+-4", -4)])
def test_a_leading_plus_sign_keeps_the_value(text, value):
    assert evaluate(text) == value


@pytest.mark.parametrize("text, value", [
    (r"2\frac{3}{4}", Fraction(3, 2)),
    (r"\frac{1}{2}\frac{1}{3}", Fraction(1, 6)),
    ("(3)¼", Fraction(3, 4)),
])
def test_a_fraction_after_a_value_multiplies_it(text, value):
    assert evaluate(text) == value


@pytest.mark.parametrize("text", [r"\frac{3}{1}", r"\frac31", r"\dfrac{6}{2}"])
def test_a_fraction_over_one_is_the_numerator(text):
    assert evaluate(text) == 3


def test_a_multiplier_word_scales_a_number_only_once():
    assert evaluate("3 million") == 3_000_000
    error = refusal("3 million million")
    assert (str(error), error.position) == ("'million' must follow a number, as in 3.2million", 10)


def test_powers_do_not_count_toward_the_nesting_limit_once_read():
    assert evaluate("2^2+" * 30 + "1") == 121
    assert evaluate("2^2 + " + "(" * 40 + "1" + ")" * 40) == 5
    text = "((2^2 + " + "(" * 39 + "1" + ")" * 41
    error = refusal(text)
    assert (str(error), error.position) == ("nested too deeply (limit 40)", 8 + 38)


# == survivors of the third run: numbers from YAML and arrays ==================================
EXACT = {"rel": 0, "abs": 0}     # no tolerance: only rounding can make an answer right


# -- numbers straight from YAML (int, float, bool) -----------------------------------------
@pytest.mark.parametrize("kind", ["number", "integer"])
def test_yaml_true_is_not_a_number_and_the_message_says_so(kind):
    assert message(read(kind, True)) == "expected a number, got True (true/false)"


def test_a_yaml_integer_at_the_range_limit_is_read_and_one_past_it_is_refused():
    limit = int(1e300)
    assert read("number", limit).value == limit
    assert message(read("number", limit + 1)) == "number is out of range (larger than 1e300)"


def test_a_yaml_float_at_the_range_limit_is_read():
    assert read("number", 1e300).value == 1e300


@pytest.mark.parametrize("raw", [float("inf"), float("-inf"), 1e308])
def test_an_infinite_or_huge_yaml_float_is_refused_naming_it(raw):
    assert message(read("number", raw)) == f"{raw!r} is not a finite number in range"


def test_a_yaml_integer_rounded_to_two_figures_is_right_when_rounding_is_stated():
    out = judge("number", 3211264, 3200000, rounding="stated", tolerance=EXACT)
    assert out.verdict == CORRECT
    assert out.feedback == "rounded: 3200000 is 3211264 to 2 significant figures"


def test_a_yaml_float_written_in_e_notation_states_only_its_mantissa_figures():
    # YAML 1.11e9 is the float 1110000000.0: three figures, not eleven
    out = judge("number", 1112345678, 1.11e9, rounding="stated", tolerance=EXACT)
    assert out.verdict == CORRECT
    assert out.feedback == "rounded: 1110000000 is 1112345678 to 3 significant figures"


def test_a_yaml_decimal_is_judged_to_the_decimals_it_was_written_with():
    out = judge("number", 0.37754, 0.3775, rounding="stated", tolerance=EXACT)
    assert out.verdict == CORRECT
    assert out.feedback == "rounded: 0.3775 is 0.37754 to 4 significant figures"
    assert read("number", 0.3775).text == "0.3775"
    assert read("number", 2.5).text == "2.5"


# -- elements of a YAML list ---------------------------------------------------------------
def test_elements_of_a_list_may_be_wrapped_in_dollars():
    assert [x.value for x in read("vector", ["$1$", "$2.5$"])] == [1, 2.5]


def test_nothing_given_for_a_vector_says_a_number_was_expected():
    assert message(read("vector", None)) == "expected a number, got nothing"


# -- text that is not an array at all ------------------------------------------------------
@pytest.mark.parametrize("raw, name", [("X^T(Xw - t)", "X"), ("AX", "AX"), ("XW", "XW")])
def test_a_symbolic_answer_for_a_vector_names_the_unknown_symbol(raw, name):
    msg = message(read("vector", raw))
    assert f"unknown name '{name}'" in msg
    assert "unbalanced" not in msg


# -- LaTeX matrices with brackets around them ----------------------------------------------
def test_sized_brackets_with_spaces_around_an_array_environment_are_ignored():
    raw = "\\left[ \\begin{array}{cc} 1 & 2 \\end{array} \\right]"
    assert [x.value for x in read("vector", raw)] == [1, 2]


@pytest.mark.parametrize("raw", [
    "-\\begin{bmatrix}1 & 2\\end{bmatrix}.",
    "(\\begin{bmatrix}1 & 2\\end{bmatrix}.",
    "[\\begin{bmatrix}1 & 2\\end{bmatrix}X",
    "X\\begin{bmatrix}1 & 2\\end{bmatrix}]",
])
def test_a_stray_character_around_a_latex_matrix_is_not_silently_dropped(raw):
    assert "cannot read this LaTeX environment" in message(read("vector", raw))


@pytest.mark.parametrize("kind, raw", [("number", "5X"), ("vector", "[1, 2X]"), ("vector", ["1", "2X"])])
def test_a_letter_stuck_to_a_number_is_refused_not_dropped(kind, raw):
    assert "unknown name 'X'" in message(read(kind, raw))


def test_a_latex_grouped_number_given_for_a_vector_is_refused_as_not_a_list():
    assert message(read("vector", "73{,}856")) == "expected a list of numbers such as [0.8, 0.4]"


# -- survivors of the fourth run: the code this session added to kinds/_array.py ------------
def test_a_wrong_element_is_shown_as_written_when_that_tells_it_apart():
    assert judge("vector", [1, 2], ["1/3", 2]).feedback == "element 1 is 0.333333, expected 1; 1 of 2 elements differ"


def test_a_closing_semicolon_after_a_single_row_is_allowed():
    assert judge("matrix", [[1, 2]], "[1, 2;]").verdict == CORRECT


def test_an_empty_row_quotes_sixty_characters_of_the_text():
    text = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18;; 19"
    assert message(read("matrix", text)) == f"an empty row in {text[:60]!r}: write the rows as 1, 2; 3, 4"


@pytest.mark.parametrize("text, inside", [
    ("tensor([0.8, 0.4], dtype=torch.float64)", "[0.8, 0.4]"),
    ("np.float64(0.5)", "0.5"),
    ("tensor(5) + 1", "tensor(5) + 1"),      # the printed value is not the whole answer: left as it is
    ("(0.8, 0.4)", "(0.8, 0.4)"),            # no printed form at all
    ("tensor(5)(6)", "tensor(5)(6)"),        # the last bracket is not the printed form's
])
def test_a_printed_form_is_unwrapped_only_when_it_is_the_whole_answer(text, inside):
    from dlcheck.kinds._numeric import printed

    assert printed(text) == inside


# -- survivors of the fifth run: what the independent probe's fixes added -------------------
def test_a_bracketed_percentage_after_a_value_is_refused_by_the_arithmetic_with_the_reason():
    assert str(refusal("0.3775 (37.75%)")) == (
        "a percentage in brackets restates the value before it; it is no factor: write one value")
    assert str(refusal("0.5 (50%")) == "expected ')' but found the end"        # an unclosed one is just unclosed


def test_dollars_around_a_sentence_are_set_aside_whole():
    assert read("number", "$50 hours$").value == 50
    assert read("number", "50 \\text{ hours}").value == 50
    assert read("number", "\\text{608 parameters}").value == 608       # the value inside the wrapper
