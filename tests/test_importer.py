"""`dlcheck import`: a markdown write-up -> a submission (issue 15, causes 9-11 and 13).

Structure comes from markdown-it (a `# 3.2` in a code fence is code), headings map
to the set's ids in the ways write-ups spell them, a reviewed answer (an LLM's
working, a reviewer's critique, the Solution that was submitted) is split into
`trace`, `critique` and `answer`, every line is the write-up's line (the
generated file's `source:` carries it to the grader's report), and `working:`
is read as `trace`. The write-ups here are small ones written for these tests;
the seeds' round trips run where ../shared/seeds exists."""
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck.cli import app
from dlcheck.errors import WriteupFileError
from dlcheck.grade import Grader
from dlcheck.submission import load_submission
from dlcheck.trace import labels
from dlcheck.trace.importer import MAX_LINES, import_writeup, notes, to_yaml
from dlcheck.trace.writeup import blocks

DATA = Path(__file__).parent / "data"
LLM = DATA / "writeups/llm_csc413.md"          # seed 000's first sections (an LLM's traces)
STUDENT = DATA / "writeups/student_csc413.md"  # seed 001's derivations (a student's, correct)
SEEDS = ROOT.parent / "shared" / "seeds"


def _md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _line_of(text: str, needle: str, start: int = 1) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if i >= start and needle in line)


def _problems(imported) -> list:
    return [s.problem for s in imported.mapped]


def _write_and_load(tmp_path, imported, bank, name="writeup.md"):
    out = tmp_path / "imported.yaml"
    out.write_text(to_yaml(imported, name), encoding="utf-8")
    return out, load_submission(out, bank)


# -- structure: markdown-it decides what can be a heading -------------------------------------
def test_a_heading_inside_a_code_fence_or_math_block_is_not_a_heading(bank):
    text = _md("""
        ### 3.1
        The code:
        ```python
        # 3.2
        x = conv(I, J)
        ```
        still 3.1, after the fence

        $$
        a = b

        3.2

        c = d
        $$

        > ### 3.2
        > a quoted heading is prose

        ### 3.3
        the factors
        """)
    imported = import_writeup(text, "csc413-a2", bank)
    assert _problems(imported) == ["3.1", "3.3"]
    first = imported.mapped[0]
    assert "# 3.2" in first.text and "x = conv(I, J)" in first.text and "still 3.1" in first.text
    assert "a quoted heading is prose" in first.text
    assert imported.unmapped == []


def test_blocks_are_top_level_with_file_lines():
    found = blocks("# One\n\n```\n# not\n```\n\n1. (2) a\n\n   more\n2. b\n\n> ## quoted\n\n$$x\n\ny$$\n")
    assert [(b.kind, b.start, b.end) for b in found] == [
        ("heading", 1, 1), ("fence", 3, 5), ("list", 7, 11), ("quote", 12, 12), ("math", 14, 16)]
    assert found[2].items == ((7, "1. (2) a"), (10, "2. b"))


def test_heading_styles_map_to_ids(bank):
    text = _md("""
        intro
        ## Problem 1 - 5 points
        a

        Question 2:

        b

        3-1:

        c

        ## Problem 99
        lost

        ### 1.1.1
        d
        """)
    islr = import_writeup(text, "islr-cnn-hw", bank)
    assert [s.problem for s in islr.sections] == [None, "p1", "p2", "p3", None, None]
    assert islr.unmapped[1].heading == "Problem 99" and "lost" in islr.unmapped[1].text
    conv = import_writeup("Question 3:\n\n3-1:\n\nx\n\n3-2:\n\ny\n", "convnets-hw3", bank)
    assert _problems(conv) == ["q3a", "q3b"]
    dl = import_writeup("1 Deep Learning Principles\n\nProblem A\n\nx\n\n2 Depth vs. Width\n\nProblem C\n\ny\n",
                        "dl-principles", bank)
    assert _problems(dl) == ["1a", "2c"]


