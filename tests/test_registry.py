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
