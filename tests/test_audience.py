"""Students never see the key (`--audience student`, report/student.py).

The leak test: every reference value of every bundled problem (what `dlcheck
solve ID --format json` prints) is looked for in every student-audience output
(every format of `dlcheck grade`, and the class outputs of `dlcheck batch`) of
every bundled answer file, of a submission that answers every part with its
reference, and of one that answers every part wrong. A value the student wrote
(or that their own answer reads as) is theirs to see; any other is a leak. The
same search over the staff view finds the values, so the test can see a leak."""
import dataclasses
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck import kinds, report
from dlcheck.cli import app
from dlcheck.grade import Grader
from dlcheck.report.student import STUDENT, Policy, View, for_view, leaks, student_clause, student_json
from dlcheck.submission import load_submission

runner = CliRunner()
ANSWERS = sorted(p for p in (ROOT / "answers").rglob("*.yaml") if not p.name.endswith(".expected.yaml"))
STUDENT_VIEW = View(STUDENT)


# -- the references, as `dlcheck solve ID --format json` prints them ----------------------------
@pytest.fixture(scope="module")
def solved(bank):
    """{problem id: {part: value}} through the JSON renderer `dlcheck solve --format json` uses."""
    from dlcheck.reference import references

    out = {}
    for pid in bank.all_ids():
        problem = bank.problem(pid)
        stream = io.StringIO()
        report.renderer("json").render_solution(problem, references(problem, bank), stream)
        out[pid] = {name: part["value"] for name, part in json.loads(stream.getvalue())["parts"].items()}
    return out


def needles(value) -> set:
    """The ways a reference shows in a report: distinctive numbers (three figures or more, or a
    fraction with two), whole texts of four characters or more; booleans and small numbers are
    everywhere (scores, positions) and are looked for through `expected` fields instead."""
    found = set()
    if isinstance(value, bool) or value is None:
        return found
    if isinstance(value, (int, float)):
        if isinstance(value, int) or float(value).is_integer():
            if abs(value) >= 100:
                found |= {str(int(value)), f"{int(value):,}"}
        elif len(re.sub(r"[^0-9]", "", f"{value:.6g}").strip("0")) >= 2:
            found |= {f"{value:.6g}", repr(value)}
        return found
    if isinstance(value, str):
        return {value} if len(value.strip()) >= 4 else found
    items = value.values() if isinstance(value, dict) else value
    for item in items:
        found |= needles(item)
    return found


@pytest.fixture(scope="module")
def secrets(solved, bank):
    """{needle: where it comes from}, each reference also as reports display it."""
    out = {}
    for pid, parts in solved.items():
        problem = bank.problem(pid)
        for name, value in parts.items():
            shown = kinds.show_expected(problem.parts[name], value) if name in problem.parts else ""
            for needle in needles(value) | ({shown} if len(shown) >= 4 else set()):
                out.setdefault(needle, f"{pid}/{name}")
    return out


def public_text(bank) -> str:
    """What every student can read: the specs (statements, given values, prompts)."""
    return "\n".join(Path(bank.problem(pid).path).read_text(encoding="utf-8") for pid in bank.all_ids())


def found_leaks(text: str, secrets: dict, own: str) -> list:
    """Needles in `text` that the student did not write (`own`) and that are not public."""
    hits = []
    for needle, where in secrets.items():
        if needle in own:
            continue
        pattern = re.escape(needle)
        if needle[:1].isdigit() or needle[:1] == "-":
            pattern = rf"(?<![\d.,]){pattern}(?![\d])"
        if re.search(pattern, text):
            hits.append((needle, where))
    return hits


def own_text(path: Path, staff: dict, public: str) -> str:
    """The student's own words: the file, their answers as dlcheck reads them, the tally of their
    working's lines (its counts: "122 definitions"), and the public specs."""
    gots = "\n".join(str(r.get("got", "")) for r in staff.get("results", []))
    tallies = " ".join(str(n) for t in staff.get("traces", []) for n in (t.get("counts") or {}).values())
    return path.read_text(encoding="utf-8") + "\n" + gots + "\n" + tallies + "\n" + public


def rendered(report_object, fmt: str) -> str:
    stream = io.StringIO()
    report.renderer(fmt).render_report(report_object, stream)
    return stream.getvalue()


# -- the submissions ------------------------------------------------------------------------------
def reference_answers(solved, bank, wrong: bool = False) -> dict:
    """{set: YAML text} answering every part that has a reference with it (or with it moved)."""
    texts = {}
    for pid, parts in solved.items():
        problem = bank.problem(pid)
        answers = {}
        for name, value in parts.items():
            part = problem.parts.get(name)
            if part is None or part.kind == "code" or part.check == "claim" or not part.auto:
                continue
            answers[name] = _moved(value) if wrong else value
        if answers:
            texts.setdefault(problem.set, {})[problem.id] = answers
    return {s: json.dumps({"set": s, "author": f"reference-{'wrong' if wrong else 'echo'}", "answers": a})
            for s, a in texts.items()}


