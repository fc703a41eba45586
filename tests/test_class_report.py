"""The class report a TA opens (issue 17): report.html with a score histogram and per-part
verdict bars (inline SVG), sortable tables, review parts marked as waiting for a human, and
each student's page one click away (students/<id>.html); nothing fetched from the network.

The last tests open the pages in headless Chromium (Debian's `chromium`, which `make setup`
installs as root) and read what is on screen; without a browser they are skipped."""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcheck.cli import app
from dlcheck.report.html import pretty
from conftest import toy_bank
from test_course import SOLVER, SPEC, STUDENTS, read_csv, write_csv

runner = CliRunner()
CLASS = {**STUDENTS,
         "dee": 'set: toy\nauthor: dee\nanswers:\n  q1:\n    n: 600\n    why: "\\\\|X^\\\\top a\\\\|^2 \\\\cdot \\\\lambda"\n'}


class Page(HTMLParser):
    """Tags, links and sources, and the text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.links, self.text, self.scripts = [], [], [], 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.scripts += tag == "script"
        self.links += [value for name, value in attrs if name in ("href", "src", "xlink:href", "action") and value]

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture()
def klass(tmp_path, monkeypatch):
    """A toy class graded, bo's free text scored by a human, into OUT."""
    toy_bank(tmp_path, monkeypatch, SPEC, SOLVER)
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for name, text in CLASS.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    sheet = tmp_path / "review.csv"
    assert runner.invoke(app, ["review", "export", str(out), "--to", str(sheet)]).exit_code == 0
    rows = read_csv(sheet)
    for row in rows:
        if row["author"] == "bo":
            row["score"], row["comment"] = "1", "half the rubric"
    write_csv(sheet, rows)
    result = runner.invoke(app, ["review", "import", str(sheet), str(out)])
    assert result.exit_code == 0, result.output
    return out


def ids(out: Path) -> dict:
    return {json.loads(p.read_text())["report"]["author"]: p.stem for p in (out / "results").glob("*.json")}


