"""The equivalence table, parser properties, and the hostile corpus."""
import builtins
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from data.equivalence_table import PAIRS
from dlcheck.mathexpr import ExprError
from dlcheck.mathexpr.context import parse_symbol_spec
from dlcheck.mathexpr.equiv import check_texts, read


def ctx_for(symbols: str):
    return parse_symbol_spec(symbols)


def test_the_table_is_large_and_mixed():
    assert len(PAIRS) >= 150
    assert sum(1 for p in PAIRS if p[3] is True) >= 60 and sum(1 for p in PAIRS if p[3] is False) >= 40
    assert sum(1 for p in PAIRS if ":" in p[2] and "*" in p[2]) >= 40   # matrix pairs


@pytest.mark.parametrize("a, b, symbols, expected", PAIRS, ids=[f"{i}" for i in range(len(PAIRS))])
def test_equivalence_table(a, b, symbols, expected):
    ctx = ctx_for(symbols)
    if expected is None:
        # either a clear refusal (shape clash, unsupported notation) or an honest "cannot decide / not equal"
        try:
            result = check_texts(a, b, ctx)
        except ExprError:
            return
        assert result.equivalent is not True
        return
    result = check_texts(a, b, ctx)
    assert result.equivalent is expected, (result.decided_by, result.detail)
    if expected is False and result.decided_by == "numeric" and "*" not in symbols:
        assert result.counterexample["point"] is not None


def test_reading_of_slash_then_product_is_stated():
    """λ/2η is (λ/2)·η here; the grader notes the reading when such an answer is wrong."""
    from dlcheck.kinds import module, parse
    from dlcheck.mathexpr.context import parse_symbol_spec
    from dlcheck.spec import PartSpec

    part = PartSpec("lambda_tilde", "expr", math=parse_symbol_spec("lambda,eta:positive"))
    got = parse("expr", "λ/2η", part)
    outcome = module("expr").compare("lambda/(2*eta)", got, part)
    assert outcome.verdict == "incorrect" and any("(a/2)·b" in n for n in outcome.notes)


def test_shape_clash_names_the_operands():
    ctx = ctx_for("X:n*d;t:n;w:d")
    with pytest.raises(ExprError, match=r"cannot multiply X \(n×d\) by t \(vector of length n\)"):
        read("X t", ctx)
    with pytest.raises(ExprError, match="cannot add a vector of length n and a vector of length d"):
        read("X w + w", ctx)
    with pytest.raises(ExprError, match="cannot invert X, a n×d matrix that is not square"):
        read("X^{-1} t", ctx)


def test_unknown_symbols_list_the_allowed_ones():
    ctx = ctx_for("X:n*d;w_0:d;eta:positive")
    ctx.free_letters = False
    with pytest.raises(ExprError) as info:
        read("eta W", ctx)
    assert "unknown symbol 'W'" in str(info.value) and "allowed: X, eta, w_0" in str(info.value)
    assert info.value.pointed().splitlines()[-1].endswith("^")


# -- property: random trees print to plain and LaTeX that read back equal ---------
LEAVES = st.sampled_from(["x", "y", "z", "2", "3", "1/2"])


def trees():
    return st.recursive(
        LEAVES.map(lambda s: ("leaf", s)),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["+", "-", "*", "/"]), inner, inner),
            st.tuples(st.just("^"), inner, st.sampled_from(["2", "3"])),
            st.tuples(st.sampled_from(["exp", "sin", "cos", "sqrt"]), inner),
        ),
        max_leaves=6,
    )


def plain(t) -> str:
    if t[0] == "leaf":
        return f"({t[1]})" if "/" in t[1] else t[1]
    if t[0] in ("+", "-", "*", "/"):
        return f"({plain(t[1])} {t[0]} {plain(t[2])})"
    if t[0] == "^":
        return f"({plain(t[1])})^{t[2]}"
    return f"{t[0]}({plain(t[1])})" if t[0] != "sqrt" else f"sqrt(({plain(t[1])})^2)"


