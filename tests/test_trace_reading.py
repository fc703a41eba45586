"""Issue 15: the audit on working written by strangers (none of these traces is one of the
bank's answers): function words set as text, a quantity written as a function of its
point, totals stated in a sentence, and the layer walk of a network's shapes."""
from dlcheck.reference import references, working_values
from dlcheck.trace import audit_trace
from dlcheck.trace.layers import reference_shapes, shape_checks


def _audit(bank, pid: str, text: str):
    problem = bank.problem(pid)
    return audit_trace(problem, text, references(problem, bank),
                       simulate=lambda settings: working_values(problem, bank, settings))


def _wrong_line(audit):
    return audit.earliest_wrong.line if audit.earliest_wrong else None


def test_log_written_as_text_and_the_probability_as_a_function_of_its_point(bank):
    # \text{Log} is the logarithm (not L·o·g) and P(x) the probability the problem asks for
    wrong = "$$\\text{Log}\\left(\\frac{P(x)}{1-P(x)}\\right) = -4 + 0.07 \\cdot 40 + 3.5 = 2.3$$\n"
    assert _wrong_line(_audit(bank, "islr-cnn-hw/p3", wrong)) == 1
    sound = "$$\\text{Log}\\left(\\frac{P(x)}{1-P(x)}\\right) = -6 + 0.05 \\cdot 40 + 3.5 = -0.5$$\n$$P(x) = 0.3775$$\n"
    audit = _audit(bank, "islr-cnn-hw/p3", sound)
    assert audit.earliest_wrong is None
    assert [s.status for s in audit.steps] == ["ok", "ok"]


def test_a_total_stated_in_a_sentence_is_checked_against_the_answer(bank):
    text = ("Each layer keeps its size.\n"
            "The total number of neurons in the CNN is $32 \\times 32 \\times 3 \\times 20 = 61,440$.\n")
    audit = _audit(bank, "csc413-a2/3.2", text)
    assert _wrong_line(audit) == 2 and "cnn_neurons is 61632" in audit.earliest_wrong.reason
    right = "The total number of neurons in the CNN is $32768 + 8192 + 16384 + 4096 + 192 = 61632$.\n"
    assert _audit(bank, "csc413-a2/3.2", right).earliest_wrong is None
    # one layer's count in a sentence without "total" states no total
    layer = "The number of neurons in the first CNN layer is $32 \\times 32 \\times 32 = 32768$.\n"
    assert _audit(bank, "csc413-a2/3.2", layer).earliest_wrong is None


def test_the_layer_walk_flags_the_first_shape_that_is_not_the_solvers(bank):
    problem = bank.problem("convnets-hw3/q4")
    refs = references(problem, bank)
    assert [dims for dims, _ in reference_shapes(refs)[:3]] == [(32, 254, 254), (32, 127, 127), (64, 125, 125)]
    text = ("input 256×256×1\n"
            "conv(32, 3) → 254×254×32\n"
            "pool → 127×127×32\n"
            "conv(64, 3) → 124×124×64 (padding forgotten twice)\n"
            "pool → 62×62×64\n")
    checks = shape_checks(text, refs, problem.given["input"])
    assert [(c.line, c.status) for c in checks] == [(4, "wrong")] and "125×125×64" in checks[0].reason
    assert _wrong_line(_audit(bank, "convnets-hw3/q4", text)) == 4


def test_the_layer_walk_accepts_skipped_layers_channels_first_and_stops_where_it_cannot_place(bank):
    problem = bank.problem("convnets-hw3/q3a")
    refs = references(problem, bank)
    skipped = "Conv1D: (498, 16)\nConv1D: (245, 32)\nConv1D → 118×64\nFlatten → 3776\n"
    assert shape_checks(skipped, refs, problem.given["input"]) == []
    channels_first = "conv → 16×498\npool → 16×249\n"
    assert shape_checks(channels_first, refs, problem.given["input"]) == []
    elsewhere = "kernel: 5×5\nconv → 498×16\n"        # a kernel's size shares nothing with the next output
    assert shape_checks(elsewhere, refs, problem.given["input"]) == []


