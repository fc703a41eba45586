"""Grading: rules (known mistakes, variants), scores, the critique audit."""
from conftest import verdicts


def result(report, key):
    return next(r for r in report.results if f"{r.problem.split('/', 1)[1]}/{r.part}" == key)


def test_known_mistake_feedback(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          3.2: {cnn_neurons: 49168, cnn_params: 21123, fcnn_neurons: 4032, fcnn_params: 10067904}
    """)
    assert "'valid' convolutions" in result(report, "3.2/cnn_neurons").feedback
    assert "ignore them" in result(report, "3.2/cnn_params").feedback
    assert "pooling layers' outputs" in result(report, "3.2/fcnn_neurons").feedback
    assert all(result(report, f"3.2/{p}").verdict == "incorrect"
               for p in ("cnn_neurons", "cnn_params", "fcnn_neurons", "fcnn_params"))


def test_partial_credit_and_score(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          "2.1.2": {forward: "O(t)", backward: "O(t)"}
    """)
    forward = result(report, "2.1.2/forward")
    assert forward.verdict == "partial" and forward.score == 0.5 and forward.max_score == 1
    assert "known variant: graph_kept" in forward.notes
    assert result(report, "2.1.2/backward").score == 1


def test_review_parts_are_out_of_the_score(grade_yaml):
    report = grade_yaml("""
        answers:
          csc413-a2/3.3: "kernel size, stride and depth"
    """)
    r = result(report, "3.3/factors")
    assert r.verdict == "review" and r.max_score == 0 and r.rubric
    # the file is scored against the whole set its id names (issue 17); review parts add nothing
    assert report.max_score == sum(x.max_score for x in report.results if x.verdict != "review")
    assert all(x.max_score == 0 for x in report.results if x.verdict == "review")


def test_missing_parts_of_the_set_are_listed(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          3.1: {padding: 1}
    """)
    v = verdicts(report)
    assert v["3.1/output"] == "missing" and v["3.2/cnn_neurons"] == "missing"
    assert "1.2.1/counterexample" not in v  # optional parts are not missing
    assert report.score == 1


def test_counterexample_is_simulated(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          "1.2.1":
            counterexample: {eta: 0.01, beta: 0.9, eps: 1.0e-8}
    """)
    r = result(report, "1.2.1/counterexample")
    assert r.verdict == "correct" and r.decided_by == "simulation"
    assert "reaches zero loss at [0.6667, 0.6667]" in r.feedback


def test_critique_that_calls_a_wrong_answer_correct(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          3.2:
            answer: {cnn_neurons: 3072, cnn_params: 21024, fcnn_neurons: 4992, fcnn_params: 10063872}
            critique: {verdict: correct}
          3.1:
            answer: {padding: 1, output: [[0, 0, -1, -1, -1], [-1, -2, 3, 2, 4], [4, 2, 1, 2, -2], [-2, 3, 1, 3, -1], [0, -2, 4, -2, 0]]}
            critique: {verdict: incorrect, answer: {padding: 2}}
    """)
    c32, c31 = (next(c for c in report.critiques if c.problem.endswith(k)) for k in ("3.2", "3.1"))
    assert c32.critique_right is False and c32.actual_verdict == "incorrect"
    assert "the reviewer called a wrong answer correct" in c32.flags
    assert c31.critique_right is False and "called a correct answer wrong" in c31.flags[0]
    assert c31.critique_answer_verdict == "incorrect"
    assert "padding = 2 (expected 1)" in c31.flags[1]


def test_critique_without_decidable_answer_is_not_guessed(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          3.3:
            answer: "kernel size, stride and depth"
            critique: {verdict: correct}
    """)
    c = report.critiques[0]
    assert c.critique_right is None and "review" in c.reason


def test_critique_calling_lambda_over_n_correct_is_flagged(grade_yaml):
    report = grade_yaml("""
        set: csc413-a2
        answers:
          "2.3.2":
            answer: \\lambda/n
            critique: {verdict: correct}
    """)
    c = report.critiques[0]
    assert c.critique_right is False and c.flags == ["the reviewer called a wrong answer correct"]
    r = result(report, "2.3.2/lambda_tilde")
    assert r.verdict == "incorrect" and "1/n scales the data term" in r.feedback


def test_solver_failure_costs_one_problem(write_yaml, bank, monkeypatch):
    from dlcheck import reference
    from dlcheck.grade import Grader
    from dlcheck.submission import load_submission

    real = reference.run_solver

    def broken(problem, bank_):
        if problem.id == "3.1":
            raise reference.SolverError("boom")
        return real(problem, bank_)

    monkeypatch.setattr(reference, "run_solver", broken)
    path = write_yaml("set: csc413-a2\nanswers:\n  3.1: {padding: 1}\n  3.2: {cnn_params: 21024}\n")
    report = Grader(bank, use_cache=False).grade(load_submission(path, bank))
    v = verdicts(report)
    assert v["3.1/padding"] == "review" and v["3.2/cnn_params"] == "correct"
    assert any("boom" in e.message for e in report.errors)


def test_flawed_working_is_named_even_when_the_value_is_right(grade_yaml):
    report = grade_yaml("""
        set: islr-cnn-hw
        answers:
          p2:
            answer: {distances: [3, 2, 3.162, 2.236, 1.414, 1.732]}
            trace: "obs1 = (0+3+0)/3 = 3"
    """)
    r = result(report, "p2/distances")
    assert r.verdict == "correct" and "sum of squares" not in r.feedback
    assert any(n.startswith("in the working: the distance is written as (x1 + x2 + x3)/3") for n in r.notes)
