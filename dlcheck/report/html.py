"""Self-contained HTML: a submission's page (`dlcheck grade --format html`), and the class
report a TA opens (`dlcheck batch`: report.html, with each student's page in students/).

The class page: a score histogram per problem set and the share of each verdict per part,
both inline SVG; sortable tables (a few lines of inline script; without it the tables are
plain); review parts marked as waiting for a human; every submission one click from its own
page (verdicts, feedback, the working's audit, the critique's flags). Nothing is fetched:
no external file, font or script, and a Content-Security-Policy that forbids any.

Every string, and every number read back from a result file, goes through `_h`:
control characters dropped (`untrusted`), then HTML-escaped, quotes included, so it is
inert in text and attributes. Formulas a student typed in LaTeX are shown as the terminal
shows formulas (`pretty`: ᵀ, ·, ‖v‖², Greek letters), as text."""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter, defaultdict
from itertools import groupby
from urllib.parse import quote

from dlcheck.report.safe import untrusted

STUDENTS = "students"           # book.out/students/<id>.html
BINS = 10                       # histogram bars: 0-10 %, …, 90-100 %
ORDER = ("correct", "partial", "incorrect", "invalid", "error", "timeout", "missing", "review")
COLOUR = {"correct": "#2e7d32", "partial": "#f9a825", "incorrect": "#c62828", "invalid": "#7b1fa2",
          "error": "#ad1457", "timeout": "#6a1b9a", "missing": "#bdbdbd", "review": "#00838f"}
MARK = {"correct": "✓", "incorrect": "✗", "partial": "½", "invalid": "?", "missing": "–", "error": "!",
        "timeout": "⏱", "review": "✎"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:80em}"
         "table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
         "th{background:#f4f4f4;cursor:pointer}th[aria-sort=ascending]::after{content:' ▲'}"
         "th[aria-sort=descending]::after{content:' ▼'}"
         + "".join(f".{v}{{color:{c}}}" for v, c in COLOUR.items()) +
         ".review{font-weight:bold}.note{color:#555;font-size:.9em}.flag{color:#b00020;font-weight:bold}"
         ".formula{font-family:ui-monospace,monospace}svg text{font-size:11px;fill:#333}"
         ".set{display:inline-block;vertical-align:top;margin-right:2em}")
# click a header to sort by it (numbers by the cell's data-v); no library, no network
SCRIPT = ("document.querySelectorAll('table').forEach(function(t){var hs=t.querySelectorAll('thead th');"
          "hs.forEach(function(th,i){th.addEventListener('click',function(){var up=th.getAttribute('aria-sort')"
          "!=='ascending';hs.forEach(function(h){h.removeAttribute('aria-sort')});"
          "th.setAttribute('aria-sort',up?'ascending':'descending');var b=t.tBodies[0];"
          "var key=function(r){var c=r.cells[i];var v=c.hasAttribute('data-v')?c.getAttribute('data-v'):"
          "c.textContent.trim();var n=parseFloat(v);return isNaN(n)||!/^-?[0-9.]/.test(v)?v.toLowerCase():n};"
          "Array.prototype.slice.call(b.rows).sort(function(x,y){var p=key(x),q=key(y);"
          "var c=typeof p===typeof q?(p<q?-1:p>q?1:0):(typeof p==='number'?-1:1);return up?c:-c})"
          ".forEach(function(r){b.appendChild(r)})})})});")


# -- one submission ---------------------------------------------------------------------------
def render_report(report, out) -> None:
    """`dlcheck grade --format html`: the same page a student's link opens in the class report."""
    out.write(submission_page(report.to_json(), report.submission))