@pytest.mark.parametrize("set_name, heading, expected", [
    ("islr-cnn-hw", "## Problem 10b", "p10b"),
    ("islr-cnn-hw", "## Problem 10 (b)", "p10b"),
    ("islr-cnn-hw", "**Problem 11e:**", "p11e"),
    ("convnets-hw3", "Question 3b", "q3b"),
    ("convnets-hw3", "### Q3b", "q3b"),
    ("convnets-hw3", "### 3.2", "q3b"),
    ("csc413-a2", "## 2.2.3.", "2.2.3"),
    ("csc413-a2", "Question 2.2.3", "2.2.3"),
    ("csc413-a2", "Question 9.9", None),
    ("dl-principles", "(3b)", "3b"),
])
def test_lettered_and_named_headings(bank, set_name, heading, expected):
    """"## Problem 10b" and "Question 3b" were missed, and their text merged silently into the
    problem before."""
    imported = import_writeup(f"Problem 1\n\nfirst\n\n{heading}\n\nthe answer\n", set_name, bank)
    found = [s for s in imported.sections if "the answer" in s.text]
    assert len(found) == 1
    assert found[0].problem == expected
    if expected:
        assert "the answer" not in imported.sections[0].text


def test_subparts_under_a_numbered_question(bank):
    text = "Question 3\n\n(a) The shapes are (498, 16).\n\n(b) Pooling halves the length.\n\nQuestion 4\n\nx\n"
    imported = import_writeup(text, "convnets-hw3", bank)
    assert _problems(imported) == ["q3a", "q3b", "q4"]
    assert imported.mapped[1].text.startswith("(b) Pooling") and imported.mapped[1].text_line == 5
    # under a question without lettered ids, "(b)" is part of the answer
    plain = import_writeup("Question 2\n\n(a) one\n\n(b) two\n", "convnets-hw3", bank)
    assert _problems(plain) == ["q2"] and "(b) two" in plain.mapped[0].text


def test_numbered_items_split_a_question_whose_ids_are_lettered(bank):
    """As a notebook export writes them: every subpart an ordered list item "1. (N) …"; the
    statements "(a)…(d)" inside the first item belong to it."""
    text = _md("""
        ## Problem 11 - 10 points

        1. (2) Which statements are true?

        (a) It is faster.

        **Answer:** False.

        (b) It decouples layers.

        1. (4) Complete the code.

        ```
        out = gamma * z + beta
        ```

        1. (1) The role of epsilon?

        It avoids a division by zero.

        1. (1) Batch size 1?

        The output is always 0.

        1. (2) Parameters of a dense 20 -> 30 layer with batch norm?

        660

        ## Problem 12
        stacks
        """)
    imported = import_writeup(text, "islr-cnn-hw", bank)
    assert _problems(imported) == ["p11a", "p11b", "p11c", "p11d", "p11e", "p12"]
    assert "(b) It decouples layers." in imported.mapped[0].text
    assert imported.mapped[2].line == _line_of(text, "(1) The role of epsilon")
    # an answer written as a numbered list (not one item per subpart) does not split
    steps = "## Problem 10\n\n1. first step\n2. second step\n3. third step\n"
    assert _problems(import_writeup(steps, "islr-cnn-hw", bank)) == ["p10a"]


def test_unmapped_sections_are_listed_in_the_file_and_on_stderr(bank, tmp_path):
    text = ("# Title\n\nMy name\n\n### 2.2\n\n### 2.2.1\n\nwork\n\n### 2.9.9\n\nstray text\n\n"
            "### 2.1.1\n\n### 2.2.3\n\nlast\n")
    imported = import_writeup(text, "csc413-a2", bank)
    assert _problems(imported) == ["2.2.1", "2.2.3"]
    assert [(s.line, s.heading) for s in imported.unmapped] == [(1, "(before the first heading)"), (11, "2.9.9")]
    assert [s.problem for s in imported.unanswered] == ["2.1.1"]
    document = to_yaml(imported, "w.md")
    assert "#   line 11: 2.9.9 (4 lines): maps to no problem of the set" in document
    assert "#   line 15: 2.1.1 (2 lines): nothing under the heading: not answered" in document
    assert "2.2:" not in document and "line 5" not in document      # "### 2.2" is structure only
    lines = notes(imported)
    assert any(line.startswith("unmapped, line 11: 2.9.9") for line in lines)
    assert any(line.startswith("not answered, line 15: 2.1.1") for line in lines)
    path = tmp_path / "w.md"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path), "--set", "csc413-a2", "-o", str(tmp_path / "o.yaml")])
    assert result.exit_code == 0 and "unmapped, line 11: 2.9.9" in result.output
    assert "not answered, line 15: 2.1.1" in result.output


