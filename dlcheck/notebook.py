"""`dlcheck import` and `dlcheck grade` for Jupyter/Colab notebooks (.ipynb).

A notebook is read with nbformat (JSON only: nothing in it is run, here or anywhere). Its
markdown cells, joined in order, are a write-up and are mapped by their headings exactly as
`dlcheck import WRITEUP.md` maps one (trace/importer.py). Its code cells give the code answers:
for each `kind: code` part, the names the part asks for (its prompt's "defining X", its
statement's "Implement X", or the part's own name, as csc413-a2 4.1 asks for PoolUpsampleNet
and islr-cnn-hw p11b for forward_batchnorm) are looked up among the notebook's top-level
definitions, and the answer is those definitions plus what they use, found by name and
transitively: helper functions and classes, constants, and the imports that bind the names.
Everything else at the top level (training loops, plots, `model = Net(...)`) is dropped.

The code is read with `ast.parse` only. IPython lines (`!pip install`, `%matplotlib inline`,
`x = !ls`) become `pass` before parsing (line numbers are kept); a cell magic other than
%%time/%%capture makes its cell not Python. A cell that still does not parse is reported and
skipped. Submitted code runs only in the grader's sandbox, as any code answer does.

Line numbers: the markdown cells are joined with one blank line between them, and the lines
the import reports (headings, `source:` of a trace) are lines of that joined text; the
submission's header lists which lines each cell holds."""
from __future__ import annotations

import ast
import io
import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.errors import WriteupFileError
from dlcheck.trace import importer, labels
from dlcheck.yamlsrc import YamlError, read_bytes

# Colab keeps cell outputs (plots as base64 PNG) in the file: a 25-epoch run with a few figures
# is 2-10 MB. Outputs are never read; the limit bounds the JSON parse.
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
MAX_CELLS = 5_000
MAX_CODE_CHARS = 2_000_000      # all code cells together: bounds the time ast.parse takes
# `!pip`, `%matplotlib`, `x = !ls`, and IPython's help: `?model`, `model?`, `nn.Conv2d??`
_SHELL = re.compile(r"^(\s*)(?:[!%?].*|[A-Za-z_][\w.,\s]*=\s*[!%].*|[A-Za-z_][\w.]*\?\??)\s*$")
_TITLED = re.compile(r"^(\s{0,3}#{1,6}\s+)(?:\*\*)?(?:(?:part|question|problem|exercise|q)\s*)?(\d+(?:\.\d+)+)"
                     r"[.:)]?(?:\*\*)?\s+\S.*$", re.I)
_PYTHON_CELL_MAGICS = {"time", "capture", "timeit"}                      # their body is Python
_DEFINING = re.compile(r"\b(?:defin\w*|[Ii]mplement\w*)\s+(?:(?:the\s+)?(?:class|function|method)\s+)?`?"
                       r"([A-Za-z_]\w*)")


@dataclass
class Cell:
    index: int                    # 1-based, as Jupyter and Colab number cells top to bottom
    kind: str                     # markdown | code | raw
    source: str


@dataclass
class CodeAnswer:
    problem: str
    part: str
    asked: list                   # the names the part asks for
    code: str
    cells: list                   # cells the kept statements come from
    kept: list                    # names kept beside the asked ones (helpers, constants, imports)


@dataclass
class NotebookImport:
    name: str
    imported: importer.Imported
    cell_lines: list              # (cell index, first, last line of the joined markdown)
    code: list = field(default_factory=list)           # [CodeAnswer]
    unparsed: list = field(default_factory=list)       # (cell index, why)
    not_found: list = field(default_factory=list)      # (problem/part, asked names)


