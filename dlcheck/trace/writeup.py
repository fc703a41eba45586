"""The block structure of a markdown write-up, read with markdown-it.

`dlcheck import` needs to know which lines can be headings: a `# 3.2` inside a
```python fence is a comment of the code, a `3.2` inside a `$$ … $$` block is
mathematics, and a `Question 2` inside a list item or a block quote is prose.
markdown-it (CommonMark) decides fences, indented code, block quotes, lists and
headings as a renderer would; one rule added here reads `$$ … $$` display math
as a block (CommonMark has no math), so that nothing inside it is taken for a
heading or a label. Only the block parser runs (the inline parser is turned
off): links, emphasis and HTML inside a line are never interpreted, and nothing
is rendered or executed.

Lines are numbered as the file's lines (1-based), the one numbering that the
import, the submission's `source:` and the grader's report share."""
from __future__ import annotations

from dataclasses import dataclass

MAX_MATH_LINES = 500        # a `$$` with no closing `$$` within this many lines is not a math block


@dataclass(frozen=True)
class Block:
    """A top-level block of the write-up (not nested in a list or a block quote)."""

    kind: str           # heading | paragraph | fence | code | math | list | quote | html | rule | other
    start: int          # first line, 1-based
    end: int            # last line, 1-based, inclusive
    text: str = ""      # heading: its text; paragraph: its first line; otherwise ""
    items: tuple = ()   # list: (first line, first line's text) of each top-level item
    ordered: bool = False


_KINDS = {"heading_open": "heading", "paragraph_open": "paragraph", "fence": "fence", "code_block": "code",
          "math_block": "math", "bullet_list_open": "list", "ordered_list_open": "list",
          "blockquote_open": "quote", "html_block": "html", "hr": "rule", "table_open": "table"}
_parser = None


def blocks(text: str) -> list:
    """The top-level blocks of `text` in order. `text` must hold no carriage return and no NUL
    (markdown-it would normalise them and its line numbers would no longer be the file's)."""
    tokens = _markdown().parse(text)
    lines = text.split("\n")
    out: list = []
    items: list = []            # the items of the top-level list being read
    for i, token in enumerate(tokens):
        if token.map is None:
            if token.level == 0 and token.type in ("bullet_list_close", "ordered_list_close") and out:
                last = out[-1]
                out[-1] = Block("list", last.start, last.end, items=tuple(items), ordered=last.ordered)
            continue
        start, end = token.map[0] + 1, max(token.map[0] + 1, token.map[1])
        if token.level == 1 and token.type == "list_item_open" and out and out[-1].kind == "list":
            items.append((start, lines[start - 1].strip()))
            continue
        if token.level != 0 or token.nesting < 0:
            continue
        kind = _KINDS.get(token.type, "other")
        if kind == "heading":
            inline = tokens[i + 1].content if i + 1 < len(tokens) else ""
            out.append(Block("heading", start, end, " ".join(inline.split())))
        elif kind == "paragraph":
            out.append(Block("paragraph", start, end, lines[start - 1].strip()))
        elif kind == "list":
            items = []
            out.append(Block("list", start, end, ordered=token.type == "ordered_list_open"))
        else:
            out.append(Block(kind, start, end))
    return out


def _markdown():
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark")
        md.disable("inline")          # block structure only: nothing inside a line is interpreted
        md.block.ruler.before("fence", "math_block", _math_block,
                              {"alt": ["paragraph", "reference", "blockquote", "list"]})
        _parser = md
    return _parser


def _math_block(state, start: int, end: int, silent: bool) -> bool:
    """`$$ … $$` display math, as one block: from a line that starts with `$$` to the next line
    holding `$$` (the same line when it closes there). Unclosed within MAX_MATH_LINES: not math."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos, maximum = state.bMarks[start] + state.tShift[start], state.eMarks[start]
    if not state.src.startswith("$$", pos):
        return False
    last = start
    if "$$" not in state.src[pos + 2:maximum]:
        last = start + 1
        limit = min(end, start + MAX_MATH_LINES)
        while last < limit and "$$" not in state.src[state.bMarks[last]:state.eMarks[last]]:
            last += 1
        if last >= limit:
            return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.map = [start, last + 1]
    state.line = last + 1
    return True
