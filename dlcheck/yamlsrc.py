"""YAML reading that keeps line numbers, so messages can say file:line.

We compose the node tree (libyaml's C parser when present) and construct
values node by node: keys keep the exact text the author typed (YAML reads an
unquoted `3.1:` as the float 3.1, but the node still holds "3.1")."""
from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

try:  # libyaml is several times faster; fall back to the pure-Python loader
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # guards against alias bombs ("billion laughs")
# Nesting. PyYAML builds values recursively (about 4 Python frames a level: 250 levels overflow),
# so one value nested deeper than MAX_DEPTH is refused, costing that answer only. Composing the
# file recurses too: PyYAML's pure-Python composer overflowed near 450 levels, libyaml 0.2.5 stops
# at 1000 itself and older ones crashed (segfault) on a few thousand brackets; so the text is
# measured first and a file nested deeper than MAX_PARSE_DEPTH is refused before parsing.
MAX_DEPTH = 100
MAX_PARSE_DEPTH = 300
MAX_INT_DIGITS = 4300         # Python's own limit for int <-> str conversion
_MAX_INT_BITS = int(MAX_INT_DIGITS * math.log2(10))


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class _Loader(_Base):
    """The safe loader, with every construction failure located at its node: a scalar its tag
    cannot hold (`!!int abc`, `!!timestamp 2020-13-45`), an unknown tag, a huge integer."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # noqa: BLE001 - the safe constructors raise ValueError, KeyError,
            # IndexError or AttributeError on odd scalars (`!!bool maybe`, `!!int ""`, `!!timestamp x`)
            raise _refused(node, f"cannot read {_excerpt(node)} as {_tag(node)}: {exc}") from None

    def construct_undefined(self, node):
        raise _refused(node, f"unknown YAML tag {_tag(node)}: nothing is read from tags; "
                             f"write the value without it")

    def construct_yaml_int(self, node):
        # a long decimal is refused by int() itself; a long sexagesimal (1:2:3:…) costs quadratic
        # time first; hex, octal and binary are converted whatever their length, but cannot be printed
        if len(str(node.value)) > MAX_INT_DIGITS:
            raise _refused(node, _TOO_BIG)
        value = super().construct_yaml_int(node)
        if value.bit_length() > _MAX_INT_BITS:
            raise _refused(node, _TOO_BIG)
        return value


_TOO_BIG = f"an integer of over {MAX_INT_DIGITS:,} digits is not read (write it as a string or in scientific notation)"
_Loader.add_constructor(None, _Loader.construct_undefined)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _refused(node, message: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, message, node.start_mark)


def _tag(node) -> str:
    """A tag as it is written: `!!int`, `!foo`."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + node.tag[len(prefix):] if node.tag.startswith(prefix) else node.tag


def _excerpt(node, limit: int = 40) -> str:
    text = str(node.value) if isinstance(node, yaml.ScalarNode) else type(node).__name__
    return repr(text if len(text) <= limit else text[:limit] + "…")


@dataclass
class Doc:
    """A composed YAML document: its root node and a way to build values."""

    root: yaml.Node
    loader: object
    text: str = ""

    def source(self, node: yaml.Node, limit: int = 200) -> str:
        """A node as written in the file (cut at `limit` characters)."""
        text = self.text[node.start_mark.index:min(node.end_mark.index, node.start_mark.index + limit + 1)].strip()
        return text if len(text) <= limit else text[:limit] + "…"

    def value(self, node: yaml.Node, duplicates: list | None = None):
        """The Python value of a node (scalars resolved the YAML way); YamlError with the line of
        what cannot be read. With a `duplicates` list, a key repeated in a mapping keeps its first
        value and is listed there as (key, line, first line); without one, YAML's last one wins."""
        _inspect(node, duplicates)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise YamlError(_reason(exc), _mark_line(exc) or line_of(node)) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"YAML error: {exc}", line_of(node)) from None
        finally:  # after a failure the constructor still holds the nodes it was inside
            self.loader.recursive_objects.clear()


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mark_line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else None