# -- reading -----------------------------------------------------------------------------------
def read_cells(path: Path) -> list:
    """The cells of a notebook file; a file that is no notebook is a WriteupFileError (exit 2)."""
    import nbformat     # here, not at the top: `dlcheck --help` never pays for it

    try:
        data = read_bytes(path, MAX_NOTEBOOK_BYTES)
    except FileNotFoundError:
        raise WriteupFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise WriteupFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except YamlError as exc:                        # a FIFO, a device, over the limit
        raise WriteupFileError(f"{path}: {exc}") from None
    try:
        text = data.decode("utf-8")
        raw = json.loads(text)
    except UnicodeDecodeError as exc:
        raise WriteupFileError(f"{path}: not a notebook: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise WriteupFileError(f"{path}: not a notebook: not JSON ({str(exc)[:120]})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("nbformat"), int) or \
            not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise WriteupFileError(f"{path}: not a notebook: a Jupyter notebook is a JSON object with "
                               f"`nbformat` and `cells`")
    if raw["nbformat"] < 3 or raw["nbformat"] > 4:
        raise WriteupFileError(f"{path}: notebook format {raw['nbformat']} is not supported (3 and 4 are)")
    try:
        # a Colab export often fails nbformat's strict schema (widgets metadata): the errors are
        # captured, not raised, and the cells are checked below
        notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as exc:  # noqa: BLE001 - nbformat raises many types for a malformed notebook
        raise WriteupFileError(f"{path}: not a readable notebook: {type(exc).__name__}: {str(exc)[:160]}") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise WriteupFileError(f"{path}: not a notebook: `cells` is not a list")
    if len(cells) > MAX_CELLS:
        raise WriteupFileError(f"{path}: {len(cells):,} cells; the limit is {MAX_CELLS:,}")
    out = []
    for k, cell in enumerate(cells, 1):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            raise WriteupFileError(f"{path}: cell {k} has no text source")
        out.append(Cell(k, str(cell.get("cell_type", "")), source))
    if sum(len(c.source) for c in out if c.kind == "code") > MAX_CODE_CHARS:
        raise WriteupFileError(f"{path}: over {MAX_CODE_CHARS:,} characters of code")
    return out


# -- the import -----------------------------------------------------------------------------------
def import_notebook(cells: list, set_name: str, bank, name: str) -> NotebookImport:
    markdown, cell_lines = _joined_markdown(cells)
    ids = labels.Ids(pid.split("/", 1)[1] for pid in bank.problem_ids(set_name))
    imported = importer.import_writeup(_bare_headings(markdown, ids), set_name, bank)
    rows = markdown.split("\n")
    for section in imported.sections:         # the headings as the notebook writes them, titles included
        if 0 < section.line <= len(rows) and _TITLED.match(rows[section.line - 1]):
            section.heading = " ".join(rows[section.line - 1].lstrip(" #").split())
    result = NotebookImport(name, imported, cell_lines)
    statements = _statements(cells, result.unparsed)
    for pid in bank.problem_ids(set_name):
        problem = bank.problem(pid)
        for part_name, part in problem.parts.items():
            if part.kind != "code":
                continue
            asked = asked_names(problem, part_name, part, statements)
            short = pid.split("/", 1)[1]
            if not asked:
                if statements and _named(problem, part_name, part):
                    result.not_found.append((f"{short}/{part_name}", _named(problem, part_name, part)))
                continue
            code, used_cells, kept = extract(statements, asked, name)
            result.code.append(CodeAnswer(short, part_name, asked, code, used_cells, kept))
    _attach(result)
    return result


def _joined_markdown(cells: list):
    lines, spans = [], []
    for cell in cells:
        if cell.kind != "markdown" or not cell.source.strip():
            continue
        if lines:
            lines.append("")
        rows = cell.source.rstrip("\n").split("\n")
        spans.append((cell.index, len(lines) + 1, len(lines) + len(rows)))
        lines.extend(rows)
    return "\n".join(lines) + ("\n" if lines else ""), spans


def _bare_headings(markdown: str, ids) -> str:
    """`### 4.1 PoolUpsampleNet`, `## Question 3.3: Receptive fields` -> `### 4.1`: a notebook's
    headings carry the part's title, which a write-up's number-only heading does not; one line
    stays one line, so the line numbers hold."""
    def bare(m):
        return f"{m.group(1)}{m.group(2)}" if ids.pick(m.group(2)) else m.group(0)

    return "\n".join(_TITLED.sub(bare, row) for row in markdown.split("\n"))


