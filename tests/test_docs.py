"""The documentation holds: every example submission in docs/submission-format.md
loads and grades to the verdicts written under it, the JSON Schemas of docs/schemas/
are what dlcheck.schemas makes and accept every bundled spec and answer file (and
refuse what the loaders refuse), the spec examples of docs/authoring.md load, and
every relative link and anchor in README.md and docs/*.md resolves."""
import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from conftest import ROOT

DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def blocks(path: Path, language: str) -> list[tuple[int, str]]:
    """(line, text) of each fenced block in that language."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(2)) for m in FENCE.finditer(text) if m.group(1) == language]


# -- docs/submission-format.md: every example grades as it says --------------------------------
SUBMISSIONS = blocks(DOCS / "submission-format.md", "yaml")


def declared(text: str) -> tuple[dict, dict]:
    """The `# dlcheck: id/part verdict, …` and `# critiques: id right|wrong, …` lines of an example."""
    verdicts, critiques = {}, {}
    for line in text.splitlines():
        for prefix, into in (("# dlcheck:", verdicts), ("# critiques:", critiques)):
            if line.startswith(prefix):
                for item in line[len(prefix):].split(","):
                    key, value = item.split()
                    into[key] = value
    return verdicts, critiques


def test_the_format_page_has_an_example_of_every_kind(bank, tmp_path):
    from dlcheck import kinds
    from dlcheck.submission import load_submission

    assert len(SUBMISSIONS) >= 15
    text = (DOCS / "submission-format.md").read_text(encoding="utf-8")
    for words in ("block scalar", "single quotes", "critique", "trace", "schema_version", "--fail-under"):
        assert words in text
    assert all(declared(body)[0] for _, body in SUBMISSIONS), "every example says what dlcheck makes of it"
    found = set()
    for _, body in SUBMISSIONS:
        path = tmp_path / "kinds.yaml"
        path.write_text(body, encoding="utf-8")
        for entry in load_submission(path, bank).entries:
            problem = bank.problem(entry.problem_id)
            found |= {problem.parts[name].kind for name in entry.parts}
    assert set(kinds.NAMES) <= found, set(kinds.NAMES) - found


@pytest.mark.parametrize("line,body", SUBMISSIONS, ids=[f"line{line}" for line, _ in SUBMISSIONS])
def test_format_example_grades_as_documented(line, body, bank, tmp_path):
    from dlcheck.claims import TrainingSettings
    from dlcheck.grade import Grader
    from dlcheck.submission import load_submission

    path = tmp_path / "example.yaml"
    path.write_text(body, encoding="utf-8")
    submission = load_submission(path, bank)
    assert not submission.errors, [e.message for e in submission.errors]
    assert not submission.warnings, [w.message for w in submission.warnings]
    report = Grader(bank, True, training=TrainingSettings()).grade(submission)
    got = {}
    for r in report.results:
        got[f"{r.problem}/{r.part}"] = r.verdict
        if submission.set and r.problem.startswith(submission.set + "/"):
            got[f"{r.problem.split('/', 1)[1]}/{r.part}"] = r.verdict
    verdicts, critiques = declared(body)
    assert {k: got.get(k, "absent") for k in verdicts} == verdicts
    answered = {f"{e.problem_id}/{name}" for e in submission.entries for name in e.parts}
    listed = {k if k.count("/") == 2 else f"{submission.set}/{k}" for k in verdicts}
    assert answered <= listed, f"say what dlcheck makes of {sorted(answered - listed)}"
    by_problem = {c.problem.split("/", 1)[1]: c for c in report.critiques}
    for key, word in critiques.items():
        assert by_problem[key].critique_right is (word == "right"), key


# -- JSON Schemas --------------------------------------------------------------------------------
def _jsonschema():
    return pytest.importorskip("jsonschema")        # the `test` extra installs it


def schema(name: str) -> dict:
    return json.loads((DOCS / "schemas" / name).read_text(encoding="utf-8"))


def validator(name: str):
    return _jsonschema().Draft202012Validator(schema(name))


def test_schema_files_are_what_dlcheck_makes():
    from dlcheck import schemas

    for name, make in schemas.SCHEMAS.items():
        assert (DOCS / "schemas" / name).read_text(encoding="utf-8") == schemas.text(make), \
            f"docs/schemas/{name} is stale: run python -m dlcheck.schemas"
        _jsonschema().Draft202012Validator.check_schema(schema(name))


def _errors(name: str, instance) -> list:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(instance)]


SPECS = sorted((ROOT / "problems").glob("*/*.yaml"))
ANSWERS = sorted(p for p in (ROOT / "answers").rglob("*.yaml") if not p.name.endswith(".expected.yaml"))


def test_every_bundled_spec_validates():
    assert len(SPECS) > 40
    bad = {str(p.relative_to(ROOT)): _errors("spec.schema.json", yaml.safe_load(p.read_text(encoding="utf-8")))
           for p in SPECS}
    assert not {k: v for k, v in bad.items() if v}


def test_every_bundled_submission_and_format_example_validates():
    assert ANSWERS
    instances = {str(p.relative_to(ROOT)): yaml.safe_load(p.read_text(encoding="utf-8")) for p in ANSWERS}
    instances.update({f"submission-format.md:{line}": yaml.safe_load(body) for line, body in SUBMISSIONS
                      if "invalid" not in body})
    bad = {k: _errors("submission.schema.json", v) for k, v in instances.items()}
    assert not {k: v for k, v in bad.items() if v}


@pytest.mark.parametrize("text,words", [
    ("title: t\nstatement: s\nparts:\n  a: {kind: label, tolerance: {rel: 0.1}}\n", "tolerance"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: numbr}\n", "numbr"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: number}\nsolution: 3\n", "solution"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: number, rules: {r: {credit: 0.5}}}\n", "feedback"),
    ("title: t\nstatement: s\nparts:\n  a: {kind: text, flaws: [{pattern: x}]}\n", "feedback"),
    ("title: t\nparts:\n  a: {kind: number}\n", "statement"),
])
def test_the_spec_schema_refuses_what_the_loader_refuses(text, words, tmp_path):
    from dlcheck.errors import SpecError
    from dlcheck.spec import load_spec

    errors = _errors("spec.schema.json", yaml.safe_load(text))
    assert errors and any(words in e for e in errors), errors
    path = tmp_path / "q.yaml"
    path.write_text(text)
    with pytest.raises(SpecError):
        load_spec(path, "demo")


@pytest.mark.parametrize("data", [
    {"set": "dl-principles"},                                                    # no answers
    {"answers": {"3b": 608}, "anwsers": {}},                                     # a typo at the top
    {"answers": {"2.3.2": {"answer": "x", "critique": {"verdict": "maybe"}}}},   # not a verdict
    {"answers": {"2.3.2": {"answer": "x", "trace": "t", "explanation": "e"}}},   # not a long-form key
])
def test_the_submission_schema_refuses_bad_files(data):
    assert _errors("submission.schema.json", data)


# -- docs/authoring.md: its spec examples load -------------------------------------------------
def test_authoring_spec_examples_validate_and_load(tmp_path):
    from dlcheck.spec import load_spec

    specs = [(line, body) for line, body in blocks(DOCS / "authoring.md", "yaml") if "\nparts:" in "\n" + body]
    assert len(specs) >= 2
    for line, body in specs:
        assert not _errors("spec.schema.json", yaml.safe_load(body)), line
        path = tmp_path / "example.yaml"
        path.write_text(body, encoding="utf-8")
        load_spec(path, "demo")


def test_the_authoring_guide_names_every_kind_option():
    from dlcheck import kinds, spec

    text = (DOCS / "authoring.md").read_text(encoding="utf-8")
    for name in set(spec.COMMON_KEYS) | {o for k in kinds.NAMES for o in kinds.options(k)} | set(spec.TOP_KEYS):
        assert f"`{name}`" in text, name
    for kind in kinds.NAMES:
        assert f"`{kind}`" in text, kind


# -- links ---------------------------------------------------------------------------------------
LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<a\s+href=\"([^\"]+)\"")
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: markup dropped, lower case, punctuation removed
    (letters, digits, spaces, '-' and '_' kept), spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip())
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)     # a link's words
    text = re.sub(r"<[^>]+>", "", text).lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict = {}
    out = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        slug = github_slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    out |= set(re.findall(r"<a\s+(?:name|id)=\"([^\"]+)\"", text))
    return out


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)             # code spans are not links
    return [a or b for a, b in LINK.findall(text)]


def test_github_slugs():
    assert github_slug("The long form: answer, trace, critique") == "the-long-form-answer-trace-critique"
    assert github_slug("`dlcheck grade FILE [--format rich|json]`") == "dlcheck-grade-file---format-richjson"
    assert github_slug("Vectors, matrices and lists of matrices") == "vectors-matrices-and-lists-of-matrices"
    assert github_slug("Big-O") == "big-o"


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):            # https:, mailto: …: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / unquote(file_part)).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
            continue
        if anchor and dest.suffix == ".md" and unquote(anchor) not in anchors(dest):
            broken.append(f"{target}: no heading with that anchor in {dest.name}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_relative_link_and_anchor_resolves(page):
    assert page.exists() and links(page)
    assert not broken_links(page)


def test_the_link_checker_finds_broken_links(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n## A `code` heading: yes\n## A `code` heading: yes\n")
    page = tmp_path / "page.md"
    page.write_text("# Title\n[ok](other.md#a-code-heading-yes-1) [ok](#title) [web](https://example.org/x)\n"
                    "[gone](missing.md) [bad anchor](other.md#nope) [bad here](#titel)\n"
                    "```\n[in a fence](nowhere.md)\n```\n`[in code](nowhere.md)`\n")
    assert broken_links(page) == ["missing.md: no such file", "other.md#nope: no heading with that anchor in other.md",
                                  "#titel: no heading with that anchor in page.md"]


def test_the_readme_links_the_docs_not_a_missing_contract():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "SUBMISSION_FORMAT.md" not in text
    assert "(docs/submission-format.md" in text and "(docs/authoring.md" in text