def submission_page(rep: dict, title: str, back: str = "") -> str:
    """A submission's report (its JSON, SUBMISSION_FORMAT.md) as a page; `back` links the class page."""
    student = rep.get("audience") == "student"
    score, maximum = rep.get("score", 0), rep.get("max_score", 0)
    share = f" ({score / maximum:.0%})" if _number(score) and _number(maximum) and maximum else ""
    body = [f"<p><a href='{_h(back)}'>← the class report</a></p>" if back else "",
            f"<h1>{_h(title)}</h1>",
            f"<p>{_h(rep.get('author') or '')}</p>" if rep.get("author") else "",
            f"<p><b>Score {_h(_g(score))} / {_h(_g(maximum))}{share}</b> · {_tally(rep.get('counts') or {})}</p>",
            _human_line(rep)]
    for issue in list(rep.get("errors") or []) + list(rep.get("warnings") or []):
        body.append(f"<p class='flag'>{_h(issue.get('key', ''))}: {_h(issue.get('message', ''))}</p>")
    traces = {t.get("problem"): t for t in rep.get("traces") or []}
    critiques = {c.get("problem"): c for c in list(rep.get("critiques") or []) + list(
        rep.get("critiques_unchecked") or [])}
    results = rep.get("results") or []
    expected = not student or any(r.get("expected") for r in results)
    for pid, rows in groupby(results, key=lambda r: r.get("problem", "")):
        body.append(_problem(pid, list(rows), expected, student, traces.get(pid), critiques.get(pid)))
    return _page(f"dlcheck: {title}", "".join(body))


def _problem(pid: str, rows: list, expected: bool, student: bool, trace, critique) -> str:
    head = ["part", "verdict", "score"] + (["expected"] if expected else []) + [
        "your answer" if student else "answer", "feedback"]
    cells = []
    for r in rows:
        notes = "".join(f"<br><span class='note'>• {_h(n)}</span>" for n in r.get("notes") or [])
        cells.append(
            f"<tr><td>{_h(r.get('part'))}</td>{_verdict_cell(r)}<td data-v='{_h(_g(r.get('score', 0)))}'>"
            f"{_h(_g(r.get('score', 0)))} / {_h(_g(r.get('max_score', 0)))}</td>"
            + (f"<td class='formula'>{_h(r.get('expected') or '—')}</td>" if expected else "")
            + f"<td class='formula'>{_h(pretty(r.get('got') or '—'))}</td><td>{_h(r.get('feedback') or '')}{notes}"
              f"</td></tr>")
    table = (f"<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead>"
             f"<tbody>{''.join(cells)}</tbody></table>")
    return f"<h2>{_h(pid)}</h2>{table}{_working(trace)}{_critique(critique)}"


def _verdict_cell(r: dict) -> str:
    verdict = str(r.get("verdict", ""))
    if verdict == "review":
        stale = (r.get("human") or {}).get("stale")
        words = "to check again: the answer changed after it was scored" if stale else "waiting for a human"
        return f"<td class='review' data-v='review'>{MARK['review']} {words}</td>"
    human = " (scored by a human)" if r.get("decided_by") == "human" else ""
    return f"<td class='{_h(verdict)}' data-v='{_h(verdict)}'>{MARK.get(verdict, '')} {_h(verdict)}{human}</td>"


def _working(trace) -> str:
    """The working's audit: final answer and reasoning, the tally, the earliest wrong step."""
    if not isinstance(trace, dict):
        return ""
    marks = {"correct": "✓", "partial": "½", "incorrect": "✗", True: "✓", False: "✗"}
    counts = trace.get("counts") or {}
    tally = ", ".join(f"{_h(n)} {_h(k if k != 'given' else 'definitions')}" for k, n in counts.items())
    text = (f"<p>working: final answer {marks.get(trace.get('final_answer'), '?')}, reasoning "
            f"{marks.get(trace.get('reasoning_ok'), '?')}{f' · {tally}' if tally else ''}")
    wrong = trace.get("earliest_wrong")
    if isinstance(wrong, dict):
        text += (f"<br><span class='flag'>✗ earliest wrong step, line {_h(wrong.get('line'))}:</span> "
                 f"<span class='formula'>{_h(pretty(str(wrong.get('text', ''))[:200]))}</span>")
        if wrong.get("reason"):
            text += f"<br><span class='note'>{_h(wrong['reason'])}</span>"
    return text + "</p>"