def latex(t) -> str:
    if t[0] == "leaf":
        return r"\frac{1}{2}" if t[1] == "1/2" else t[1]
    if t[0] == "+":
        return rf"\left({latex(t[1])} + {latex(t[2])}\right)"
    if t[0] == "-":
        return rf"\left({latex(t[1])} - {latex(t[2])}\right)"
    if t[0] == "*":
        return rf"{{{latex(t[1])}}} \cdot {{{latex(t[2])}}}"
    if t[0] == "/":
        return rf"\frac{{{latex(t[1])}}}{{{latex(t[2])}}}"
    if t[0] == "^":
        return rf"\left({latex(t[1])}\right)^{{{t[2]}}}"
    if t[0] == "sqrt":
        return rf"\sqrt{{\left({latex(t[1])}\right)^2}}"
    return rf"\{t[0]}\left({latex(t[1])}\right)"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_plain_and_latex_printings_are_equivalent(tree):
    ctx = ctx_for("x,y,z:positive")
    result = check_texts(plain(tree), latex(tree), ctx)
    assert result.equivalent is not False, (plain(tree), latex(tree), result.detail)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.text(alphabet="xyXabt_^{}()[]|\\.T+-*/=,0123456789 ²ᵀ‖λη$", max_size=40))
def test_reading_any_text_raises_only_expr_errors(text):
    ctx = ctx_for("X:n*d;t:n;x,y:positive")
    try:
        read(text, ctx)
    except ExprError:
        pass


# -- the hostile corpus --------------------------------------------------------------
HOSTILE = [
    "__import__('os').system('touch /tmp/dlcheck-pwned')", "__import__", "os.system('ls')", "eval('1')",
    "exec('import os')", "lambda: 1", "lambda x: x", "x.__class__", "().__class__.__bases__[0]",
    "__builtins__", "globals()", "open('/etc/passwd')", "import os", "x; import os", "x if y else z",
    "[x for x in range(10**9)]", "getattr(x, 'y')", "x.__dict__", "sympify('x')", "x\x00y",
    "9" * 60, "10^10^10^10", "2^2^2^2^2^2", "x^(10^100)", "10**100000", "2^99999",
    "exp(exp(exp(exp(100))))", "100!", "factorial(10^6)", "(" * 10000 + "x" + ")" * 10000,
    "x" * 1_000_000, "ℯ^x", "ｘ + 1", "х + 1", "\\input{/etc/passwd}", "\\def\\x{1}", "\\sum_{i=1}^{n} i",
    "\\int x dx", "{" * 500, "||||||||", "$$$$", "x^{{{{{{{{{{{{{{{{{{{{}}}}}}}}}}}}}}}}}}}}",
    "sin(" * 200 + "x" + ")" * 200, "1e999999", "x^1e400", "'; DROP TABLE students; --",
    "x²³⁴", "١٢٣ + x", "x ⁿ", "²",
]


@pytest.fixture()
def no_eval(monkeypatch):
    """eval/exec of *text* fails the test (importing a module execs a code object: allowed)."""
    real_eval, real_exec = builtins.eval, builtins.exec

    def guard(real):
        def call(source, *args, **kwargs):
            if isinstance(source, (str, bytes)):
                raise AssertionError(f"{real.__name__} was called on text: {source[:80]!r}")
            return real(source, *args, **kwargs)
        return call
    monkeypatch.setattr(builtins, "eval", guard(real_eval))
    monkeypatch.setattr(builtins, "exec", guard(real_exec))


def test_hostile_corpus_size():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_input_is_refused_or_times_out(text, no_eval):
    from dlcheck.kinds import module, parse
    from dlcheck.spec import PartSpec
    from dlcheck.verdict import Invalid

    ctx = ctx_for("x,y,z:positive")
    ctx.timeout = 2.0
    part = PartSpec("answer", "expr", math=ctx)
    start = time.monotonic()
    value = parse("expr", text, part)
    if not isinstance(value, Invalid):
        outcome = module("expr").compare("x + 1", value, part)
        assert outcome.verdict in ("incorrect", "timeout", "invalid"), outcome   # never review: an automatic part counts
    assert time.monotonic() - start < ctx.timeout + 1
    assert not os.path.exists("/tmp/dlcheck-pwned")