def _moved(value):
    """A plausible mistake: numbers ×4 (a missing factor), formulas doubled, labels unchanged."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value * 4
    if isinstance(value, list):
        return [_moved(v) for v in value]
    if isinstance(value, dict):
        return {k: _moved(v) for k, v in value.items()}
    return f"2*({value})" if isinstance(value, str) and any(c.isalpha() for c in value) else value


@pytest.fixture(scope="module")
def submissions(solved, bank, tmp_path_factory):
    folder = tmp_path_factory.mktemp("audience")
    paths = list(ANSWERS)
    for kind, wrong in (("echo", False), ("wrong", True)):
        for set_name, text in reference_answers(solved, bank, wrong).items():
            path = folder / f"{kind}-{set_name}.yaml"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


@pytest.fixture(scope="module")
def graded(submissions, bank):
    """{path: Report}, each graded once."""
    from dlcheck.claims import TrainingSettings

    return {path: Grader(bank, training=TrainingSettings()).grade(load_submission(path, bank))
            for path in submissions}


# -- the leak tests --------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", report.REPORT_FORMATS)
def test_no_reference_in_any_student_output(graded, secrets, bank, fmt):
    public = public_text(bank)
    for path, graded_report in graded.items():
        staff = graded_report.to_json()
        text = rendered(for_view(graded_report, STUDENT_VIEW), fmt)
        assert not found_leaks(text, secrets, own_text(path, staff, public)), (path.name, fmt)


def test_the_search_sees_references_in_the_staff_view(graded, secrets, bank):
    """The same search over staff outputs finds the references: the test above can fail."""
    public = public_text(bank)
    hits = []
    for path, graded_report in graded.items():
        hits += found_leaks(rendered(graded_report, "json"), secrets, own_text(path, graded_report.to_json(), public))
    assert len(hits) > 20, hits


def test_no_result_carries_an_expected_value_for_students(graded):
    for path, graded_report in graded.items():
        shown = for_view(graded_report, STUDENT_VIEW)
        data = json.loads(rendered(shown, "json"))
        assert data["audience"] == STUDENT
        for r in data["results"]:
            assert r["expected"] == "" and "rubric" not in r and "diff" not in r, (path.name, r)
            assert not leaks(r["feedback"], _staff_expected(graded_report, r)), (path.name, r)
        assert all(not c.get("flags") for c in data["critiques"])
        assert all(set(t) <= {"problem", "final_answer", "reasoning_ok", "error_not_located", "counts",
                              "earliest_wrong"} for t in data["traces"])


def _staff_expected(graded_report, r: dict) -> str:
    return next(s.expected for s in graded_report.results if (s.problem, s.part) == (r["problem"], r["part"]))


@pytest.mark.parametrize("fmt", ["rich", "md", "html", "junit", "gradescope"])
def test_an_answer_equal_to_the_reference_is_not_echoed_as_expected(graded, fmt):
    for path, graded_report in graded.items():
        if not path.name.startswith("echo-"):
            continue
        # a reader's message about the form of an answer ("expected a mapping with …") is the
        # student's to read: leave out the parts whose reference is not written as answers are
        read = [r for r in graded_report.results if r.decided_by != "parse"]
        text = rendered(for_view(dataclasses.replace(graded_report, results=read), STUDENT_VIEW), fmt)
        assert not re.search(r"\bexpected\b", text, re.IGNORECASE), (path.name, fmt)
        assert any(r.verdict == "correct" for r in graded_report.results)


def test_class_outputs_for_students_carry_no_reference(submissions, secrets, bank, tmp_path):
    """`dlcheck batch --audience student`: every output file; then, written again with each format's
    default audience, the Gradescope files (students see them the moment they submit)."""
    from dlcheck import classbook

    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for path in submissions:        # answers/<set>/student.yaml: four files of one name
        (folder / f"{path.parent.name}-{path.name}").write_bytes(path.read_bytes())
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--jobs", "1", "--audience", "student"])
    assert result.exit_code == 0, result.output
    own = "\n".join(p.read_text(encoding="utf-8") for p in submissions) + public_text(bank) + "\n".join(
        str(r.get("got", "")) for record in classbook.records(out) for r in (record["report"] or {}).get("results", []))
    own += " ".join(str(n) for record in classbook.records(out) for t in (record["report"] or {}).get("traces", [])
                    for n in (t.get("counts") or {}).values())

    def outputs(only_gradescope: bool) -> list:
        files = [p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] != "results"
                 and p.name not in ("summary.json", "outputs.json")]
        return [p for p in files if "gradescope" in p.parts or not only_gradescope]

    for only_gradescope in (False, True):
        files = outputs(only_gradescope)
        assert len(files) >= len(submissions) * (1 if only_gradescope else 2), files   # html: a page each
        for path in files:
            hits = found_leaks(path.read_text(encoding="utf-8"), secrets, own)
            assert not hits, (path.relative_to(out), hits[:5])
        classbook.write_outputs(out, list(report.CLASS_FORMATS), classbook.summarize(out), classbook.OutputOptions())
    assert "expected:" in (out / "junit.xml").read_text(encoding="utf-8")      # staff's by default


# -- the rewriting of feedback -------------------------------------------------------------------------
@pytest.mark.parametrize("staff, student", [
    ("every element is 4× the expected value (a missing or extra factor?)",
     "every value is off by the same factor (a missing or extra factor?)"),
    ("element (2, 1) is 0.25, expected -0.25", "element (2, 1) is the first that is wrong"),
    ("off by 95.0% (expected 61632)", None),
    ("4× too large (expected 608)", None),
    ("right size, wrong sign (expected 0.5)", "right size, wrong sign"),
    ("1.11e9 is off by 0.51%: 1115684864 to 3 significant figures is 1.12e9", "not right to the figures it states"),
    ("they differ at NC=2, NF=3: expected 7360.0, got 3072.0", "they differ at NC=2, NF=3: yours gives 3072.0"),
    ("they differ with random matrices at d=5, n=2 and eta=0.875 (largest gap 4.52)",
     "they differ with random matrices at d=5, n=2 and eta=0.875"),
    ("every value is 2× the expected one with random matrices at n=3 (a missing or extra factor?)",
     "every value is off by the same factor (a missing or extra factor?)"),
    ("wrong shape: expected 5×5, got 3×3", "wrong shape: yours is 3×3"),
    ("transposed: your matrix is the transpose of the expected one",
     "transposed: yours is the transpose of the answer asked for"),
    ("expected false", None),
    ("expected Green", None),
    ("O(t) grows faster than the expected O(1)", "the growth is not the one asked for"),
    ("missing B, C", "some are missing"),
    ("k4 should be none", "k4 is wrong"),
    ("the right sizes in another order (the convention here is [28, 28, 8])", "the right sizes in another order"),
    ("layer 3: expected [14, 14, 6], got [10, 10, 16]", "layer 3 is wrong"),
    ("layer 2: the reference has BatchNorm2d → 32×16×16 (64 params), missing here",
     "layer 2: a layer is missing here"),
    ("output shape [128], expected [10]", "wrong output shape: yours is [128]"),
    ("not reproduced: claimed 0.99, above what re-training gives; 3 reruns: 0.5755, 0.6505",
     "not reproduced by re-training (claimed 0.99)"),
    ("the code failed: NameError: name 'X' is not defined (line 4 of the submission)",
     "the code failed: NameError: name 'X' is not defined (line 4 of the submission)"),
    ("matrix 2: element (1, 1) is 3, expected 4", "matrix 2: element (1, 1) is the first that is wrong"),
    ("something no kind says yet: 61632", None),
])
def test_feedback_clauses_are_rewritten_from_the_students_own_parts(staff, student):
    assert student_clause(staff) == student


def test_a_feedback_with_no_known_clause_says_the_verdict():
    r = {"problem": "s/q", "part": "p", "verdict": "incorrect", "feedback": "off by 95.0% (expected 61632)",
         "expected": "61632", "notes": ["counterexample: {'expected': 61632}"], "decided_by": "exact"}
    shown = student_json({"results": [r]}, STUDENT_VIEW)["results"][0]
    assert shown == {"problem": "s/q", "part": "p", "verdict": "incorrect", "decided_by": "exact",
                     "expected": "", "feedback": "not the answer asked for", "notes": []}


@pytest.mark.parametrize("text, expected, leaked", [
    ("without them VGG16 has 138,344,128 parameters", "138344128", True),
    ("the probability is about 0.3775", "0.377541", True),
    ("one hidden layer plus the output layer make 2.", "2", True),
    ("a forward pass alone needs O(1)", "O(1)", True),
    ("element (2, 1) is the first that is wrong", "[[0.5, 2, 1], [1, 0, 3]]", False),
    ("they differ at NC=2, NF=3: yours gives 3072.0", "1280·NC + 1600·NF", False),
    ("includes biases; the question says to ignore them.", "21024", False),
])
def test_the_guard_finds_a_reference_in_any_of_its_forms(text, expected, leaked):
    assert leaks(text, expected) is leaked


# -- rules, reveal and visibility ---------------------------------------------------------------------
class _Open(Policy):
    def __init__(self, parts=(), rules=()):
        self.parts, self.rules = set(parts), set(rules)

    def reveals(self, problem, part):
        return f"{problem}/{part}" in self.parts

    def rule_open(self, problem, part, rule):
        return rule in self.rules


RULE = {"problem": "islr-cnn-hw/p10a", "part": "total_params", "verdict": "incorrect", "decided_by": "rule",
        "expected": "138344128", "feedback": "138,357,544 counts the biases; without them VGG16 has 138,344,128.",
        "notes": ["known mistake: with_biases"]}


def test_a_rules_sentence_reaches_students_only_where_the_spec_opens_it():
    closed = student_json({"results": [RULE]}, STUDENT_VIEW)["results"][0]
    assert closed["feedback"] == "a known mistake" and closed["notes"] == ["known mistake: with_biases"]
    safe = {**RULE, "feedback": "includes biases; the question says to ignore them."}
    opened = student_json({"results": [safe]}, View(STUDENT, _Open(rules={"with_biases"})))["results"][0]
    assert opened["feedback"] == safe["feedback"]
    # even an opened rule's sentence is guarded: this one states the reference
    guarded = student_json({"results": [RULE]}, View(STUDENT, _Open(rules={"with_biases"})))["results"][0]
    assert guarded["feedback"] == "not the answer asked for"


def test_a_revealed_part_is_shown_as_staff_see_it():
    shown = student_json({"results": [RULE]}, View(STUDENT, _Open(parts={"islr-cnn-hw/p10a/total_params"})))
    assert shown["results"][0]["expected"] == "138344128" and shown["results"][0]["revealed"] is True


def test_spec_reveal_keys_and_selectors(tmp_path):
    from dlcheck.audience import SpecPolicy, check_selectors
    from dlcheck.bank import Bank
    from dlcheck.errors import UnknownProblem

    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "q1.yaml").write_text(
        "title: t\nstatement: s\nreveal: true\nparts:\n  a: {kind: integer}\n  b: {kind: integer, reveal: false}\n"
        "  c:\n    kind: integer\n    rules:\n      r1: {feedback: f, reveal: true}\n      r2: {feedback: g}\n",
        encoding="utf-8")
    bank = Bank(tmp_path)
    policy = SpecPolicy(bank)
    assert policy.reveals("demo/q1", "a") and not policy.reveals("demo/q1", "b")
    assert policy.rule_open("demo/q1", "c", "r1") and not policy.rule_open("demo/q1", "c", "r2")
    assert SpecPolicy(bank, ["demo/q1/b"]).reveals("demo/q1", "b")
    assert check_selectors(bank, ["all", "demo", "demo/q1", "demo/q1/c"])
    for bad, words in (("demo/q9", "not a set, problem or part"), ("demo/q1/z", "has no part 'z'")):
        with pytest.raises(UnknownProblem, match=words):
            check_selectors(bank, [bad])


def test_gradescope_visibility_is_student_safe_by_default(graded):
    path, graded_report = next(iter(graded.items()))
    student = json.loads(rendered(for_view(graded_report, STUDENT_VIEW), "gradescope"))
    assert {t["visibility"] for t in student["tests"]} == {"visible"}
    staff = json.loads(rendered(for_view(graded_report, View()), "gradescope"))
    assert {t["visibility"] for t in staff["tests"]} == {"hidden"} and staff["visibility"] == "hidden"
    later = json.loads(rendered(for_view(graded_report, View(STUDENT, visibility="after_due_date")), "gradescope"))
    assert {t["visibility"] for t in later["tests"]} == {"after_due_date"}
    bare = json.loads(rendered(graded_report, "gradescope"))       # nobody chose a view: students'
    assert all("expected:" not in t["output"] for t in bare["tests"])


def test_cli_audience_options():
    path = str(ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml")
    result = runner.invoke(app, ["grade", path, "--format", "json", "--audience", "student"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["audience"] == "student" and all(r["expected"] == "" for r in data["results"])
    shown = runner.invoke(app, ["grade", path, "--format", "json", "--audience", "student",
                                "--reveal", "csc413-a2/3.2"])
    revealed = [r for r in json.loads(shown.stdout)["results"] if r.get("expected")]
    assert revealed and {r["problem"] for r in revealed} == {"csc413-a2/3.2"}
    staff = runner.invoke(app, ["grade", path, "--format", "gradescope", "--audience", "staff"])
    assert "expected: 61632" in staff.stdout
    for bad in (["--reveal", "csc413-a2/9.9"], ["--audience", "teacher"], ["--visibility", "soon"]):
        result = runner.invoke(app, ["grade", path, "--format", "json", *bad])
        assert result.exit_code == 2, (bad, result.output)
