"""YAML reading that keeps line numbers, so messages can say file:line.

We compose the node tree (libyaml's C parser when present) and construct
values node by node: keys keep the exact text the author typed (YAML reads an
unquoted `3.1:` as the float 3.1, but the node still holds "3.1")."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import re

import yaml

try:  # libyaml is several times faster; fall back to the pure-Python loader
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # guards against alias bombs ("billion laughs")
_STRUCTURE = re.compile(r"[\[\]{}'\"#]")
MAX_DEPTH = 100               # flow nesting ([[[…]]]) deeper than this is refused before libyaml sees it


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class Doc:
    """A composed YAML document: its root node and a way to build values."""

    root: yaml.Node
    loader: object

    def value(self, node: yaml.Node):
        """The Python value of a node (scalars resolved the YAML way)."""
        _check_size(node)
        return self.loader.construct_object(node, deep=True)


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlError(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    raw = path.read_bytes()
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
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"YAML syntax error: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}") from None
    if root is None:
        raise YamlError("the file is empty")
    return Doc(root, loader)


def _check_depth(text: str) -> None:
    """libyaml's composer recurses in C: a few thousand nested brackets crash the
    process (segfault), so deep flow nesting is refused before parsing. Quoted
    text and comments are skipped; block nesting is bounded by the line length."""
    depth, quote, skip_to = 0, "", -1
    for m in _STRUCTURE.finditer(text):
        i, ch = m.start(), m.group()
        if i < skip_to:
            continue
        before = text[i - 1] if i else "\n"
        if quote:
            if ch == quote and not (quote == '"' and before == "\\"):
                quote = ""
        elif ch in "'\"" and before in " \t\n[{,:-":
            quote = ch
        elif ch == "#" and before in " \t\n":
            end = text.find("\n", i)
            skip_to = len(text) if end < 0 else end
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"nested more than {MAX_DEPTH} levels deep", text.count("\n", 0, i) + 1)
        elif ch in "]}":
            depth = max(0, depth - 1)


def mapping_items(node: yaml.MappingNode):
    """(key text as written, key node, value node) for each entry."""
    for key_node, value_node in node.value:
        text = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        yield text, key_node, value_node


def _check_size(node: yaml.Node) -> None:
    count = 0
    stack = [node]
    while stack:
        count += 1
        if count > MAX_EXPANDED_NODES:
            raise YamlError("value too large (over 200,000 nodes once aliases are expanded)", line_of(node))
        current = stack.pop()
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                stack.extend((k, v))


def load_mapping_file(path: Path) -> tuple[Doc, yaml.MappingNode]:
    """Read a YAML file whose top level must be a mapping."""
    doc = compose(read_text(path))
    if not isinstance(doc.root, yaml.MappingNode):
        kind = "a list" if isinstance(doc.root, yaml.SequenceNode) else "a single value"
        raise YamlError(f"the top level is {kind}; expected a mapping (key: value lines)", line_of(doc.root))
    return doc, doc.root
