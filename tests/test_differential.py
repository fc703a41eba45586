"""dlcheck against an external reader: HuggingFace's math-verify (issue 14).

math-verify reads LaTeX with its own parser (latex2sympy2-extended) and decides
with sympy. It is given, on the same pairs as dlcheck:
  - the scalar pairs of tests/data/equivalence_table.py with LaTeX on at least
    one side (that side as written; a plain side as LaTeX printed from dlcheck's
    reading, since math-verify reads no plain notation such as sqrt(x));
  - STACK's 70 plain AlgEquiv pairs (tests/test_stack.py), printed as LaTeX.
Every pair where the two disagree is listed below with the reason. math-verify
runs in dlcheck's forked worker, killed at a time limit (its sympy can hang).
Test-only: dlcheck itself never imports it."""
from __future__ import annotations

import logging
from fractions import Fraction

import pytest

from data.equivalence_table import PAIRS
from dlcheck.mathexpr import ExprError, nodes as N
from dlcheck.mathexpr.context import GREEK, parse_symbol_spec
from dlcheck.mathexpr.equiv import check_texts, is_matrix, read
from dlcheck.mathexpr.limits import Timeout, run_limited
from test_stack import ROWS, plain_rows

logging.getLogger("math_verify").setLevel(logging.CRITICAL)     # it logs every parse failure
SECONDS = 10

# (expected, given) -> (math-verify's verdict, why it differs from dlcheck's)
DIFFERENCES = {
    # the equivalence table
    (r"\sqrt{x^2}", "x"): (False, "x is declared positive; math-verify cannot be told, and over the reals "
                                  "√(x²) = |x|"),
    (r"\ln x", r"\log(x)"): (False, "math-verify reads \\log as the logarithm to base 10; dlcheck as ln, as "
                                     "homework does"),
    (r"\tilde\lambda / 2", "λ̃/2"): (False, "math-verify does not read \\tilde\\lambda without braces"),
    # STACK's plain pairs (teacher's answer first)
    ("4.52*10^2", "452"): (False, "math-verify computes 4.52·10² in binary floats (451.99999999999994); "
                                  "dlcheck reads decimals exactly"),
    ("1/3", "0.333333333333333"): (True, "math-verify rounds decimals to 6 places; dlcheck reads them exactly, to a "
                                         "double's precision (a gap of 1e-15 is a difference)"),
    ("(2*s^2+6*s-25)/(10*s)", "0.1*(2.0*s^2+6.0*s-25.0)/s"): (False, "math-verify keeps 0.1 as a binary float, so "
                                                                     "sympy's difference is a tiny multiple, not 0"),
    ("sin(x/2)*cos(x)", "sin(x/2)/(1+tan(x)*tan(x/2))"): (False, "an identity wherever both are defined; sympy does "
                                                                 "not prove it"),
    ("sqrt(1/x)", "1/sqrt(x)"): (False, "both have values exactly for x > 0 and agree there; sympy does not rewrite "
                                        "sqrt(1/x) for a real x"),
    ("6*(x-2)^(3*k)", "6*((x-2)^3)^k"): (False, "both have values for x > 2 (and for whole k) and agree there; sympy "
                                                "does not merge the powers of a real base"),
    ("((x+3)*(x^2+6*x+9))^(1/3)", "((x+3)^2*(x+3))^(1/3)"): (False, "the same cube: (x+3)(x²+6x+9) = (x+3)³; "
                                                                    "sympy does not expand under a fractional power"),
    ("(-cos(x))^n", "(-1)^n*cos(x)^n"): (False, "equal wherever both are real (the left only for whole n); sympy "
                                                "keeps them apart for a real n"),
    ("log(abs(x-3))+log(abs(x+3))", "log(abs((x^2-9)))"): (False, "an identity over the reals (x ≠ ±3); sympy does "
                                                                  "not split the log of an absolute product"),
    ("y^log(x)", "x^log(y)"): (False, "both are exp(log x · log y) for x, y > 0, where both have values; sympy does "
                                      "not rewrite the power"),
    ("-log((1-x)/(x+1))", "log((x+1)/(1-x))"): (False, "the same for -1 < x < 1, where both have values; sympy "
                                                       "does not move the minus into the log"),
}


# -- LaTeX from a whitelisted tree ------------------------------------------------------
_FUNCTIONS = {"exp": r"\exp", "log": r"\ln", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "cot": r"\cot",
              "sec": r"\sec", "csc": r"\csc", "sinh": r"\sinh", "cosh": r"\cosh", "tanh": r"\tanh",
              "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan", "max": r"\max", "min": r"\min"}


def latex(node) -> str:
    """A tree printed as LaTeX, bracketed wherever a reader might regroup it."""
    if isinstance(node, N.Num):
        return _number(node.value)
    if isinstance(node, N.Sym):
        return _name(node.name)
    if isinstance(node, N.Add):
        out = latex(node.terms[0])
        for term in node.terms[1:]:
            out += f" - {_group(term.arg)}" if isinstance(term, N.Neg) else f" + {latex(term)}"
        return out
    if isinstance(node, N.Neg):
        return f"-{_group(node.arg)}"
    if isinstance(node, N.Mul):
        return r" \cdot ".join(_group(f) for f in node.factors)
    if isinstance(node, N.Div):
        return rf"\frac{{{latex(node.num)}}}{{{latex(node.den)}}}"
    if isinstance(node, N.Pow):
        return f"{{{_group(node.base, atoms_only=True)}}}^{{{latex(node.exp)}}}"
    if isinstance(node, N.Func):
        return _function(node)
    if isinstance(node, (N.Norm,)):
        return rf"\left|{latex(node.arg)}\right|"
    if isinstance(node, (N.Transpose, N.Trace)):
        return latex(node.arg)
    raise ValueError(f"no LaTeX for {type(node).__name__}")