def _attach(result: NotebookImport) -> None:
    """Each code answer goes to its problem's section, or to a section of its own."""
    sections = result.imported.sections
    for answer in result.code:
        section = next((s for s in sections if s.problem == answer.problem), None)
        if section is None:
            section = importer.Section(f"(code cells {_cells(answer.cells)})", 0, answer.problem)
            sections.append(section)
        section.empty = False
        where = (f"the notebook's {', '.join(answer.asked)}"
                 + (f" with {', '.join(answer.kept)}" if answer.kept else "")
                 + f" (cells {_cells(answer.cells)}), read without running them: check it")
        section.answers[answer.part] = (answer.code, 0, where)


def _named(problem, part_name: str, part) -> list:
    """Identifiers the part's prompt or the problem's statement ask to define; the part's own name
    (p11b's forward_batchnorm) where they name none."""
    names = []
    for text in (part.prompt or "", problem.statement or ""):
        names += [n for n in _DEFINING.findall(text) if not keyword.iskeyword(n) and n not in names]
    if not names and part_name.isidentifier():
        names.append(part_name)
    return names


def asked_names(problem, part_name: str, part, statements: list) -> list:
    """The name this part asks for, where the notebook defines it (def or class): the first that
    the prompt or statement names, else the part's own name."""
    defined = {n for s in statements if s.what == "def" for n in s.names}
    found = [n for n in _named(problem, part_name, part) if n in defined]
    return found[:1]


# -- code cells -> top-level statements -------------------------------------------------------------
@dataclass
class _Statement:
    cell: int
    order: int                    # position in the notebook
    node: ast.stmt
    text: str                     # its source lines (magics already replaced)
    what: str                     # def | const | import | other
    names: list                   # names it binds


