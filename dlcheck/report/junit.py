"""JUnit XML: a testsuite per submission, a testcase per part, so GitHub
Actions, GitLab and Jenkins show the grading in their own test views.

correct -> pass; incorrect, partial, invalid, missing -> <failure> with the
feedback as its message; error, timeout -> <error>; review -> <skipped>.
Every string passes `_clean`: no control characters (XML 1.0 forbids most of
them, and CI logs print the rest), ElementTree escapes the markup."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from dlcheck.report.safe import untrusted
from dlcheck.results import record_of

FAILURES = {"incorrect", "partial", "invalid", "missing"}
ERRORS = {"error", "timeout"}
_XML_BAD = re.compile("[\ufffe\uffff]")    # not characters in XML 1.0; `untrusted` takes the controls and surrogates


def render_report(report, out) -> None:
    record = record_of(report, Path(report.submission).stem)
    _write(out, lambda: iter([record]))


def write_class(book) -> list:
    path = book.out / "junit.xml"
    with path.open("w", encoding="utf-8") as fh:
        _write(fh, book.records)
    return [path]


def _write(out, records) -> None:
    """Two passes over the records (totals first, for the root element), one
    suite in memory at a time, so a class of any size streams to disk."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for record in records():
        suite = _suite(record)
        for key in totals:
            totals[key] += int(suite.get(key))
    attributes = " ".join(f'{k}="{v}"' for k, v in totals.items())
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="dlcheck" {attributes}>\n')
    for record in records():
        suite = _suite(record)
        ET.indent(suite, level=1)
        out.write("  " + ET.tostring(suite, encoding="unicode") + "\n")
    out.write("</testsuites>\n")


def _suite(record: dict):
    suite = ET.Element("testsuite", name=_clean(record["id"]))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if record.get("status") != "graded":
        case = ET.SubElement(suite, "testcase", classname=_clean(record["id"]), name="submission")
        ET.SubElement(case, "error", message=_clean(record.get("error") or "not graded"), type="unreadable")
        counts.update(tests=1, errors=1)
    else:
        for r in record["report"].get("results", []):
            counts["tests"] += 1
            outcome = _case(suite, record["id"], r)
            if outcome:
                counts[outcome] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", "0")
    return suite


def _case(suite, submission_id: str, r: dict) -> str | None:
    case = ET.SubElement(suite, "testcase", classname=_clean(submission_id),
                         name=_clean(f"{r['problem']}/{r['part']}"), time="0")
    verdict = r["verdict"]
    expected = f"expected: {r['expected']}\n" if r.get("expected") else ""     # none in a student's view
    detail = _clean(f"verdict: {verdict}\n{expected}got: {r.get('got', '')}\n"
                    f"score: {r.get('score')} / {r.get('max_score')}\n{r.get('feedback', '')}")
    message = _clean((r.get("feedback") or verdict).splitlines()[0] if (r.get("feedback") or verdict) else verdict)
    if verdict in FAILURES:
        ET.SubElement(case, "failure", message=message, type=verdict).text = detail
        return "failures"
    if verdict in ERRORS:
        ET.SubElement(case, "error", message=message, type=verdict).text = detail
        return "errors"
    if verdict == "review":
        ET.SubElement(case, "skipped", message="awaits a human review")
        return "skipped"
    return None


def _clean(text) -> str:
    return _XML_BAD.sub("\ufffd", untrusted(text, keep_newlines=True))[:4000]