def _reason(exc: yaml.MarkedYAMLError) -> str:
    """"while parsing a block mapping at line 3; expected <block end>": the context, then the problem."""
    context = exc.context or ""
    if context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        context += f" at line {exc.context_mark.line + 1}"
    return "; ".join(filter(None, (context, exc.problem))) or str(exc)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes. A FIFO, a device or a directory is refused before anything is
    read (opened non-blocking, so a FIFO without a writer cannot hang us), and so is a file over
    `limit` bytes (checked on the open file, then again while reading, in case it grows)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise YamlError(f"{_file_type(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise YamlError(f"file is {info.st_size:,} bytes; the limit is {limit:,}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise YamlError(f"file is over {limit:,} bytes; the limit is {limit:,}")
    return data


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "is a directory"), (stat.S_ISFIFO, "is a FIFO (named pipe)"),
                       (stat.S_ISCHR, "is a character device"), (stat.S_ISBLK, "is a block device"),
                       (stat.S_ISSOCK, "is a socket")):
        if test(mode):
            return name
    return "is a special file"


def read_text(path: Path) -> str:
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (byte {exc.start})") from None


def compose(text: str) -> Doc:
    _check_depth(text)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise YamlError(f"YAML syntax error: {_reason(exc)}", _mark_line(exc)) from None
    except yaml.reader.ReaderError as exc:   # a control character: located by its position
        raise YamlError(f"character #x{exc.character:04x} is not allowed in YAML ({exc.reason})",
                        text.count("\n", 0, exc.position) + 1) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}") from None
    except RecursionError:  # the depth estimate is a heuristic: a pure-Python composer may still overflow
        raise YamlError(f"nested too deeply to read (the limit is {MAX_PARSE_DEPTH} levels)") from None
    if root is None:
        raise YamlError("the file is empty")
    return Doc(root, loader, text)


def mapping_items(node: yaml.MappingNode):
    """(key text as written, key node, value node) for each entry."""
    for key_node, value_node in node.value:
        text = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        yield text, key_node, value_node


def _inspect(root: yaml.Node, duplicates: list | None) -> None:
    """Before a value is built: its size once aliases are expanded, its depth, and (with a
    `duplicates` list) its repeated mapping keys, dropped after the first. Iterative, so a
    deep or aliased tree costs no recursion here."""
    count, deduplicated = 0, set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_EXPANDED_NODES:
            raise YamlError("value too large (over 200,000 nodes once aliases are expanded)", line_of(root))
        if depth > MAX_DEPTH:
            raise YamlError(f"nested more than {MAX_DEPTH} levels deep", line_of(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            if duplicates is not None and id(node) not in deduplicated:
                deduplicated.add(id(node))
                _drop_duplicate_keys(node, duplicates)
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))


def _drop_duplicate_keys(node: yaml.MappingNode, duplicates: list) -> None:
    first: dict = {}
    kept = []
    for key, value in node.value:
        ident = (key.tag, key.value) if isinstance(key, yaml.ScalarNode) else None
        if ident in first:
            duplicates.append((str(key.value), line_of(key), first[ident]))
            continue
        if ident is not None:
            first[ident] = line_of(key)
        kept.append((key, value))
    node.value = kept


# -- nesting, measured on the text before any parser sees it -----------------------------------
_FLOW = re.compile(r"[\[\]{}'\"#]")
_STRUCTURE = re.compile(r"[\[\]{}'\"#\n]")
_LINE_HEAD = re.compile(r"( *)((?:[-?:](?:[ \t]+|(?=\r?\n)|$))*)")  # indentation, compact indicators
_INDICATOR = re.compile(r"[-?:][ \t]*")
_BLOCK_SCALAR = re.compile(r"(?:^|[-?:][ \t])[ \t]*(?:[!&]\S*[ \t]+)*[|>][-+0-9]*[ \t\r]*$", re.M)
_SCALAR_NODE = re.compile(r"(?:[!&]\S*[ \t]+)*[|>]")


def _check_depth(text: str) -> None:
    """Refuse text nested deeper than MAX_PARSE_DEPTH: open block collections plus open flow
    brackets. Quoted text, comments and block scalars (|, >) are skipped. On ordinary YAML the
    estimate errs high (a plain scalar's continuation line may count as a level), never low.
    Most files need only the brackets: block nesting is at most twice the longest run of
    indentation and `- `/`? `/`: ` indicators at a line's start (plus one), which one regex finds."""
    flow = _Nesting(text, by_line=False).run()
    room = (MAX_PARSE_DEPTH - flow) // 2 - 1
    if room < 0 or re.search(rf"\n[ \t?:-]{{{room + 1},}}", "\n" + text):   # (faster than ^ with re.M)
        _Nesting(text).run()


