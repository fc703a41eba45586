"""The rich terminal report: a table per problem, critique flags that stand
out, and a score line.

Every string a submission (or its file name) could have written goes through
report/safe.py's `untrusted` into a Text: no escape sequences reach the
terminal, a newline cannot draw a line of its own, and neither rich markup
([bold red]) nor emoji codes (:cross_mark:) are interpreted."""
from __future__ import annotations

from itertools import groupby

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlcheck import kinds
from dlcheck.report.safe import untrusted

STYLE = {"correct": "bold green", "incorrect": "bold red", "partial": "bold yellow", "invalid": "bold magenta",
         "missing": "dim", "error": "bold red", "timeout": "bold magenta", "review": "cyan"}
MARK = {"correct": "✓", "incorrect": "✗", "partial": "½", "invalid": "?", "missing": "–", "error": "!",
        "timeout": "⏱", "review": "👁"}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """rich would exit(1) here; the CLI owns how a closed pipe ends (cli._broken_pipe)."""
        self.quiet = True
        raise BrokenPipeError


def _console(out) -> Console:
    return _Console(file=out, highlight=False, soft_wrap=False, markup=False, emoji=False)  # answers are data


def _plain(text, style: str = "") -> Text:
    """Submitted text as a cell or line: inert (see the module's docstring)."""
    return Text(untrusted(text), style=style)


def verdict_text(verdict: str) -> Text:
    return Text(f"{MARK.get(verdict, '')} {verdict}", style=STYLE.get(verdict, ""))


def render_report(report, out) -> None:
    console = _console(out)
    author = f" · {untrusted(report.author)}" if report.author else ""
    console.print(Text.assemble(("dlcheck ", "bold"), (untrusted(report.submission), "bold cyan"), (author, "")))
    critiques = {c.problem: c for c in report.critiques}
    traces = {t.problem: t for t in report.traces}
    unanswered = []
    for pid, rows in groupby(report.results, key=lambda r: r.problem):
        rows = list(rows)
        if all(r.verdict == "missing" for r in rows) and pid not in critiques:
            unanswered.append(pid.split("/", 1)[1])
            continue
        console.print(_problem_table(pid, report.titles.get(pid, ""), rows, report.audience == "student"))
        for r in rows:
            if r.details.get("diff") and r.verdict != "correct":
                console.print(_diff_table(r))
        if pid in traces:
            console.print(_working_line(traces[pid]))
        if pid in critiques:
            console.print(_critique_line(critiques[pid]))
    if unanswered:
        console.print(Text(f"Not answered: {', '.join(unanswered)}", style="dim"))
    for mark, style, issues in (("✗", "red", report.errors), ("⚠", "yellow", report.warnings)):
        for issue in issues:
            line = f" (line {issue.line})" if issue.line else ""
            console.print(_plain(f"{mark} {issue.key}{line}: {issue.message}", style))
    console.print(_summary(report))


