"""Issue 15's benchmark machinery (tests/tracebench.py): the independent reader,
the mutation operators (seeded, line-preserving, every mutant confirmed wrong),
and the ProcessBench scoring. No threshold on the audit's own figures here:
those are `make bench` (bench/bench_trace.py --benchmark)."""
import random

import numpy as np
import pytest

import tracebench as tb

SAMPLE = ("csc413-a2/2.2.1", "convnets-hw3/q3a", "islr-cnn-hw/p10b")


@pytest.fixture(scope="module")
def traces():
    return tb.load_independent()


@pytest.fixture(scope="module")
def sample(traces):
    return [t for t in traces if t.sound and t.problem in SAMPLE]


@pytest.fixture(scope="module")
def mutants(sample):
    made, tally = tb.make_mutants(sample, seed=15, per_op=1)
    return made, tally


def test_the_independent_set_is_as_its_readme_says(traces):
    assert len(traces) == 87
    assert sum(t.sound for t in traces) == 50
    flawed = [t for t in traces if not t.sound]
    assert all(1 <= t.wrong_line <= len(t.lines) and t.lines[t.wrong_line - 1].strip() for t in flawed)


# -- the reader ------------------------------------------------------------------
def _value(problem, text, env=None):
    reader = tb.Reader(problem)
    env = env if env is not None else tb.base_env(problem, 0, "test")
    return reader.value(text, env)


def test_the_three_styles_read_the_same():
    env = tb.base_env("csc413-a2/2.2.1", 0, "test")
    latex = _value("csc413-a2/2.2.1", r"\frac{1}{n}\left\| a - \frac{2\eta}{n} XX^\top a \right\|_2^2", env)
    plain = _value("csc413-a2/2.2.1", "1/n ||a - 2 eta/n X X^T a||^2", env)
    uni = _value("csc413-a2/2.2.1", "(1/n) ‖a − (2η/n) XXᵀa‖²", env)
    X, a, n, eta = env["X"], env["a"], 3.0, env["eta"][0, 0]
    direct = float(np.sum((a - 2 * eta / n * X @ X.T @ a) ** 2) / n)
    assert [latex[0, 0], plain[0, 0], uni[0, 0]] == pytest.approx([direct] * 3)


def test_numbers_as_written():
    assert _value("convnets-hw3/q4", r"(3\cdot3\cdot64 + 1)\cdot128")[0, 0] == 73856
    assert _value("convnets-hw3/q4", "73{,}856")[0, 0] == 73856
    assert _value("convnets-hw3/q3a", "497,349")[0, 0] == 497349
    assert _value("csc413-a2/3.2", "32x32x3")[0, 0] == 3072
    assert _value("convnets-hw3/q3a", "floor(245/2)")[0, 0] == 122
    assert _value("islr-cnn-hw/p3", "1/(1 + e^0.5)")[0, 0] == pytest.approx(0.37754, abs=1e-5)
    grid = _value("convnets-hw3/q2", r"\frac14\begin{bmatrix} 3+4+2+1 & 4+5+1-3 \\ 2+1+4-2 & 1-3-2+0 \end{bmatrix}")
    assert grid.tolist() == [[2.5, 1.75], [1.25, -1.0]]


def test_a_misplaced_transpose_does_not_type_check():
    with pytest.raises(tb.ShapeClash):
        _value("csc413-a2/2.2.1", "X^T X a")                  # a is in R^n, X^T X is d x d
    with pytest.raises(tb.ReadError):
        _value("csc413-a2/2.2.1", "the loss after one step")   # prose is refused, never guessed


@pytest.mark.parametrize("problem", SAMPLE)
def test_every_relation_the_reader_can_read_in_a_sound_trace_holds(traces, problem):
    checked = 0
    for trace in (t for t in traces if t.sound and t.problem == problem):
        for li, chain, j, holds in tb.relation_checks(tb.analyse(trace)):
            assert holds, (trace.id, li + 1, chain.sides[j].text, chain.sides[j + 1].text)
            checked += 1
    assert checked >= 10


# -- confirming an edit wrong ----------------------------------------------------------------
def _trace(problem, text):
    return tb.Trace(problem, "hand-made", text, True, style="terse")


def _edit(analysis, line, old, new, occurrence=0):
    text = analysis.lines[line]
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(old, start + 1)
    return tb.Edit(line, start, start + len(old), new, "test")


def test_confirm_keeps_wrong_edits_and_drops_harmless_ones():
    a = tb.analyse(_trace("dl-principles/3c", "W = 32, F = 5, P = 0, S = 1\nout = (W - F + 2P)/S + 1 = 28"))
    assert tb.confirm(a, _edit(a, 1, "2P", "P")) == (None, "still true (the edit keeps the identity)")   # P = 0
    assert tb.confirm(a, _edit(a, 1, "28", "29"))[0] == "strong"
    assert tb.confirm(a, _edit(a, 0, "32", "31"))[0] is None                                          # a setting
    b = tb.analyse(_trace("csc413-a2/2.2.1", "let a = X w0 - t\nX w1 - t = a - 2 eta/n X X^T a"))
    assert tb.confirm(b, _edit(b, 1, "X X^T", "X^T X"))[0] == "shape"
    assert tb.confirm(b, _edit(b, 0, "- t", "+ t"))[0] is None                                          # a definition
    c = tb.analyse(_trace("islr-cnn-hw/p3", "z = -6 + 0.05*40 + 1*3.5 = -0.5"))
    assert tb.confirm(c, _edit(c, 0, "1*", ""))[0] is None                                            # 1·3.5 = 3.5


