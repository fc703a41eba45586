"""One file plus one registration line: answer kinds declare the spec options they take (and
a spec that gives a kind another's is refused, with file:line and the kind's keys), output
formats declare what they write (and the CLI and README follow the registry)."""
import re
import textwrap

import pytest

from conftest import ROOT
from dlcheck import kinds, report
from dlcheck.errors import SpecError
from dlcheck.spec import COMMON_KEYS, load_spec


def spec_file(tmp_path, part: str):
    path = tmp_path / "demo" / "q1.yaml"
    path.parent.mkdir(exist_ok=True)
    body = textwrap.indent(part, "    ")
    path.write_text(f"title: demo\nstatement: a demo\nparts:\n  answer:\n{body}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("part, words", [
    ("kind: label\nchoices: [a, b]\ntolerance: {rel: 0.1}", "tolerance': not an option of a label part"),
    ("kind: bool\nrounding: stated", "rounding': not an option of a bool part; bool parts take only"),
    ("kind: number\nchoices: [a]", "number parts take tolerance, rounding besides"),
    ("kind: text\ntolerence: {rel: 0.1}", "unknown key 'parts.answer.tolerence'"),
])
def test_a_kind_refuses_another_kinds_options_with_file_and_line(tmp_path, part, words):
    with pytest.raises(SpecError) as err:
        load_spec(spec_file(tmp_path, part), "demo")
    message = str(err.value)
    assert words in message and re.search(r"q1\.yaml:\d+:", message), message


def test_a_kinds_own_options_are_accepted(tmp_path):
    spec = load_spec(spec_file(tmp_path, "kind: number\ntolerance: {rel: 0.1}\nrounding: stated"), "demo")
    assert spec.parts["answer"].tolerance == {"rel": 0.1}


def test_every_kind_declares_its_options():
    known = {"tolerance", "rounding", "aliases", "choices", "ordered", "judged", "variable", "fields", "rubric",
             "flaws", "lhs"}
    for name in kinds.NAMES:
        options = kinds.options(name)
        assert isinstance(options, tuple) and set(options) <= known, name
        assert not set(options) & COMMON_KEYS, name


def test_every_format_offers_what_it_is_registered_for():
    for fmt in report.FORMATS:
        module = report.renderer(fmt.name)
        assert callable(getattr(module, "render_report", None)) == fmt.report, fmt.name
        assert callable(getattr(module, "render_solution", None)) == fmt.solution, fmt.name
        assert callable(getattr(module, "write_class", None)) == fmt.classbook, fmt.name


def test_the_cli_and_readme_list_the_registered_formats():
    from dlcheck.cli import Format, GradeFormat

    assert tuple(f.value for f in GradeFormat) == report.REPORT_FORMATS
    assert tuple(f.value for f in Format) == report.SOLUTION_FORMATS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    grade = re.search(r"### `dlcheck grade FILE \[--format ([a-z|]+)\]", readme).group(1).split("|")
    batch = re.search(r"### `dlcheck batch .*?\[--format ([a-z,]+)\]", readme).group(1).split(",")
    assert tuple(grade) == report.REPORT_FORMATS and tuple(batch) == report.CLASS_FORMATS


# -- checks: how a part is judged, one module per way (dlcheck/checks/) -------------------------
def bank_with(tmp_path, part: str, solver: str | None = None):
    from dlcheck.bank import Bank

    path = spec_file(tmp_path, part)
    if solver is not None:
        path.with_suffix(".py").write_text(textwrap.dedent(solver), encoding="utf-8")
    return Bank(tmp_path)


def test_an_unknown_check_is_refused_by_the_bank_with_file_line_and_the_closest_name(tmp_path):
    bank = bank_with(tmp_path, "kind: number\ncheck: solvr")
    with pytest.raises(SpecError) as err:
        bank.problem("demo/q1")
    message = str(err.value)
    # line 6 of the file (title, statement, parts, answer, kind, check)
    assert re.search(r"q1\.yaml:6: key 'parts\.answer\.check': expected one of solver, claim", message), message
    assert message.endswith("(did you mean 'solver'?)")


def test_every_registered_check_has_the_whole_interface():
    from dlcheck import checks

    for name in checks.NAMES:
        module = checks.get(name)
        for attribute in ("reference", "split", "judge", "review", "SCORED_IN_REVIEW"):
            assert hasattr(module, attribute), (name, attribute)