def test_a_problem_that_comes_back_later_is_listed_not_merged(bank):
    imported = import_writeup("### 2.2.1\n\nfirst\n\n### 2.2.3\n\nx\n\n### 2.2.1\n\nmore\n", "csc413-a2", bank)
    assert _problems(imported) == ["2.2.1", "2.2.3"]
    assert imported.mapped[0].text == "first"
    assert imported.unmapped[0].line == 9 and "repeats 2.2.1 (first at line 1)" in imported.unmapped[0].note


def test_a_section_without_a_heading_is_the_one_problem_between_its_neighbours(bank):
    text = _md("""
        ### 2.3.2
        lambda

        3

        # I*J
        [0 1 2 1 0]

        ### 3.2
        counts
        """)
    imported = import_writeup(text, "csc413-a2", bank)
    assert _problems(imported) == ["2.3.2", "3.1", "3.2"]
    inferred = imported.mapped[1]
    assert "taken as 3.1" in inferred.note and "[0 1 2 1 0]" in inferred.text
    assert "check it" in to_yaml(imported, "w.md")
    # two candidates: not guessed, listed
    gap = import_writeup("### 2.2.3\n\nx\n\n3\n\nloose text\n\n### 3.3\n\ny\n", "csc413-a2", bank)
    assert _problems(gap) == ["2.2.3", "3.3"] and "2 problems of the set" in gap.unmapped[0].note


# -- a reviewed answer: working, critique, Solution ---------------------------------------------
REVIEWED = _md("""
    # Homework 2, reviewed

    ### 2.3.2

    **ChatGPT's answer:**

    The two updates agree when $1 - 2\\eta\\tilde\\lambda = 1 - \\lambda$, so

    $$\\tilde\\lambda = \\frac{\\lambda}{\\eta}$$

    **Critique:** The answer is wrong: the factor 2 was dropped.

    ### Solution:

    $$\\tilde\\lambda = \\frac{\\lambda}{2\\eta}$$

    ### 3.3

    ### ChatGPT trace

    A 1x1 kernel sees one pixel; stride does not change the receptive field.

    ### Review

    Stride and pooling both grow the receptive field.

    #### Solution

    Kernel size, stride and pooling.

    ### 4.1

    ChatGPT trace:

    Here is a model.

    critique of the model output:

    It builds the layers in order.

    Solution:

    ```
    class PoolUpsampleNet(nn.Module):
        def __init__(self, kernel, num_filters, num_colours, num_in_channels):
    ```
    ```
            super().__init__()
    ```
    """)


def test_a_reviewed_section_is_split_into_working_critique_and_solution(bank, tmp_path):
    """Seed 000's import folded the reviewer's critique and the Solution block into ChatGPT's
    working, and audited them as its steps."""
    imported = import_writeup(REVIEWED, "csc413-a2", bank)
    assert _problems(imported) == ["2.3.2", "3.3", "4.1"]
    lam, factors, model = imported.mapped
    assert lam.text.startswith("The two updates agree") and lam.text_line == _line_of(REVIEWED, "The two updates")
    assert "Critique" not in lam.text and "factor 2" not in lam.text and "Solution" not in lam.text
    assert lam.critique.verdict == "incorrect" and "wrong" in lam.critique.stated
    # the answer is the Solution's, not the working's λ/η
    assert lam.answers["lambda_tilde"] == ("\\frac{\\lambda}{2\\eta}", _line_of(REVIEWED, "{2\\eta}"), "extracted")
    assert factors.text == "A 1x1 kernel sees one pixel; stride does not change the receptive field."
    assert factors.answers["factors"][0] == "Kernel size, stride and pooling."
    assert factors.critique.verdict is None and factors.critique.answer.startswith("Stride and pooling")
    assert model.critique.verdict is None
    code = model.answers["model"][0]
    assert code.startswith("class PoolUpsampleNet") and "super().__init__()" in code and "```" not in code
    out, submission = _write_and_load(tmp_path, imported, bank)
    assert submission.errors == []
    entries = {e.problem_id: e for e in submission.entries}
    assert "Stride and pooling" not in entries["csc413-a2/3.3"].trace
    assert entries["csc413-a2/2.3.2"].critique.verdict == "incorrect"
    assert entries["csc413-a2/3.3"].critique.verdict is None
    document = out.read_text(encoding="utf-8")
    assert "critique: {}   # it states no verdict" in document
    assert "#   It builds the layers in order." in document      # the critique's text, as comments