def test_an_entry_of_a_matrix_answer_is_checked_by_its_name_or_its_position(bank):
    # dy/dF11 is entry (1,1) of the answer dy/dF (the average pooling's 1/4 is in it)
    text = "y = (1 + 2 - 10 + 8)/4 = 0.25\ndy/dF11 = 3 + 4 + 2 + 1 = 10\n"
    assert _wrong_line(_audit(bank, "convnets-hw3/q2", text)) == 2
    assert _audit(bank, "convnets-hw3/q2", "dy/dF_{11} = (3 + 4 + 2 + 1)/4 = 2.5\n").earliest_wrong is None
    # "(2,3) = …" labels an entry of the one matrix 3.1 asks for
    rows = "Row 2: (2,2) = 0 − (1+1) = −2; (2,3) = 5 − (1+1) = 3\nRow 3: (3,3) = 5 − 2 = 3\n"
    audit = _audit(bank, "csc413-a2/3.1", rows)
    assert _wrong_line(audit) == 2 and "entry (3,3)" in audit.earliest_wrong.reason


def test_a_layer_named_as_the_solver_names_it_states_its_parameter_count(bank):
    text = "flatten = 30*30*128 = 115200\ndense128 = 115200*128 = 14745600\n"
    assert _wrong_line(_audit(bank, "convnets-hw3/q4", text)) == 2
    assert _audit(bank, "convnets-hw3/q4", "dense128 = 115200*128 + 128 = 14745728\n").earliest_wrong is None


def test_a_formula_restated_at_the_point_its_line_gives(bank):
    text = ("Distance to the origin: $d = \\sqrt{X_1^2 + X_2^2 + X_3^2}$\n"
            "- first $(2,0,0)$: $d = \\sqrt{4} = 2$\n"
            "- second $(1,1,2)$: $d = \\sqrt{1 + 1 + 2} = 2$\n")
    audit = _audit(bank, "islr-cnn-hw/p2", text)
    assert _wrong_line(audit) == 3 and "X_3 = 2" in audit.earliest_wrong.reason
    assert _audit(bank, "islr-cnn-hw/p2", text.replace("1 + 1 + 2} = 2", "1 + 1 + 4} = 2.449")).earliest_wrong is None


def test_the_gradient_a_gradient_step_implies_and_no_hessian_from_it(bank):
    # 2.2.3 fixes w₁ = w₀ − η∇L(w₀) (its solver's fact) but not L: ∇L(w₀) is (w₀ − w₁)/η
    half = "$$\\nabla_w L(w_0) = \\frac{1}{n}X^\\top(Xw_0 - t)$$\n"
    assert _wrong_line(_audit(bank, "csc413-a2/2.2.3", half)) == 1
    sound = "$$\\nabla_w L(w_0) = \\frac{2}{n}X^\\top(Xw_0 - t)$$\nH = ∇²L = (2/n)XᵀX\n"
    assert _audit(bank, "csc413-a2/2.2.3", sound).earliest_wrong is None
    # ∇²L is the Jacobian of that gradient: (2/n)XᵀX, not (1/n)XᵀX
    assert _wrong_line(_audit(bank, "csc413-a2/2.2.3", sound.replace("(2/n)XᵀX", "(1/n)XᵀX"))) == 2


def test_a_loss_the_working_writes_must_have_the_problems_gradient(bank):
    # dropping the 1/n changes ∇L (2.2.3 fixes it through its step w₁), though not the minimiser
    dropped = "work with L(w) = ‖Xw − t‖²\n"
    audit = _audit(bank, "csc413-a2/2.2.3", dropped)
    assert _wrong_line(audit) == 1 and "gradient" in audit.earliest_wrong.reason
    assert _audit(bank, "csc413-a2/2.2.3", "L(w) = (1/n)‖Xw − t‖² + 3\n").earliest_wrong is None