class _Nesting:
    def __init__(self, text: str, by_line: bool = True):
        self.text, self.by_line, self.deepest = text, by_line, 0
        self.blocks: list = []          # (column, is a sequence) of each open block collection
        self.flow, self.quote, self.skip_to = 0, "", -1
        self.line_start, self.code_end = 0, None    # code_end: where a comment starts
        self.node, self.node_column, self.item_column = 0, 0, -1   # the line's node after its indicators
        self.scalar_indent = None       # inside a block scalar (|, >) whose parent sits at this column

    def run(self) -> int:
        """The deepest nesting seen (YamlError past the limit); by_line=False counts brackets only."""
        if self.by_line:
            self.new_line(0)
        for m in (_STRUCTURE if self.by_line else _FLOW).finditer(self.text):
            i, ch = m.start(), m.group()
            if i < self.skip_to:
                continue
            before = self.text[i - 1] if i else "\n"
            if ch == "\n":
                self.end_line(i)
            elif self.quote:
                if ch == self.quote and not (self.quote == '"' and before == "\\"):
                    self.quote = ""
            elif ch in "'\"" and before in " \t\n[{,:-":
                self.quote = ch
            elif ch == "#" and before in " \t\n":
                self.code_end = i
                end = self.text.find("\n", i)
                self.skip_to = len(self.text) if end < 0 else end
            elif ch in "[{":
                self.flow += 1
                self.check(len(self.blocks) + self.flow, i)
            elif ch in "]}":
                self.flow = max(0, self.flow - 1)
        return self.deepest

    def end_line(self, i: int) -> None:
        if self.quote or self.flow:     # a quoted scalar or a flow collection goes on: not block context
            self.line_start, self.code_end = i + 1, None
            return
        code_end = i if self.code_end is None else self.code_end
        if self.scalar_indent is None and _BLOCK_SCALAR.search(self.text, self.line_start, code_end):
            # `- |`: the item's sequence is the parent; `key: |`: the key's mapping is
            is_node = _SCALAR_NODE.match(self.text, self.node)
            self.scalar_indent = self.item_column if is_node else self.node_column
        self.new_line(i + 1)

    def new_line(self, start: int) -> None:
        """A line in block context: close the collections it is not inside, open its own."""
        self.line_start, self.code_end = start, start      # blank or comment: nothing to read
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end
        head = _LINE_HEAD.match(self.text, start, end)
        rest = self.text[head.end(1):end].strip()
        if not rest or rest.startswith("#"):
            return
        indent = len(head.group(1))
        if self.scalar_indent is not None:
            if indent > self.scalar_indent:
                self.skip_to = end      # the block scalar's text
                return
            self.scalar_indent = None
        self.code_end = None
        is_item = head.group(2).startswith("-")
        # a block sequence may sit at its parent key's column: an item keeps that key open
        while self.blocks and (self.blocks[-1][0] > indent or
                               (self.blocks[-1][0] == indent and (self.blocks[-1][1] or not is_item))):
            self.blocks.pop()
        column, self.item_column = indent, -1
        for indicator in _INDICATOR.finditer(head.group(2)):
            self.blocks.append((column, indicator.group().startswith("-")))
            column, self.item_column = column + len(indicator.group()), column
        self.node, self.node_column = head.end(), column
        if head.end() < end:            # the node after the indicators (a key opens a mapping)
            self.blocks.append((column, False))
        self.check(len(self.blocks), start)

    def check(self, depth: int, i: int) -> None:
        self.deepest = max(self.deepest, depth)
        if depth > MAX_PARSE_DEPTH:
            raise YamlError(f"nested more than {MAX_PARSE_DEPTH} levels deep", self.text.count("\n", 0, i) + 1)


def load_mapping_file(path: Path) -> tuple[Doc, yaml.MappingNode]:
    """Read a YAML file whose top level must be a mapping."""
    return load_mapping_text(read_text(path))


def load_mapping_text(text: str) -> tuple[Doc, yaml.MappingNode]:
    """Read YAML text whose top level must be a mapping."""
    doc = compose(text)
    if not isinstance(doc.root, yaml.MappingNode):
        kind = "a list" if isinstance(doc.root, yaml.SequenceNode) else "a single value"
        raise YamlError(f"the top level is {kind}; expected a mapping (key: value lines)", line_of(doc.root))
    return doc, doc.root