def test_the_headless_reviewed_answer_is_inferred_when_one_problem_lies_between(bank):
    text = _md("""
        ### 1.1.1
        ChatGPT trace:

        a proof

        Critique: It is correct.

        Solution:

        the proof

        ChatGPT trace:

        $$w^* = [0.8, 0.4]$$

        Critique: the minimum norm solution is right.

        ### 2.1.1
        a graph
        """)
    imported = import_writeup(text, "csc413-a2", bank)
    assert _problems(imported) == ["1.1.1", "1.2.1", "2.1.1"]
    proof, rms, _ = imported.mapped
    assert proof.critique.verdict == "correct" and proof.answers["proof"][0] == "the proof"
    assert "taken as 1.2.1" in rms.note and rms.text == "$$w^* = [0.8, 0.4]$$"
    assert rms.answers["min_norm_solution"][0] == "[0.8, 0.4]"


def test_a_students_solution_label_is_part_of_the_working(bank):
    """Without a critique anywhere the write-up is not a reviewed one: "Solution:" is a label."""
    text = "### 2.3.2\n\nSolution:\n\n$$\\tilde\\lambda = \\frac{\\lambda}{2\\eta}$$\n"
    section = import_writeup(text, "csc413-a2", bank).mapped[0]
    assert section.text.startswith("Solution:") and section.critique is None
    assert section.answers["lambda_tilde"][2] == "extracted"


@pytest.mark.parametrize("critique, verdict", [
    ("It is correct", "correct"),
    ("Therefore, the above answer is correct as it is complete.", "correct"),
    ("The architecture should work correctly.", "correct"),
    ("Wrong: the stride shrinks nothing.", "incorrect"),
    ("The answer is not correct, the factor is 1/2.", "incorrect"),
    ("The minimum norm solution is [2, 1].", None),                      # contradicts, states nothing
    ("This is a standard approach; the second derivative is positive.", None),
    ("The proof is correct but the answer is wrong.", None),              # states both
])
def test_a_critique_verdict_only_where_it_is_stated(critique, verdict):
    stated = labels.stated_verdict(critique)
    assert (stated[0] if stated else None) == verdict


# -- one numbering: the write-up's lines, through the submission, into the report ------------------
SLIP = _md("""
    # RMSProp and weight decay

    Some notes before the answers,
    over a few lines,
    so that the write-up's lines are not the submission's.

    ## 2.3.2

    The updates agree when

    $$1 - \\eta\\tilde\\lambda = 1 - \\lambda$$

    so that

    $$\\tilde\\lambda = \\frac{\\lambda}{\\eta}$$
    """)


def test_the_generated_file_maps_traces_to_writeup_lines(bank, tmp_path):
    imported = import_writeup(SLIP, "csc413-a2", bank)
    section = imported.mapped[0]
    first = _line_of(SLIP, "The updates agree")
    assert section.text_line == first
    out, submission = _write_and_load(tmp_path, imported, bank, name="notes.md")
    document = out.read_text(encoding="utf-8")
    assert f"    source: {{file: \"notes.md\", line: {first}}}" in document
    assert f"# notes.md: lines 7–{SLIP.count(chr(10))} (working {first}–" in document
    entry = submission.entries[0]
    assert (entry.trace_line, entry.trace_file) == (first, "notes.md")
    assert entry.parts["lambda_tilde"].value == "\\frac{\\lambda}{\\eta}"


