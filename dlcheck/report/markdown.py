"""Markdown: a submission's verdict table, or the class summary (for CI job
summaries such as GitHub's $GITHUB_STEP_SUMMARY).

Every cell goes through `_cell`: a CI page renders this, so a submitted
<script>, <img onerror=…>, ![](http://tracker) or [x](javascript:…) must
arrive as text: HTML-significant characters become entities and the
characters of link, image, code and table syntax are backslash-escaped."""
from __future__ import annotations

import html
import re

from dlcheck.report.safe import untrusted

_MARKDOWN_SYNTAX = re.compile(r"([\\`\[\]|])")   # \ ` [ ] |: escapes, code spans, links/images, table cells


def render_report(report, out) -> None:
    out.write(f"## dlcheck: {_cell(report.submission)}\n\n")
    out.write(f"**Score {report.score:g} / {report.max_score:g}**\n\n")
    expected = report.audience != "student" or any(r.expected for r in report.results)
    head = ["part", "verdict", "score"] + (["expected"] if expected else []) + [
        "your answer" if report.audience == "student" else "got", "feedback"]
    out.write(f"| {' | '.join(head)} |\n|{'---|' * len(head)}\n")
    for r in report.results:
        cells = [_cell(f"{r.problem}/{r.part}"), r.verdict, f"{r.score:g} / {r.max_score:g}"]
        cells += ([_cell(r.expected)] if expected else []) + [_cell(r.got), _cell(r.feedback)]
        out.write(f"| {' | '.join(cells)} |\n")
    for c in report.critiques:
        if c.critique_right is False:
            out.write(f"\n- ⚑ {_cell(c.problem)}: the reviewer's verdict is wrong ({_cell('; '.join(c.flags))})")
    out.write("\n")


def write_class(book) -> list:
    path = book.out / "summary.md"
    path.write_text(class_markdown(book.summary), encoding="utf-8")
    return [path]


def class_markdown(summary: dict) -> str:
    lines = ["## dlcheck class summary", "",
             f"{summary['submissions']} submissions, {summary['graded']} graded, {len(summary['errors'])} not "
             f"gradable; mean score {summary['mean_score']} / {summary['max_score']}", "",
             *_not_graded(summary.get("not_graded")),
             "| part | answered | correct | most common wrong answers | known mistakes |", "|---|---|---|---|---|"]
    for name, p in summary["parts"].items():
        share = "—" if p["share_correct"] is None else f"{p['share_correct']:.0%}"
        share += f" ({p['human_scored']} by a human)" if p.get("human_scored") else ""
        wrong = "; ".join(f"{_cell(w['answer'], 40)} ×{w['count']}" for w in p["common_wrong"]) or "—"
        mistakes = "; ".join(f"{_cell(k)} ×{n}" for k, n in p["known_mistakes"].items()) or "—"
        lines.append(f"| {_cell(name)} | {p['answered']}/{p['submissions']} | {share} | {wrong} | {mistakes} |")
    wrong_critiques = {pid: c for pid, c in summary["critiques"].items() if c["wrong"]}
    if wrong_critiques:
        lines += ["", "| critique | checked | wrong |", "|---|---|---|"]
        lines += [f"| {_cell(pid)} | {c['checked']} | {c['wrong']} |" for pid, c in wrong_critiques.items()]
    if summary["errors"]:
        lines += ["", "Not gradable:", ""]
        lines += [f"- {_cell(e['submission'], 80)}: {_cell(e['error'] or '', 200)}" for e in summary["errors"]]
    return "\n".join(lines) + "\n"


def _not_graded(missed) -> list:
    """Entries that matched no problem or part head the summary: a typo costs points silently."""
    if not isinstance(missed, dict) or not missed.get("entries"):
        return []
    n, people = missed["entries"], missed.get("submissions") or []
    lines = [f"**{n} entr{'y' if n == 1 else 'ies'} not graded** (keys that match no problem or part):", ""]
    for who in people[:20]:
        keys = ", ".join(_cell(str(e.get("key")), 40) for e in who.get("entries", [])[:5])
        where = str(who.get("submission"))
        where = where if len(where) <= 80 else "…" + where[-79:]         # the student's end of the path
        lines.append(f"- {_cell(where, 80)}: {keys}")
    if len(people) > 20:
        lines.append(f"- … and {len(people) - 20} more (summary.json: not_graded)")
    return lines + [""]


def _cell(text, limit: int = 120) -> str:
    """One line of inert markdown text (cut before escaping, so no escape is cut in half)."""
    text = " ".join(untrusted(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return _MARKDOWN_SYNTAX.sub(r"\\\1", html.escape(text, quote=False))