def test_scaling_a_side_of_an_equation_to_zero_is_no_error():
    a = tb.analyse(_trace("csc413-a2/2.2.3", "L1 = 1/n ||a||^2\n2 eta - 4 = 0"))
    status, reason = tb.confirm(a, tb.Edit(1, 0, 0, "3*", "test"))   # 3*2 eta - 4 = 0 has another root ...
    assert status is not None
    b = tb.analyse(_trace("csc413-a2/2.2.3", "L1 = 1/n ||a||^2\n(2 eta - 4) = 0"))
    assert tb.confirm(b, tb.Edit(1, 0, 0, "3*", "test")) == (None, "scales one side of `... = 0` (the root survives)")


# -- the mutants -----------------------------------------------------------------------------
def test_mutants_are_line_preserving_labelled_and_confirmed(sample, mutants):
    made, tally = mutants
    assert len(made) >= 40
    sources = {t.id: t for t in sample}
    for m in made:
        src = sources[m.source]
        assert len(m.lines) == len(src.lines)
        assert m.lines[:m.wrong_line - 1] == src.lines[:m.wrong_line - 1]    # nothing changes before the label
        assert m.lines[m.wrong_line - 1] != src.lines[m.wrong_line - 1]      # the label line is the first change
        assert m.confirmed in ("strong", "weak", "shape") and not m.sound and m.op in tb.OPERATORS
    assert {m.op for m in made} == set(tb.OPERATORS)
    assert sum(tally.kept.values()) == len(made)


def test_final_transcription_and_compensating_mutants(sample, mutants):
    made, _ = mutants
    sources = {t.id: t for t in sample}
    for m in made:
        src = sources[m.source]
        final = tb.final_line(tb.analyse(src))
        changed = [k for k, (x, y) in enumerate(zip(src.lines, m.lines)) if x != y]
        if m.op == "final_transcription":
            assert changed == [final]
        if m.op == "compensating":
            assert m.answer_kept and final not in changed and m.wrong_line - 1 < final


def test_mutants_are_reproducible(sample, mutants):
    made, _ = mutants
    again, _ = tb.make_mutants(sample, seed=15, per_op=1)
    assert [(m.id, m.text) for m in again] == [(m.id, m.text) for m in made]
    other, _ = tb.make_mutants(sample, seed=16, per_op=1)
    assert [m.text for m in other] != [m.text for m in made]


# -- scoring ---------------------------------------------------------------------------------
def _prediction(sound, label, line, statuses=None):
    trace = tb.Trace("p/q", f"t{random.random()}", "\n".join(f"line {k}" for k in range(1, 11)), sound,
                     None if sound else label)
    span = (line, line) if line is not None else None
    return tb.Prediction(trace, line, line, span, statuses or {"ok": 2, "undecided": 1}, 0.01)


def test_scoring_on_hand_made_predictions():
    predictions = [_prediction(False, 3, 3), _prediction(False, 5, 5), _prediction(False, 2, 4),
                   _prediction(False, 7, None), _prediction(True, None, None), _prediction(True, None, 2)]
    m = tb.metrics(predictions)
    assert (m["exact"], m["no_flag"], m["f1"]) == (0.5, 0.5, 0.5)
    assert (m["recall"], m["precision"], m["exact_if_flagged"]) == (0.75, 0.75, pytest.approx(2 / 3))
    assert m["precision_balanced"] == pytest.approx(0.75 / (0.75 + 0.5))
    assert m["undecided"] == pytest.approx(1 / 3)
    assert [tb.outcome(p) for p in predictions[:4]] == ["exact", "exact", "later", "missed"]
    assert tb.metrics(predictions[:4])["f1"] is None                       # F1 needs both kinds of trace
    assert tb.metrics([_prediction(False, 3, 3), _prediction(True, None, 1)])["f1"] == 0.0


def test_a_display_row_is_scored_on_its_own_line():
    lines = ["intro", "$$", r"w_1 = w_0 - \frac{2\eta}{n} X^\top a", "$$", r"\begin{aligned}",
             r"z &= 1 + 1 \\", r"&= 2"]
    assert tb.aligned_line(2, r"w_1 = w_0 - \frac{2\eta}{n} X^\top a", lines) == (3, 3)   # reported at `$$`
    assert tb.aligned_line(6, "= 2", lines) == (7, 7)                                       # reported a row early
    assert tb.aligned_line(3, r"w_1 = w_0 - \frac{2\eta}{n} X^\top a", lines) == (3, 3)   # already right


def test_the_audit_runs_on_a_sample(bank, sample, mutants):
    made, _ = mutants
    pick = random.Random(15).sample(made, 40)
    predictions = tb.run_audit(sample + pick, bank)
    assert len(predictions) == len(sample) + 40
    for p in predictions:
        assert p.line is None or 1 <= p.line <= len(p.trace.lines)
        assert tb.failure_kind(p) is None or isinstance(tb.failure_kind(p), str)
    m = tb.metrics(predictions)
    assert m["sound"] == len(sample) and m["flawed"] == 40
    for key in ("exact", "no_flag", "f1", "recall", "undecided"):
        assert 0.0 <= m[key] <= 1.0
    counts = tb.breakdown(predictions)
    assert sum(counts[k] for k in tb.OUTCOMES) == 40
