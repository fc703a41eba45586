"""A self-contained HTML report: a submission's verdicts, or the class summary
with every submission's score. Every string, and every number read back from
a result file, goes through `_h`: control characters dropped (`untrusted`),
then HTML-escaped, quotes included, so it is inert in text and attributes."""
from __future__ import annotations

import html

from dlcheck.report.safe import untrusted

STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
         ".correct{color:#176b2c}.incorrect,.error{color:#b00020}.partial{color:#a66b00}"
         ".invalid,.timeout{color:#7b1fa2}.review{color:#00697a}.missing{color:#777}")


def render_report(report, out) -> None:
    rows = "".join(f"<tr><td>{_h(r.problem)}/{_h(r.part)}</td><td class='{_h(r.verdict)}'>"
                   f"{_h(r.verdict)}</td><td>{r.score:g} / {r.max_score:g}</td><td>{_h(r.expected)}</td>"
                   f"<td>{_h(r.got)}</td><td>{_h(r.feedback)}</td></tr>" for r in report.results)
    body = (f"<h1>dlcheck: {_h(report.submission)}</h1><p><b>Score {report.score:g} / {report.max_score:g}</b></p>"
            f"<table><tr><th>part</th><th>verdict</th><th>score</th><th>expected</th><th>got</th><th>feedback</th>"
            f"</tr>{rows}</table>")
    out.write(_page(f"dlcheck: {report.submission}", body))


def write_class(book) -> list:
    summary = book.summary
    parts = "".join(
        f"<tr><td>{_h(name)}</td><td>{p['answered']}/{p['submissions']}</td>"
        f"<td>{'review' if p['share_correct'] is None else format(p['share_correct'], '.0%')}</td>"
        f"<td>{_wrong(p['common_wrong'])}</td>"
        f"<td>{'<br>'.join(f'{_h(k)} ×{n}' for k, n in p['known_mistakes'].items())}</td></tr>"
        for name, p in summary["parts"].items())
    head, tail = _page("dlcheck class report", "\0").split("\0")
    path = book.out / "report.html"
    with path.open("w", encoding="utf-8") as fh:                 # rows streamed: memory stays flat
        fh.write(head)
        fh.write(f"<h1>dlcheck class report</h1><p>{summary['submissions']} submissions, {summary['graded']} "
                 f"graded, {len(summary['errors'])} not gradable; mean score {_h(summary['mean_score'])} / "
                 f"{_h(summary['max_score'])}</p>"
                 f"<h2>Parts</h2><table><tr><th>part</th><th>answered</th><th>correct</th>"
                 f"<th>most common wrong answers</th><th>known mistakes</th></tr>{parts}</table>"
                 f"<h2>Submissions</h2><table><tr><th>submission</th><th>status</th><th>score</th><th>error</th></tr>")
        for record in book.records():
            fh.write(_submission_row(record))
        fh.write("</table>" + tail)
    return [path]


def _wrong(common: list) -> str:
    return "<br>".join(f"{_h(w['answer'])} ×{w['count']}" for w in common)


def _submission_row(record: dict) -> str:
    report = record.get("report") or {}
    score = _h(f"{report.get('score')} / {report.get('max_score')}") if report else "—"
    return (f"<tr><td>{_h(record['submission'])}</td><td>{_h(record['status'])}</td><td>{score}</td>"
            f"<td>{_h(record.get('error') or '')}</td></tr>")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{_h(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")


def _h(text) -> str:
    return html.escape(untrusted(text), quote=True)