def _critique(c) -> str:
    if not isinstance(c, dict):
        return ""
    said = _h(c.get("critique_verdict") or "no verdict")
    right = c.get("critique_right")
    line = (f"<p class='note'>reviewer said “{said}”: not checked ({_h(c.get('reason') or '')})</p>" if right is None
            else f"<p>✓ reviewer said “{said}”: right</p>" if right
            else f"<p class='flag'>⚑ reviewer said “{said}”: wrong</p>")
    return line + "".join(f"<p class='flag'>⚑ {_h(flag)}</p>" for flag in c.get("flags") or [])


def _tally(counts: dict) -> str:
    return " ".join(f"<span class='{v}'>{_h(counts[v])} {v}</span>" for v in ORDER if counts.get(v))


def _human_line(rep: dict) -> str:
    said = [f"{_h(rep[k])} {words}" for k, words in (("human_scored", "parts scored by a human"),
                                                       ("reviews_pending", "parts waiting for a human review"))
            if rep.get(k)]
    if not said and (rep.get("counts") or {}).get("review"):
        said = [f"{_h(rep['counts']['review'])} parts waiting for a human review (not in the score)"]
    return f"<p class='review'>{'; '.join(said)}</p>" if said else ""


# -- the class ------------------------------------------------------------------------------------
def write_class(book) -> list:
    """report.html and students/<id>.html: each record read once (memory: one line per student)."""
    folder = book.out / STUDENTS
    folder.mkdir(parents=True, exist_ok=True)
    rows, written = [], []
    for record in book.records():
        rows.append(_row(record))
        if isinstance(record.get("report"), dict):
            path = folder / f"{record['id']}.html"
            path.write_text(submission_page(record["report"], _name(record), back="../report.html"),
                            encoding="utf-8")
            written.append(path)
    path = book.out / "report.html"
    path.write_text(class_page(book.summary, rows), encoding="utf-8")
    return [path] + written


def _row(record: dict) -> dict:
    rep = record.get("report") if isinstance(record.get("report"), dict) else {}
    results = rep.get("results") or []
    sets = Counter(str(r.get("problem", "")).split("/", 1)[0] for r in results)
    return {"id": record["id"], "name": _name(record), "author": rep.get("author") or "",
            "status": record.get("status", ""), "score": rep.get("score"), "max": rep.get("max_score"),
            "pending": sum(r.get("verdict") == "review" for r in results),
            "human": sum(r.get("decided_by") == "human" for r in results),
            "set": sets.most_common(1)[0][0] if sets else "", "error": record.get("error") or "",
            "page": bool(rep)}


def _name(record: dict) -> str:
    return str(record.get("submission", "")).replace("\\", "/").rsplit("/", 1)[-1] or record["id"]


def class_page(summary: dict, rows: list) -> str:
    graded = [r for r in rows if r["status"] == "graded" and _number(r["score"]) and _number(r["max"])]
    body = [f"<h1>dlcheck class report</h1><p>{_h(summary['submissions'])} submissions, {_h(summary['graded'])} "
            f"graded, {len(summary['errors'])} not gradable; mean score {_h(summary['mean_score'])}</p>",
            "<h2>Scores</h2>"]
    by_set = defaultdict(list)
    for r in graded:
        by_set[r["set"]].append(r)
    for set_name, members in sorted(by_set.items()):
        body.append(histogram(set_name, members))
    body.append("<h2>Parts</h2>" + _legend() + _parts_table(summary["parts"]))
    body.append("<h2>Submissions</h2>" + _submissions_table(rows))
    return _page("dlcheck class report", "".join(body), script=True)