def test_grade_of_an_imported_file_reports_the_writeup_line_and_the_step(bank, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(SLIP, encoding="utf-8")
    out = tmp_path / "notes.yaml"
    result = CliRunner().invoke(app, ["import", str(path), "--set", "csc413-a2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = Grader(bank).grade(load_submission(out, bank))
    wrong = report.traces[0].earliest_wrong
    assert wrong is not None
    assert wrong.line == _line_of(SLIP, "1 - \\eta\\tilde\\lambda")
    assert "\\eta\\tilde\\lambda" in wrong.text
    shown = CliRunner().invoke(app, ["grade", str(out)]).stdout
    assert f"earliest wrong step, line {wrong.line}:" in shown


def test_the_llm_writeup_is_flagged_at_the_inverse_on_its_own_line(bank):
    """Moved from test_trace.py: the audit's line is the write-up's through `text_line`; the
    critique ("It is correct") is not part of the working."""
    from dlcheck.reference import references, working_values
    from dlcheck.trace import audit_trace

    text = LLM.read_text(encoding="utf-8")
    imported = import_writeup(text, "csc413-a2", bank)
    section = next(s for s in imported.mapped if s.problem == "1.1.1")
    assert "It is correct" not in section.text and section.critique.verdict == "correct"
    problem = bank.problem("csc413-a2/1.1.1")
    audit = audit_trace(problem, section.text, references(problem, bank),
                        simulate=lambda settings: working_values(problem, bank, settings))
    wrong = audit.earliest_wrong
    line = wrong.line + section.text_line - 1        # the write-up's line (which inverse is first is the audit's)
    assert "X^{-1}t" in text.splitlines()[line - 1] and wrong.text.replace(" ", "") in \
        text.splitlines()[line - 1].replace(" ", "")
    assert "invert" in wrong.reason


def test_import_cli_writes_a_gradable_submission(tmp_path, bank):
    out = tmp_path / "student.yaml"
    result = CliRunner().invoke(app, ["import", str(STUDENT), "--set", "csc413-a2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "extracted from the working (check them)" in result.output
    text = out.read_text(encoding="utf-8")
    assert "# extracted from line" in text and "    source: {file: \"student_csc413.md\", line: " in text
    submission = load_submission(out, bank)
    assert submission.errors == []
    report = Grader(bank).grade(submission)
    eta = next(r for r in report.results if r.problem == "csc413-a2/2.2.3")
    assert eta.verdict == "correct"                 # η = n/2 ‖Xᵀa‖²/‖XXᵀa‖², read from the working
    assert len(report.traces) >= 6


def test_import_rejects_an_unknown_set(tmp_path):
    result = CliRunner().invoke(app, ["import", str(STUDENT), "--set", "csc413", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and "csc413-a2" in result.output


# -- `working:` and the long form's keys --------------------------------------------------------------
def test_working_is_read_as_trace(grade_yaml, write_yaml, bank):
    """Cause 10: an answer's long form written with `working:` was silently `invalid`. `working`
    is what README calls the trace, so it is accepted as its alias rather than refused."""
    text = """
        set: csc413-a2
        answers:
          "2.3.2":
            answer: \\frac{\\lambda}{2\\eta}
            working: |
              The updates agree when $1 - 2\\eta\\tilde\\lambda = 1 - \\lambda$.
    """
    submission = load_submission(write_yaml(text), bank)
    assert submission.errors == [] and submission.warnings == []
    entry = submission.entries[0]
    assert entry.trace.startswith("The updates agree") and entry.trace_line == 7
    result = next(r for r in grade_yaml(text).results if r.problem == "csc413-a2/2.3.2")
    assert result.verdict == "correct" and result.details.get("reasoning")     # the working was audited


@pytest.mark.parametrize("body, message", [
    ("answer: 1\n    trace: a\n    working: b", "both 'trace' and 'working' are given"),
    ("answer: 1\n    steps: a", "unknown key 'steps' in the long form of csc413-a2/2.3.2 (did you mean 'trace'?)"),
    ("answer: 1\n    trce: a", "(did you mean 'trace'"),
    ("answer: 1\n    solution: a", "(did you mean 'answer'?)"),
    ("trace: a\n    lambda_tilde: 1", "'lambda_tilde' is a part of csc413-a2/2.3.2: in the long form, parts go under"),
    ("answer: 1\n    trace: a\n    source: {line: 0}", "source 'line' must be a line number"),
    ("answer: 1\n    trace: a\n    source: 12", "'source' is a mapping {file: NAME, line: N}"),
    ("answer: 1\n    trace: a\n    source: {line: 3, fil: x}", "unknown source key 'fil' (did you mean 'file'?)"),
])
def test_long_form_keys_are_checked(write_yaml, bank, body, message):
    submission = load_submission(write_yaml(f"set: csc413-a2\nanswers:\n  '2.3.2':\n    {body}\n"), bank)
    assert any(message in issue.message for issue in submission.errors), submission.errors


def test_source_without_trace_is_ignored_with_a_warning(write_yaml, bank):
    submission = load_submission(write_yaml("set: csc413-a2\nanswers:\n  '2.3.2':\n    answer: 1\n"
                                            "    source: {file: w.md, line: 3}\n"), bank)
    assert submission.errors == [] and "without a 'trace'" in submission.warnings[0].message


def test_a_multi_part_problem_with_a_part_named_like_a_long_form_key_stays_short(write_yaml, bank):
    """The parts of 1a are `learns` and `explanation` ("explanation" reads as a trace synonym
    only in a long form)."""
    submission = load_submission(write_yaml("set: dl-principles\nanswers:\n  1a:\n    learns: false\n"
                                            "    explanation: the gradients are zero\n"), bank)
    assert submission.errors == [] and set(submission.entries[0].parts) == {"learns", "explanation"}


# -- everything imported is data -----------------------------------------------------------------------
def test_hostile_text_stays_data(bank, tmp_path):
    text = ("\ufeff### 2.3.2\n\nline one\u2028set: evil\u2029answers:\n"
            "  \"3.1\": 5\nthe end\x1b[31m red \ufffe\uffff\n---\n!!python/object:os.system\n"
            "    source: {file: x, line: 1}\n\"2.3.2\": injected\n")
    imported = import_writeup(text, "csc413-a2", bank)
    assert _problems(imported) == ["2.3.2"]
    section = imported.mapped[0]
    assert section.text_line == 3                    # one line per \n: U+2028 and U+2029 break none
    assert section.text.split("\n")[2].startswith("the end")
    out, submission = _write_and_load(tmp_path, imported, bank)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert set(data) == {"set", "answers"} and data["set"] == "csc413-a2"
    assert list(data["answers"]) == ["2.3.2"] and set(data["answers"]["2.3.2"]) == {"source", "trace"}
    assert submission.errors == [] and "\x1b" not in out.read_text(encoding="utf-8")


def test_the_line_limit_bounds_the_time_of_an_import(bank):
    with pytest.raises(WriteupFileError, match="lines; the limit is"):
        import_writeup("a\n" * (MAX_LINES + 1), "csc413-a2", bank)


def test_nothing_is_executed(bank, tmp_path, monkeypatch):
    """The write-up goes through markdown-it's block parser only; the inline parser (links, HTML)
    is off and nothing is rendered."""
    import markdown_it

    monkeypatch.setattr(markdown_it.MarkdownIt, "render", lambda *a, **k: pytest.fail("rendered"))
    text = "### 2.3.2\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) $$__import__('os')$$\n"
    section = import_writeup(text, "csc413-a2", bank).mapped[0]
    assert "<script>" in section.text and "__import__" in section.text


# -- the seeds: import, compared with the hand transcriptions in answers/ -----------------------------
SEED_SETS = {"000": ("csc413-a2", "chatgpt-reviewed"), "001": ("csc413-a2", "student"),
             "002": ("islr-cnn-hw", "student"), "003": ("convnets-hw3", "student"),
             "004": ("dl-principles", "student")}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds (../shared/seeds) are not here")
@pytest.mark.parametrize("seed", sorted(SEED_SETS))
def test_seed_round_trip_maps_every_hand_transcribed_problem(bank, seed, tmp_path):
    set_name, hand = SEED_SETS[seed]
    path = next(SEEDS.glob(f"{seed}_*.txt"))
    imported = import_writeup(path.read_text(encoding="utf-8"), set_name, bank)
    transcribed = {str(k) for k in yaml.safe_load((ROOT / f"answers/{set_name}/{hand}.yaml").read_text())["answers"]}
    assert set(_problems(imported)) == transcribed
    assert all(s.heading == "(before the first heading)" for s in imported.unmapped)   # a title, a name
    out, submission = _write_and_load(tmp_path, imported, bank, name=path.name)
    assert submission.errors == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds (../shared/seeds) are not here")
def test_seed_000_keeps_critiques_and_solutions_out_of_the_working(bank):
    path = next(SEEDS.glob("000_*.txt"))
    imported = import_writeup(path.read_text(encoding="utf-8"), "csc413-a2", bank)
    for section in imported.mapped:
        assert "critique of the model output" not in section.text.lower(), section.problem
        assert "### **Solution:**" not in section.text and "### Solution:" not in section.text, section.problem
    hand = yaml.safe_load((ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml").read_text())["answers"]
    stated = {s.problem: s.critique.verdict for s in imported.mapped if s.critique and s.critique.verdict}
    assert stated == {"1.1.1": "correct", "4.1": "correct", "5.1": "correct", "6.1": "correct"}
    assert all(hand[pid if pid in hand else float(pid)]["critique"]["verdict"] == verdict
               for pid, verdict in stated.items())
    critiqued = {s.problem for s in imported.mapped if s.critique}
    assert critiqued == {str(k) for k, v in hand.items() if isinstance(v, dict) and "critique" in v}
