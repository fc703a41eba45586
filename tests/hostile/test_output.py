"""Output that cannot be spoofed: a submission whose author, file name and answers
carry terminal escapes, rich markup, emoji codes, HTML, markdown links and
spreadsheet formulas reaches every format as inert text (issue 13)."""
import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from dlcheck.cli import app

pytestmark = pytest.mark.hostile

runner = CliRunner()
CLEAR, TITLE, C1_CSI = "\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m"
ATTACK = (f"{CLEAR}{TITLE}{C1_CSI}[bold red]BIG[/] :cross_mark: <script>alert(1)</script> "
          "<img src=x onerror=alert(1)> ![](http://evil.example/t.png) [c](javascript:alert(1)) "
          "=1+1\n\tScore 27 / 27\u202e")
AUTHOR = "\t=cmd|' /C calc'!A0 " + ATTACK
FILE_NAME = f"=1+1{CLEAR}<script>x.yaml"
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")   # \t and \n are layout
FORMATS = ["rich", "json", "csv", "junit", "gradescope", "md", "html"]


def _answers() -> dict:
    return {"3.2": {"cnn_params": ATTACK},
            "2.2.3": {"eta": ATTACK},
            "1.2.1": {"answer": {"min_norm_solution": ATTACK, "always_min_norm": ATTACK},
                      "critique": {"verdict": "incorrect", "answer": {"min_norm_solution": ATTACK}}}}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / FILE_NAME
    path.write_text(yaml.safe_dump({"set": "csc413-a2", "author": AUTHOR, "answers": _answers()},
                                   allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(hostile) -> dict:
    """Each format's stdout for the hostile file (a wide terminal: no wrapping to reason about)."""
    out = {}
    for fmt in FORMATS:
        result = runner.invoke(app, ["grade", str(hostile), "--format", fmt], env={"COLUMNS": "2000"})
        assert result.exit_code == 0, result.output
        out[fmt] = result.stdout
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_control_character_reaches_the_terminal(rendered, fmt):
    found = TERMINAL_CONTROLS.findall(rendered[fmt])
    assert not found, f"{fmt}: {sorted(set(found))}"


def test_rich_shows_markup_and_emoji_codes_as_typed(rendered):
    text = rendered["rich"]
    assert "[bold red]BIG[/]" in text and ":cross_mark:" in text and "❌" not in text


def test_rich_newlines_cannot_draw_a_fake_score_line(rendered):
    """The answer's "Score 27 / 27" shows inside a line or a table cell, never as a line of its own."""
    lines = [line for line in rendered["rich"].splitlines() if "Score 27 / 27" in line]
    assert lines and not [line for line in lines if line.strip().startswith("Score 27")], lines
    assert re.search(r"Score 0 / \d+", rendered["rich"])       # the real score is still there


def test_json_is_exact_and_valid(rendered, hostile):
    report = json.loads(rendered["json"])
    assert report["author"] == AUTHOR and report["submission"] == str(hostile)


def test_csv_has_no_formula_cells(rendered):
    rows = list(csv.reader(io.StringIO(rendered["csv"])))
    header, row = rows[0], rows[1]
    cells = dict(zip(header, row))
    assert cells["id"].startswith("'=1+1") and cells["author"].startswith("'")
    for value in row:
        assert value.lstrip()[:1] not in ("=", "+", "-", "@", "\t", "\r"), value


def test_markdown_cells_are_text(rendered):
    text = rendered["md"]
    assert "<" not in text, "raw HTML in the markdown"
    assert not re.search(r"(?<!\\)\]\(", text), "a link or image survived"
    assert "&lt;script&gt;" in text and r"!\[\](http://evil.example" in text


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers, self.scripts, self.links = set(), [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.links += [value for name, value in attrs if name in ("href", "src", "action")]
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
            self._in_script = False


def _html_is_inert(text: str) -> None:
    """Only the tags report/html.py writes; no handler; the one script its own (the sorting);
    links only to the class's own pages."""
    from dlcheck.report.html import SCRIPT

    parser = _Tags()
    parser.feed(text)
    assert parser.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "b", "table",
                           "thead", "tbody", "tr", "th", "td", "br", "span", "a", "div", "svg", "rect", "line",
                           "text", "title", "script"}, parser.tags
    assert not parser.handlers and parser.scripts in ([], [SCRIPT])
    assert all(re.fullmatch(r"(\.\./report|students/[A-Za-z0-9_.%-]+)\.html", link) for link in parser.links)


def test_html_is_escaped_in_text_and_attributes(rendered):
    _html_is_inert(rendered["html"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered["html"]


def test_junit_is_well_formed_xml(rendered):
    root = ET.fromstring(rendered["junit"].split("\n", 1)[1])
    assert root.find("testsuite").get("name").startswith("=1+1")    # the text survives, as text


def test_gradescope_declares_plain_text(rendered):
    data = json.loads(rendered["gradescope"])
    assert data["output_format"] == data["test_output_format"] == "text"
    assert any("<script>" in t["output"] for t in data["tests"])      # shown as typed, never rendered


def test_untrusted_keeps_the_text_but_not_the_controls():
    from dlcheck.report.safe import untrusted

    assert untrusted(f"a{CLEAR}b{TITLE}c\nd\te\x00\x7f\x85f\udcff") == "abc⏎ d e⏎ f\ufffd"
    assert untrusted("one\r\ntwo\x1b", keep_newlines=True) == "one\ntwo"


def test_a_class_with_a_hostile_file_writes_inert_outputs(hostile, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(hostile.parent), "--out", str(out), "--jobs", "1"],
                           env={"COLUMNS": "2000"})
    assert result.exit_code == 0, result.output
    assert not TERMINAL_CONTROLS.findall(result.output)
    for name in ("gradebook.csv", "summary.md", "report.html", "junit.xml", "summary.json"):
        assert not TERMINAL_CONTROLS.findall((out / name).read_text(encoding="utf-8")), name
    _html_is_inert((out / "report.html").read_text(encoding="utf-8"))
    assert "<" not in (out / "summary.md").read_text(encoding="utf-8")
    for row in list(csv.reader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8"))))[1:]:
        assert all(cell.lstrip()[:1] not in ("=", "+", "-", "@") for cell in row), row
    ET.parse(out / "junit.xml")


def test_a_file_name_that_is_not_utf8_is_graded(tmp_path):
    path = tmp_path / "stud\udcffent.yaml"                # the byte 0xff, as Python names it
    try:
        path.write_text("set: csc413-a2\nanswers:\n  '3.2': {cnn_params: 21024}\n", encoding="utf-8")
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system does not take names that are not UTF-8")
    for fmt in ("rich", "json"):
        result = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "dlcheck", "grade", str(path), "--format", fmt],
                                capture_output=True, env=_env())
        assert result.returncode == 0, result.stderr.decode(errors="replace")


def test_a_closed_pipe_ends_quietly():
    """`dlcheck grade … | head`: no "internal error", no traceback; the exit of a SIGPIPE."""
    for args in (["grade", str(ROOT / "answers/csc413-a2/chatgpt-reviewed.yaml")], ["list"]):
        proc = subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", "dlcheck", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env())
        proc.stdout.close()                       # the reader is gone before the first write
        err = proc.stderr.read().decode()
        assert proc.wait() == 141 and err == "", err


def _env() -> dict:
    import os

    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


DEEP = [("X" + "^T" * 999, "X:n*d"), ("x" + "ᵀ" * 1900, ""), ("\\bm{" * 399 + "x" + "}" * 399, ""),
        ("\\sqrt{" * 250 + "x" + "}" * 250, "")]


@pytest.mark.parametrize("text, symbols", DEEP, ids=["transposes", "unicode-transposes", "bm", "sqrt"])
def test_deep_nesting_is_a_message_not_a_traceback(text, symbols):
    result = runner.invoke(app, ["equiv", text, "x", "--symbols", symbols])
    assert result.exit_code == 2, result.output
    assert "nested too deeply" in result.stderr and "Traceback" not in result.output


def test_deep_nesting_in_an_answer_is_an_invalid_verdict(grade_yaml):
    answer = "X" + "^T" * 999
    report = grade_yaml(f"set: csc413-a2\nanswers:\n  '2.2.3': {{eta: '{answer}'}}\n")
    [eta] = [r for r in report.results if r.part == "eta"]
    assert eta.verdict == "invalid" and "nested too deeply" in eta.feedback


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_a_timeout_must_be_a_positive_finite_number(value):
    result = runner.invoke(app, ["equiv", "x", "x", "--timeout", value])
    assert result.exit_code == 2 and "--timeout" in result.stderr and "internal error" not in result.output