def _function(node) -> str:
    args = ", ".join(latex(a) for a in node.args)
    if node.name == "sqrt":
        return rf"\sqrt{{{args}}}"
    if node.name == "abs":
        return rf"\left|{args}\right|"
    if node.name == "sigmoid":
        return rf"\frac{{1}}{{1 + e^{{-{_group(node.args[0])}}}}}"
    if node.name == "exp" and node.args == (N.Num(Fraction(1)),):
        return "e"
    return rf"{_FUNCTIONS[node.name]}\left({args}\right)"


def _group(node, atoms_only: bool = False) -> str:
    atom = isinstance(node, (N.Sym, N.Func, N.Norm)) or (isinstance(node, N.Num) and node.value >= 0 and
                                                          (node.value.denominator == 1 or not atoms_only))
    return latex(node) if atom else rf"\left({latex(node)}\right)"


def _number(value: Fraction) -> str:
    """A decimal as written (0.99999999, exactly), any other fraction as \\frac."""
    for places in range(60):
        scaled = value * 10 ** places
        if scaled.denominator == 1:
            digits = str(scaled.numerator).rjust(places + 1, "0")
            return digits[:len(digits) - places] + ("." + digits[-places:] if places else "")
    return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"


def _name(name: str) -> str:
    base, _, sub = name.partition("_")
    if sub == "tilde":
        return rf"\tilde{{{_name(base)}}}"
    if name == "pi":
        return r"\pi"
    base = f"\\{base}" if base in GREEK else base
    return f"{base}_{{{sub}}}" if sub else base


# -- the pairs ---------------------------------------------------------------------------
def _is_latex(text: str) -> bool:
    return "\\" in text or "$" in text


def table_pairs() -> list:
    """(expected, given, symbols, LaTeX of each) for the scalar pairs with LaTeX on a side."""
    out = []
    for a, b, symbols, _ in PAIRS:
        if not (_is_latex(a) or _is_latex(b)):
            continue
        ctx = parse_symbol_spec(symbols)
        try:
            trees = [read(a, ctx), read(b, ctx)]
        except ExprError:
            continue        # a pair dlcheck refuses to read (the table says so) has nothing to compare
        if any(is_matrix(t, ctx) for t in trees):
            continue
        sides = [text.strip().strip("$") if _is_latex(text) else latex(tree) for text, tree in zip((a, b), trees)]
        out.append((a, b, symbols, *sides))
    return out


def stack_pairs() -> list:
    """STACK's plain pairs (teacher's answer first), printed as LaTeX."""
    out, ctx = [], parse_symbol_spec("")
    for row in plain_rows(ROWS):
        try:
            sides = [latex(read(text, ctx)) for text in (row.teacher, row.student)]
        except ExprError:
            sides = [row.teacher, row.student]     # math-verify gets what dlcheck could not read, as written
        out.append((row.teacher, row.student, "", *sides))
    return out


def math_verify_says(gold: str, given: str):
    """True, False, "unread" (math-verify found no expression) or "timeout"."""
    import math_verify  # noqa: F401 - imported once here, inherited by each forked check

    try:
        return run_limited(_verify, gold, given, seconds=SECONDS)
    except Timeout:
        return "timeout"


def _verify(gold: str, given: str):
    from math_verify import LatexExtractionConfig, parse, verify

    config = [LatexExtractionConfig()]
    parsed = [parse(f"${text}$", extraction_config=config) for text in (gold, given)]
    return verify(*parsed) if all(parsed) else "unread"


def dlcheck_says(expected: str, given: str, symbols: str):
    try:
        return check_texts(expected, given, parse_symbol_spec(symbols)).equivalent
    except ExprError:
        return "refused"


PAIRS_COMPARED = table_pairs() + stack_pairs()


@pytest.mark.parametrize("a, b, symbols, latex_a, latex_b", PAIRS_COMPARED,
                         ids=[f"{i}" for i in range(len(PAIRS_COMPARED))])
def test_math_verify_agrees_or_the_difference_is_explained(a, b, symbols, latex_a, latex_b):
    pytest.importorskip("math_verify")
    ours, theirs = dlcheck_says(a, b, symbols), math_verify_says(latex_a, latex_b)
    if (a, b) in DIFFERENCES:
        listed, reason = DIFFERENCES[(a, b)]
        assert theirs == listed and ours != theirs, f"listed ({reason}) but math-verify says {theirs}, dlcheck {ours}"
        return
    assert ours == theirs, (f"dlcheck says {ours}, math-verify {theirs} on {latex_a!r} and {latex_b!r}: "
                            "list the pair in DIFFERENCES with the reason")


def test_the_comparison_covers_both_sets():
    assert len(table_pairs()) >= 20
    assert not ROWS or len(stack_pairs()) == 70


@pytest.mark.parametrize("text", ["lambda/(2*eta)", "x^log(y)", "-(2*k+6)/(k^2+4*k-12)", "e^x - 1",
                                  "(a^b)^c", "0.333333333333333*x^2", "|x - 1| + sqrt(x)"])
def test_the_latex_printer_reads_back_as_the_same_tree(text):
    ctx = parse_symbol_spec("lambda,eta:positive")
    tree = read(text, ctx)
    assert check_texts(latex(tree), text, ctx).decided_by == "exact"