def histogram(set_name: str, members: list) -> str:
    """Scores as a share of the set's maximum, in BINS bars; each bar says its count and range."""
    maxima = Counter(r["max"] for r in members)
    counts = [0] * BINS
    for r in members:
        share = r["score"] / r["max"] if r["max"] else 0.0
        counts[min(BINS - 1, max(0, int(share * BINS)))] += 1
    width, height, bar, top = 440, 160, 36, max(counts) or 1
    shapes = []
    for i, n in enumerate(counts):
        h = round((height - 40) * n / top)
        x, y = 30 + i * (bar + 2), height - 20 - h
        label = f"{n} scored {i * 100 // BINS}–{(i + 1) * 100 // BINS}%"
        shapes.append(f"<rect x='{x}' y='{y}' width='{bar}' height='{h}' fill='#1565c0'><title>{label}</title></rect>"
                      + (f"<text x='{x + bar / 2}' y='{y - 3}' text-anchor='middle'>{n}</text>" if n else ""))
    ticks = "".join(f"<text x='{30 + i * (bar + 2)}' y='{height - 5}' text-anchor='middle'>{i * 100 // BINS}%</text>"
                    for i in (0, 5, 10))
    scale = ", ".join(f"{_h(_g(m))} points" for m, _ in maxima.most_common())
    mixed = len(maxima) > 1
    title = f"{set_name or 'no set'}: {len(members)} scores out of {scale}"
    return (f"<div class='set'><h3>{_h(title)}</h3>" + ("<p class='flag'>⚑ not every student of this set has "
                                                         "the same maximum</p>" if mixed else "")
            + f"<svg role='img' aria-label='{_h('score histogram, ' + title)}' width='{width}' height='{height}' "
              f"viewBox='0 0 {width} {height}' xmlns='http://www.w3.org/2000/svg'>"
              f"<line x1='28' y1='{height - 20}' x2='{width - 10}' y2='{height - 20}' stroke='#333'/>"
            + "".join(shapes) + ticks + "</svg></div>")


def _legend() -> str:
    return "<p>" + " ".join(f"<span style='color:{COLOUR[v]}'>■</span> {v}" for v in ORDER) + "</p>"


