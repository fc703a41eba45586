from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from dlcheck.safemath import MathError, evaluate


@pytest.mark.parametrize("text, value", [
    ("608", 608), ("0.3775", Fraction("0.3775")), ("1.22e5", 122000), ("122,304", 122304),
    ("5/7", Fraction(5, 7)), ("37.75%", Fraction("0.3775")), ("3*3*32*64", 18432), ("2^10", 1024),
    ("2**10", 1024), ("-2^2", -4), ("2^3^2", 512), ("(1+2)*3", 9), ("2(3+4)", 14), ("√9", 3),
    ("sqrt(16/9)", Fraction(4, 3)), ("3×4", 12), ("6÷4", Fraction(3, 2)), ("−5", -5), (" 7 ", 7),
])
def test_values(text, value):
    assert evaluate(text) == value


def test_inexact_results_are_floats():
    assert evaluate("sqrt(10)") == pytest.approx(3.16227766)
    assert evaluate("2pi") == pytest.approx(6.283185307)


@pytest.mark.parametrize("text, words", [
    ("10**100000", "too large"), ("1e400", "out of range"), ("9" * 250, "too many digits"),
    ("__import__('os').system('ls')", "unexpected character"), ("os.system", "unexpected character '.'"),
    ("lambda: 1", "unexpected character ':'"), ("lambda", "unknown name"), ("4/0", "division by zero"), ("", "empty"), ("(" * 100 + "1" + ")" * 100, "nested"),
    ("sqrt(-1)", "negative"), ("(-8)^(1/3)", "fractional power"), ("1+", "expected a number"),
    ("2 3 4 x" * 100, "too long"), ("1\x00", "unexpected character"), ("１", "unexpected character"),
])
def test_refusals_are_clear(text, words):
    with pytest.raises(MathError, match=words):
        evaluate(text)


def test_error_points_at_the_position():
    with pytest.raises(MathError) as info:
        evaluate("2 + x")
    assert info.value.position == 4
    assert info.value.pointed().splitlines()[-1] == "      ^"


@given(st.text(max_size=60))
def test_never_raises_anything_but_matherror(text):
    try:
        evaluate(text)
    except MathError:
        pass


@given(st.fractions(max_denominator=1000).filter(lambda f: abs(f) < 10**9))
def test_written_fractions_read_back(f):
    assert evaluate(f"{f.numerator}/{f.denominator}") == f


@pytest.mark.parametrize("text", ["10^400*pi", "pi*10^400", "10^400 + pi", "10^400 - 0.5"])
def test_an_exact_value_beyond_a_float_meeting_a_float_is_refused_not_a_crash(text):
    with pytest.raises(MathError, match=r"^result is out of range \(larger than 1e300\)$"):
        evaluate(text)