def strip_magics(source: str) -> str | None:
    """The cell's Python with IPython lines replaced by `pass` (line numbers kept); None for a
    cell magic whose body is not Python (%%bash, %%writefile, %%html…)."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    return "\n".join(f"{m.group(1)}pass" if (m := _SHELL.match(line)) else line for line in lines)


def _statements(cells: list, unparsed: list) -> list:
    out = []
    for cell in cells:
        if cell.kind != "code" or not cell.source.strip():
            continue
        source = strip_magics(cell.source)
        if source is None:
            unparsed.append((cell.index, f"cell magic {cell.source.split()[0][:40]}: not Python"))
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            unparsed.append((cell.index, f"does not parse (line {exc.lineno} of the cell): {exc.msg}"))
            continue
        except (RecursionError, MemoryError, ValueError):
            unparsed.append((cell.index, "too deeply nested or malformed to parse"))
            continue
        rows = source.split("\n")
        for node in tree.body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            text = "\n".join(rows[first - 1:node.end_lineno])
            what, names = _binds(node)
            out.append(_Statement(cell.index, len(out), node, text, what, names))
    return out


def _binds(node: ast.stmt):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return "def", [node.name]
    if isinstance(node, ast.Import):
        return "import", [a.asname or a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom):
        return "import", [a.asname or a.name for a in node.names]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    value = getattr(node, "value", None)
    if names and value is not None and _constant(value):
        return "const", names
    return "other", names


def _constant(value: ast.expr) -> bool:
    """An assignment kept as a constant computes nothing: literals, names and arithmetic, no call
    (`model = Net()`, `history = train(...)` are runs, never kept)."""
    allowed = (ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Name, ast.Attribute, ast.BinOp,
               ast.UnaryOp, ast.operator, ast.unaryop, ast.expr_context)
    return all(isinstance(n, allowed) for n in ast.walk(value))


def _used(node: ast.AST) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def extract(statements: list, asked: list, notebook: str):
    """(code, cells, kept names): the imports that bind names the definitions use, then the
    definitions themselves in notebook order. A name bound several times takes its last
    definition, as running the notebook top to bottom would leave it."""
    last = {}
    for s in statements:
        if s.what in ("def", "const"):
            for name in s.names:
                last[name] = s
    imports = {}
    for s in statements:
        if s.what == "import":
            for name in s.names:
                imports.setdefault(name, []).append(s)
    chosen, queue, seen = {}, list(asked), set()
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        statement = last.get(name)
        if statement is not None:
            chosen[statement.order] = statement
            queue.extend(_used(statement.node) - seen)
    needed = set().union(*(_used(s.node) for s in chosen.values())) if chosen else set()
    kept_imports = []
    for s in statements:
        if s.what != "import":
            continue
        star = any(a.name == "*" for a in s.node.names)
        future = isinstance(s.node, ast.ImportFrom) and s.node.module == "__future__"
        if (star or future or set(s.names) & needed) and s.text not in [k.text for k in kept_imports]:
            kept_imports.append(s)
    kept_imports.sort(key=lambda s: (not (isinstance(s.node, ast.ImportFrom) and s.node.module == "__future__"),
                                     s.order))
    body = [chosen[k] for k in sorted(chosen)]
    cells = sorted({s.cell for s in kept_imports + body})
    lines = [f"# From {_oneline(notebook)} (`dlcheck import`): {', '.join(asked)} and what it uses, "
             f"cells {_cells(cells)}; nothing was run"]
    lines += [s.text for s in kept_imports]
    for s in body:
        lines += ["", "", f"# cell {s.cell}", s.text]
    kept = [n for s in body for n in s.names if n not in asked]
    kept += [n for s in kept_imports for n in s.names if n in needed]
    return "\n".join(lines).strip("\n") + "\n", cells, kept


# -- writing and grading ---------------------------------------------------------------------------
def to_yaml(result: NotebookImport) -> str:
    document = importer.to_yaml(result.imported, result.name)
    header = ["# A notebook: its markdown cells joined with a blank line between them are the write-up",
              "# whose lines are given below; markdown cells by line: "
              + (", ".join(f"cell {c} = {importer._range(a, b)}" for c, a, b in result.cell_lines) or "none")]
    extra = [f"#   code cell {cell}: {why}" for cell, why in result.unparsed]
    extra += [f"#   {where}: none of {', '.join(names)} is defined in a code cell" for where, names in result.not_found]
    if extra:
        header.append("# Code that is not read:")
        header += extra
    return "\n".join(_wrap(line) for line in header) + "\n" + document


def _wrap(line: str, width: int = 100) -> str:
    if len(line) <= width:
        return line
    out, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = "#  " + word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join(out + [current])


def summary(result: NotebookImport) -> str:
    code = ", ".join(f"{a.problem}/{a.part} ({', '.join(a.asked)})" for a in result.code) or "none"
    return (f"{importer.summary(result.imported)}; code answers: {code}"
            + (f"; code cells not read: {len(result.unparsed)}" if result.unparsed else ""))


def notes(result: NotebookImport) -> list:
    out = importer.notes(result.imported)
    out += [f"code cell {cell}: {why}; skipped" for cell, why in result.unparsed]
    out += [f"{where}: asks for {' or '.join(names)}, which no code cell defines" for where, names in result.not_found]
    return out


def import_file(path: Path, set_name: str, bank) -> NotebookImport:
    return import_notebook(read_cells(path), set_name, bank, path.name)


def load_submission(path: Path, set_name: str, bank):
    """The notebook as a graded submission, imported in memory (nothing is written)."""
    from dlcheck.submission import load_submission_stream

    result = import_file(path, set_name, bank)
    document = to_yaml(result).encode("utf-8")
    return result, load_submission_stream(io.BytesIO(document), bank, name=str(path))


def is_notebook(path: str) -> bool:
    return str(path).lower().endswith(".ipynb")


def _cells(cells: list) -> str:
    return ", ".join(map(str, cells))


def _oneline(text: str, limit: int = 80) -> str:
    return " ".join(str(text).split())[:limit]