def _parts_table(parts: dict) -> str:
    rows = []
    for name, p in parts.items():
        verdicts = p.get("verdicts") or {}
        waiting = verdicts.get("review", 0)
        if p["share_correct"] is None or (waiting and not set(verdicts) - {"review", "missing"}):
            # nothing decided yet but the missing answers: a share of 0 % would say nothing
            share = f"<td class='review' data-v='-1'>✎ waiting for a human ({_h(waiting)})</td>"
        else:
            human = f" ({_h(p['human_scored'])} by a human)" if p.get("human_scored") else ""
            wait = f"<br><span class='review'>✎ {_h(waiting)} waiting for a human</span>" if waiting else ""
            share = f"<td data-v='{_h(p['share_correct'])}'>{p['share_correct']:.0%}{human}{wait}</td>"
        rows.append(f"<tr><td>{_h(name)}</td><td data-v='{_h(p['answered'])}'>{_h(p['answered'])}/"
                    f"{_h(p['submissions'])}</td>{share}<td data-v='{_h(p['share_correct'] or 0)}'>"
                    f"{bars(name, verdicts)}</td><td class='formula'>{_wrong(p['common_wrong'])}</td>"
                    f"<td>{'<br>'.join(f'{_h(k)} ×{_h(n)}' for k, n in p['known_mistakes'].items())}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("part", "answered", "correct", "verdicts", "most common wrong answers",
                                              "known mistakes"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def bars(name: str, verdicts: dict) -> str:
    """One part's verdicts as a stacked bar, each segment titled with its count."""
    total = sum(n for n in verdicts.values() if _number(n)) or 1
    width, x, segments = 200, 0.0, []
    for verdict in ORDER:
        n = verdicts.get(verdict, 0)
        if not n:
            continue
        w = width * n / total
        segments.append(f"<rect x='{x:.1f}' y='0' width='{w:.1f}' height='14' fill='{COLOUR[verdict]}'>"
                        f"<title>{_h(n)} {verdict}</title></rect>")
        x += w
    said = ", ".join(f"{_h(verdicts[v])} {v}" for v in ORDER if verdicts.get(v))
    return (f"<svg role='img' aria-label='{_h(name)}: {said}' width='{width}' height='14' "
            f"viewBox='0 0 {width} 14' xmlns='http://www.w3.org/2000/svg'>{''.join(segments)}</svg>")


def _submissions_table(rows: list) -> str:
    out = []
    for r in rows:
        name = _h(r["name"])
        link = f"<a href='{STUDENTS}/{quote(r['id'])}.html'>{name}</a>" if r["page"] else name
        has = _number(r["score"]) and _number(r["max"])
        share = r["score"] / r["max"] if has and r["max"] else None
        score = f"{_h(_g(r['score']))} / {_h(_g(r['max']))}" if has else "—"
        review = (f"✎ {r['pending']} waiting" if r["pending"] else "") + (
            f"{'; ' if r['pending'] else ''}{r['human']} scored by a human" if r["human"] else "")
        out.append(f"<tr><td data-v='{_h(r['name'])}'>{link}</td><td>{_h(r['author'])}</td><td>{_h(r['status'])}</td>"
                   f"<td data-v='{_h(r['score'] if has else -1)}'>{score}</td>"
                   f"<td data-v='{_h(-1 if share is None else round(share, 4))}'>"
                   f"{'—' if share is None else format(share, '.0%')}</td>"
                   f"<td class='review' data-v='{r['pending']}'>{review}</td><td>{_h(r['error'])}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("submission", "author", "status", "score", "%", "review", "error"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(out)}</tbody></table>"


def _wrong(common: list) -> str:
    return "<br>".join(f"{_h(pretty(w['answer']))} ×{_h(w['count'])}" for w in common)


# -- formulas as the terminal shows them ------------------------------------------------------------
_GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5), ("eta", 0x3B7),
    ("theta", 0x3B8), ("lambda", 0x3BB), ("mu", 0x3BC), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3),
    ("tau", 0x3C4), ("phi", 0x3C6), ("omega", 0x3C9), ("Sigma", 0x3A3), ("Delta", 0x394), ("nabla", 0x2207))}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PRETTY = (
    (re.compile(r"\\(?:left|right|displaystyle|,|;|!|quad)\s*"), ""),
    (re.compile(r"\^\{?\\top\}?|\^\{?T\}?(?![A-Za-z0-9])"), "ᵀ"),
    (re.compile(r"\\(?:cdot|times)"), "·"),
    (re.compile(r"\\\||\\lVert|\\rVert|\|\|"), "‖"),
    (re.compile(r"\^\{-1\}"), "⁻¹"),
    (re.compile(r"\\hat\s*\{?([A-Za-z])\}?"), "\\1\u0302"),
    (re.compile(r"\\tilde\{?\\lambda\}?"), "λ̃"),
    (re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}"), r"(\1)/(\2)"),
    (re.compile(r"\^\{?([0-9])\}?(?![0-9])"), lambda m: m.group(1).translate(_SUPERSCRIPT)),
    (re.compile(r"\\(" + "|".join(_GREEK) + r")(?![A-Za-z])"), lambda m: _GREEK[m.group(1)]),
    (re.compile(r"\$"), ""),
)


def pretty(text) -> str:
    """LaTeX a student typed, shown as the terminal shows formulas (X^\\top → Xᵀ, \\cdot → ·,
    \\|v\\|_2^2 → ‖v‖₂², \\lambda → λ). Display only: text is rewritten, never read or run."""
    text = str(text)
    if "\\" not in text and "^" not in text:
        return text
    for pattern, repl in _PRETTY:
        text = pattern.sub(repl, text)
    return unicodedata.normalize("NFC", text.replace("_2", "₂") if "‖" in text else text)


# -- a page -------------------------------------------------------------------------------------------
def _page(title: str, body: str, script: bool = False) -> str:
    code = f"<script>{SCRIPT}</script>" if script else ""
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\"><title>{_h(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}{code}</body></html>\n")


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf")


def _g(x) -> str:
    return format(x, "g") if _number(x) else str(x)


def _h(text) -> str:
    return html.escape(untrusted(text), quote=True)