def _problem_table(pid: str, title: str, rows, student: bool = False) -> Table:
    """A problem's parts; for students without the expected column (unless a part is revealed)."""
    expected = not student or any(r.expected for r in rows)
    table = Table(title=Text.assemble((untrusted(pid), "bold"), ("  " + untrusted(title), "dim")), title_justify="left",
                  show_lines=False, expand=False, pad_edge=False)
    table.add_column("part", style="bold", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    if expected:
        table.add_column("expected", overflow="fold", max_width=34)
    table.add_column("your answer" if student else "got", overflow="fold", max_width=34)
    table.add_column("feedback", overflow="fold", max_width=60)
    for r in rows:
        feedback = _plain(r.feedback.splitlines()[0] if r.feedback else "")  # carets live in --format json
        for note in r.notes:
            feedback.append(f"\n• {untrusted(note)}", style="dim")
        cells = [_plain(r.part), verdict_text(r.verdict)] + ([_plain(r.expected or "—")] if expected else [])
        table.add_row(*cells, _plain(r.got or "—"), feedback)
    return table


def _diff_table(result) -> Table:
    """Reference | submitted, layer by layer, differences highlighted."""
    table = Table(title=_plain(f"  {result.part}: layer by layer", "bold"), title_justify="left",
                  pad_edge=False, show_lines=False)
    table.add_column("", no_wrap=True)
    table.add_column("reference", overflow="fold")
    table.add_column("submitted", overflow="fold")
    marks = {"same": ("", ""), "differs": ("≠", "yellow"), "missing": ("−", "red"), "extra": ("+", "magenta")}
    for row in result.details["diff"]:
        mark, style = marks.get(row["status"], ("?", ""))
        table.add_row(Text(mark, style=style), _plain(row["reference"], style if row["status"] != "extra" else ""),
                      _plain(row["submitted"], style))
    return table


def _working_line(audit) -> Text:
    """final answer ✓/✗, reasoning ✓/✗, the tally and the earliest wrong step."""
    marks = {"correct": "✓", "partial": "½", "incorrect": "✗", None: "?"}
    final = marks.get(audit.final_answer, "?")
    reasoning = {True: "✓", False: "✗", None: "?"}[audit.reasoning_ok]
    counts = audit.counts
    flawed = audit.final_answer == "correct" and audit.reasoning_ok is False
    text = Text(f"  working: final answer {final}, reasoning {reasoning}", style="bold red" if flawed else "bold")
    if flawed:
        text.append("  (right answer, flawed reasoning)", style="bold red")
    text.append(f"  · {counts['ok']} ok, {counts['wrong']} wrong, {counts['undecided']} undecided, "
                f"{counts['given']} definitions", style="dim")
    wrong = audit.earliest_wrong
    if wrong is not None:
        text.append(f"\n  ✗ earliest wrong step, line {wrong.line}: ", style="red")
        text.append(untrusted(wrong.text[:120]))
        if wrong.reason:                # a student's view keeps only reasons about shapes
            text.append(f"\n    {untrusted(wrong.reason)}", style="red")
    undecided = audit.undecided
    if undecided:
        lines = ", ".join(str(s.line) for s in undecided[:12]) + (" …" if len(undecided) > 12 else "")
        text.append(f"\n    undecided (not read or no reference): line {lines}", style="dim")
    return text


def _critique_line(c) -> Text:
    said = untrusted(c.critique_verdict or "no verdict")
    if c.critique_right is None:
        text = Text(f"  reviewer said “{said}”: not checked ({untrusted(c.reason)})", style="dim")
    elif c.critique_right:
        text = Text(f"  ✓ reviewer said “{said}”: right", style="green")
    else:
        text = Text(f"  ⚑ reviewer said “{said}”: WRONG", style="bold white on red")
    for flag in c.flags:
        text.append(f"\n  ⚑ {untrusted(flag)}", style="bold red")
    return text


def _summary(report) -> Panel:
    counts = report.counts()
    pct = f" ({report.score / report.max_score:.0%})" if report.max_score else ""
    line = Text.assemble(("Score ", "bold"), (f"{report.score:g} / {report.max_score:g}{pct}", "bold"))
    order = ("correct", "partial", "incorrect", "invalid", "missing", "error", "timeout", "review")
    tally = Text("  ")
    for verdict in order:
        if counts.get(verdict):
            tally.append(f"{counts[verdict]} {verdict}  ", style=STYLE[verdict])
    checked = [c for c in report.critiques if c.critique_right is not None]
    wrong = [c for c in checked if not c.critique_right]
    bad_answers = [c for c in report.critiques if c.critique_answer_verdict in ("incorrect", "partial")]
    parts = [line, tally]
    if report.critiques:
        parts.append(Text(f"Critiques: {len(checked)} checked, {_n(len(wrong), 'wrong verdict')}, "
                          f"{len(bad_answers)} with a wrong answer of their own; "
                          f"{len(report.critiques) - len(checked)} wait for the human review",
                          style="bold red" if wrong or bad_answers else ""))
    if counts.get("review"):
        where = "" if report.audience == "student" else "; rubrics in --format json and `dlcheck show`"
        parts.append(Text(f"{_n(counts['review'], 'part')} await a human review (not in the score{where})",
                          style="cyan"))
    return Panel(Group(*parts), expand=False)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_solution(problem, refs, out) -> None:
    console = _console(out)
    console.print(Text.assemble((problem.full_id, "bold"), ("  " + problem.title, "")))
    for name, part in problem.parts.items():
        ref = refs.get(name)
        if ref is None:
            note = "answered by a human review" if not part.auto else "no reference derived yet"
            console.print(Text(f"  {name} ({part.kind}): {note}", style="dim"))
            continue
        console.print(Text.assemble(("  " + name, "bold"), (f" ({part.kind}) = ", "dim"),
                                    (kinds.show_expected(part, ref.value, ref.shown), "bold green")))
        for step in ref.steps:
            console.print(Text(f"      · {step}"))


def render_problem(problem, out) -> None:
    """`dlcheck show`: the statement, conventions and parts."""
    console = _console(out)
    console.print(Text.assemble((problem.full_id, "bold"), ("  " + problem.title, "bold cyan")))
    console.print(problem.statement)
    for convention in problem.conventions:
        console.print(Text(f"• {convention}", style="dim"))
    if problem.given:
        from dlcheck.report.given import given_lines

        console.print(Text("given", style="bold"))
        for line in given_lines(problem.given):
            console.print(_plain(line), overflow="fold")
    math = next((part.math for part in problem.parts.values() if part.math is not None), None)
    if math is not None:
        from dlcheck.report.given import symbol_lines

        lines = symbol_lines(math)
        if lines:
            console.print(Text("symbols (answers may use them)", style="bold"))
            for line in lines:
                console.print(_plain(line), overflow="fold")
    table = Table(show_header=True, pad_edge=False)
    for col in ("part", "kind", "points", "prompt"):
        table.add_column(col, overflow="fold")
    for name, part in problem.parts.items():
        optional = " (optional)" if part.optional else ""
        table.add_row(name, part.kind, f"{part.points:g}", part.prompt + optional)
    console.print(table)
    for name, part in problem.parts.items():
        if part.rubric:
            console.print(Text(f"rubric for {name}:", style="bold"))
            for item in part.rubric:
                console.print(f"  ☐ {item}")


def render_listing(bank, set_names, out) -> None:
    """`dlcheck list`: problems, parts and kinds per set."""
    console = _console(out)
    for set_name in set_names:
        table = Table(title=Text(set_name, style="bold"), title_justify="left", pad_edge=False)
        for col in ("id", "title", "parts (kind)"):
            table.add_column(col, overflow="fold")
        for pid in bank.problem_ids(set_name):
            p = bank.problem(pid)
            parts = ", ".join(f"{n} ({part.kind})" for n, part in p.parts.items())
            table.add_row(p.id, p.title, parts)
        console.print(table)


def render_equivalence(first: str, second: str, result, out) -> None:
    """`dlcheck equiv`: the verdict, which tier decided, and a counterexample."""
    console = _console(out)
    if result.equivalent:
        head = Text("✓ equivalent", style="bold green")
    elif result.equivalent is False:
        head = Text("✗ not equivalent", style="bold red")
    else:
        head = Text("? undecided", style="bold magenta")
    head.append(f"  (decided by: {result.decided_by})", style="dim")
    console.print(head)
    console.print(Text(f"  A: {untrusted(first)}\n  B: {untrusted(second)}"))
    if result.detail:
        console.print(_plain(f"  {result.detail}"))


def render_checks(rows, out) -> None:
    """`dlcheck check`: one line per problem and answer file."""
    console = _console(out)
    table = Table(pad_edge=False)
    for col in ("", "what", "name", "detail"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(Text("✓", style="green") if r.ok else Text("✗", style="bold red"), _plain(r.what),
                      _plain(r.name), _plain(r.detail, "" if r.ok else "red"))
    console.print(table)
    failed = sum(not r.ok for r in rows)
    console.print(Text(f"{len(rows) - failed} of {len(rows)} checks passed", style="bold red" if failed else "bold green"))


def render_class_summary(summary: dict, out) -> None:
    """`dlcheck batch`: per part, the share correct, common wrong answers and known mistakes."""
    console = _console(out)
    table = Table(title=Text(f"Class summary: {summary['submissions']} submissions, {summary['graded']} graded, "
                             f"{len(summary['errors'])} not gradable; mean score {summary['mean_score']} / "
                             f"{summary['max_score']}", style="bold"), title_justify="left", pad_edge=False)
    table.add_column("part", style="bold", no_wrap=True)
    table.add_column("answered", justify="right", no_wrap=True)
    table.add_column("correct", justify="right", no_wrap=True)
    table.add_column("most common wrong answers", no_wrap=True, overflow="ellipsis", max_width=48)
    table.add_column("known mistakes", no_wrap=True, overflow="ellipsis", max_width=28)
    for name, p in summary["parts"].items():
        share = "review" if p["share_correct"] is None else f"{p['share_correct']:.0%}"
        wrong = "; ".join(f"{_clip(untrusted(w['answer']), 24)} ×{w['count']}" for w in p["common_wrong"])
        mistakes = "; ".join(f"{k} ×{n}" for k, n in p["known_mistakes"].items())
        table.add_row(_plain(name), f"{p['answered']}/{p['submissions']}", share, _plain(wrong), _plain(mistakes))
    console.print(table)
    wrong = {pid: c for pid, c in summary["critiques"].items() if c["wrong"]}
    for pid, c in wrong.items():
        console.print(_plain(f"⚑ {pid}: {c['wrong']} of {c['checked']} critiques gave the wrong verdict", "red"))
    for e in summary["errors"][:20]:
        console.print(_plain(f"✗ {e['submission']}: {e['error']}", "red"))
    if len(summary["errors"]) > 20:
        console.print(Text(f"… and {len(summary['errors']) - 20} more (summary.json)", style="red"))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