def test_a_claim_reference_is_made_by_the_check_from_given_claims(bank):
    """No solver line per claim: csc413-a2 4.2 has no solver at all, dl-principles 2c's solver
    derives only the model's constraints, and both parts still have their references."""
    from dlcheck import checks
    from dlcheck.reference import references

    experiment = bank.problem("csc413-a2/4.2")
    assert experiment.solver_path is None and references(experiment, bank) == {}
    made = checks.references(experiment, bank)["claims"]
    assert made.value["experiment"] == experiment.given["claims"]["claims"]["task"]
    assert made.shown.startswith("for review; measured by training")

    claim = bank.problem("dl-principles/2c")
    assert "claimed_accuracy" not in references(claim, bank)
    made = checks.references(claim, bank)["claimed_accuracy"]
    given = claim.given["claims"]["claimed_accuracy"]
    assert made.value["dataset"] == given["dataset"] and made.value["at_least"] == given["at_least"]
    assert made.value["protocol"]["epochs"] == given["protocol"]["epochs"]


def test_a_solvers_own_reference_wins_over_one_a_check_would_make(bank):
    from dlcheck import checks
    from dlcheck.reference import Reference

    problem = bank.problem("dl-principles/2c")
    mine = Reference({"model": "model"}, ["the solver's"])
    assert checks.derived_references(problem, {"claimed_accuracy": mine})["claimed_accuracy"] is mine


# -- limits: one value per part, defaults written once (sandbox/limits.py) -----------------------
def test_limits_come_from_the_defaults_the_kind_and_the_spec(tmp_path):
    from dlcheck.mathexpr.context import DEFAULT_TIMEOUT
    from dlcheck.sandbox.limits import Limits

    code = load_spec(spec_file(tmp_path, "kind: code"), "demo").parts["answer"]
    assert code.limits == Limits()
    formula = load_spec(spec_file(tmp_path, "kind: expr"), "demo").parts["answer"]
    assert formula.limits.wall_seconds == DEFAULT_TIMEOUT != Limits().wall_seconds
    slow = load_spec(spec_file(tmp_path, "kind: expr\nlimits: {wall_seconds: 7}"), "demo").parts["answer"]
    assert slow.limits.wall_seconds == 7 and slow.math is None or slow.math.timeout == 7
    big = load_spec(spec_file(tmp_path, "kind: code\nlimits: {memory_mb: 4096}"), "demo").parts["answer"]
    assert big.limits == Limits().but(memory_mb=4096)


@pytest.mark.parametrize("limits, words", [
    ("{wall_secs: 5}", "unknown limit 'wall_secs' (did you mean 'wall_seconds'"),
    ("{memory_mb: -1}", "limits.memory_mb: expected a positive number"),
    ("{cpu_seconds: yes}", "limits.cpu_seconds: expected a positive number"),
])
def test_bad_limits_are_refused_with_file_and_line(tmp_path, limits, words):
    with pytest.raises(SpecError) as err:
        load_spec(spec_file(tmp_path, f"kind: code\nlimits: {limits}"), "demo")
    assert words in str(err.value) and re.search(r"q1\.yaml:\d+:", str(err.value)), str(err.value)


def test_a_code_part_runs_under_its_own_limits(tmp_path, monkeypatch):
    from dlcheck import sandbox
    from dlcheck.kinds import code

    seen = []

    class Box:
        protections = type("P", (), {"note": staticmethod(lambda: "test box")})()

        def run(self, request, limits=None):
            seen.append(limits)
            return {"status": "timeout", "message": "stopped"}

    monkeypatch.setattr(sandbox, "shared", lambda *a, **k: Box(), raising=False)
    monkeypatch.setattr("dlcheck.sandbox.box.shared", lambda *a, **k: Box())
    part = load_spec(spec_file(tmp_path, "kind: code\nlimits: {wall_seconds: 42}"), "demo").parts["answer"]
    outcome = code.compare({"constraints": {}, "input": [1, 3]}, "class Net: pass", part)
    assert outcome.verdict == "timeout" and seen and seen[0].wall_seconds == 42


# -- README "How it is built" names the modules that exist, and every one that does -------------
def _built_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_every_module_the_readme_names_exists():
    named = re.findall(r"dlcheck/[\w/]+(?:\.py|/)", _built_block())
    assert len(named) > 30
    missing = [path for path in named if not (ROOT / path).exists()]
    assert not missing, missing
    # "dlcheck/sandbox/ (box, worker, …)": a bare list of names in brackets names its modules
    for package, listed in re.findall(r"dlcheck/(\w+)/ \(([a-z_]+(?:, [a-z_]+)+)\)", _built_block()):
        absent = [n for n in listed.split(", ") if not (ROOT / "dlcheck" / package / f"{n}.py").exists()]
        assert not absent, (package, absent)


def test_every_module_of_the_package_is_in_the_readme():
    block = _built_block()
    top = sorted(p.name for p in (ROOT / "dlcheck").iterdir()
                 if (p.suffix == ".py" and p.name not in {"__init__.py", "__main__.py"})
                 or (p.is_dir() and (p / "__init__.py").exists()))
    absent = [name for name in top if f"dlcheck/{name}{'' if name.endswith('.py') else '/'}" not in block]
    assert not absent, f"README 'How it is built' does not place {absent} in a layer"