def test_the_class_page_draws_scores_and_parts(klass):
    text = (klass / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    svgs = re.findall(r"<svg role='img' aria-label='([^']*)'", text)
    assert svgs[0] == "score histogram, toy: 4 scores out of 1 points, 3 points"    # ada, dee: 1; bo, cy: 3
    assert "toy/q1/n: 2 correct, 2 incorrect" in svgs and "toy/q1/why: 1 partial, 1 missing, 2 review" in svgs
    assert "not every student of this set has the same maximum" in text    # scored review parts, honestly
    bars = re.findall(r"<rect x='[\d.]+' y='(\d+)' width='36' height='(\d+)' fill='#1565c0'><title>([^<]*)", text)
    assert [t for _, h, t in bars if int(h)] == ["1 scored 0–10%", "2 scored 30–40%", "1 scored 90–100%"]
    assert "✎ 2 waiting for a human" in text and "1 by a human" in text      # toy/q1/why: bo's is scored
    assert page.scripts == 1 and "thead" in page.tags


def test_each_student_is_one_click_away_and_nothing_is_fetched(klass):
    text = (klass / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    by_author = ids(klass)
    assert sorted(page.links) == sorted(f"students/{i}.html" for i in by_author.values())
    assert "default-src 'none'" in text                                        # a CSP: no fetch at all
    for student_id in by_author.values():
        own = Page((klass / "students" / f"{student_id}.html").read_text(encoding="utf-8"))
        assert own.links == ["../report.html"] and own.scripts == 0
    bo = (klass / "students" / f"{by_author['bo']}.html").read_text(encoding="utf-8")
    assert "partial (scored by a human)" in bo and "half the rubric" in bo and "expected" in bo
    ada = (klass / "students" / f"{by_author['ada']}.html").read_text(encoding="utf-8")
    assert "✎ waiting for a human" in ada and "1 parts waiting for a human review" in ada
    dee = (klass / "students" / f"{by_author['dee']}.html").read_text(encoding="utf-8")
    assert "‖Xᵀ a‖² · λ" in dee                                             # as the terminal writes formulas


def test_students_pages_follow_the_audience(klass):
    """`--audience student` outputs: each page without the reference, links as before."""
    from dlcheck import classbook, report

    classbook.write_outputs(klass, list(report.CLASS_FORMATS), classbook.summarize(klass),
                            classbook.OutputOptions(audience="student"))
    for path in (klass / "students").glob("*.html"):
        assert "expected" not in path.read_text(encoding="utf-8"), path.name
    for author in ("bo", "dee"):                                    # ada and cy wrote 608 themselves
        assert "608" not in (klass / "students" / f"{ids(klass)[author]}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("typed, shown", [
    (r"\frac{\lambda}{2\eta}", "(λ)/(2η)"),
    (r"\|X^\top a\|_2^2", "‖Xᵀ a‖₂²"),
    (r"X^T a \cdot w", "Xᵀ a · w"),
    (r"<script>\lambda</script>", "<script>λ</script>"),        # rewritten as text; _h escapes it after
    (r"\hat w = X^{-1}t", "ŵ = X⁻¹t"),
    ("||Xw - t||^2", "‖Xw - t‖²"),
    ("608", "608"),
])
def test_formulas_are_shown_as_the_terminal_shows_them(typed, shown):
    assert pretty(typed) == shown


# -- in a real browser ------------------------------------------------------------------------------
BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
# run after the page's own script: sort by score (click), then say what is on screen
PROBE = """<script>
var th = [].slice.call(document.querySelectorAll('th')).filter(function (h) { return h.textContent === 'score'; })[0];
if (th) { th.click(); }
var boxes = [].slice.call(document.querySelectorAll('svg')).map(function (s) {
  var r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; });
var rows = th ? [].slice.call(th.closest('table').tBodies[0].rows).map(function (r) { return r.cells[1].innerText; }) : [];
var probe = document.createElement('pre'); probe.id = 'probe';
probe.textContent = JSON.stringify({text: document.body.innerText, svgs: boxes, sorted: rows,
  sort: th ? th.getAttribute('aria-sort') : null});
document.body.appendChild(probe);
</script>"""


def on_screen(path: Path, tmp_path: Path) -> dict:
    """The page as headless Chromium shows it, read by PROBE (a copy of the page with it appended)."""
    copy = path.parent / f"probe-{path.name}"
    copy.write_text(path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000", "--dump-dom",
                           copy.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r"<pre id=\"probe\">(.*?)</pre>", done.stdout, re.DOTALL)
    assert found, done.stderr[-2000:]
    import html

    return json.loads(html.unescape(found.group(1)))


@pytest.mark.browser
@pytest.mark.skipif(BROWSER is None, reason="no chromium (make setup installs it as root: apt-get install chromium)")
def test_a_browser_shows_the_class_page_and_sorts_it(klass, tmp_path):
    seen = on_screen(klass / "report.html", tmp_path)
    assert "dlcheck class report" in seen["text"] and "toy: 4 scores out of 1 points, 3 points" in seen["text"]
    assert "✎ 2 waiting for a human" in seen["text"]
    assert len(seen["svgs"]) == 3 and all(w > 0 and h > 0 for w, h in seen["svgs"])   # drawn, not empty
    assert seen["sort"] == "ascending" and seen["sorted"][0] == "dee"                  # clicked: lowest first


@pytest.mark.browser
@pytest.mark.skipif(BROWSER is None, reason="no chromium (make setup installs it as root: apt-get install chromium)")
def test_a_browser_shows_a_students_page(klass, tmp_path):
    seen = on_screen(klass / "students" / f"{ids(klass)['bo']}.html", tmp_path)
    assert "Score 1 / 3 (33%)" in seen["text"] and "half the rubric" in seen["text"]
    assert "partial (scored by a human)" in seen["text"] and "← the class report" in seen["text"]


def test_a_part_nobody_has_scored_yet_shows_no_share():
    from dlcheck.report.html import class_page

    part = {"submissions": 2, "answered": 1, "share_correct": 0.0, "verdicts": {"missing": 1, "review": 1},
            "common_wrong": [], "known_mistakes": {}, "human_scored": 0}
    text = class_page({"submissions": 2, "graded": 2, "errors": [], "mean_score": 1, "parts": {"s/q/why": part}}, [])
    assert "✎ waiting for a human (1)" in text and "0%" not in text
