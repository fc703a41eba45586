"""A problem's given data as plain lines (`dlcheck show`): numbers and short lists on
one line, matrices as aligned grids (the image and filter a question asks to
convolve), mappings indented. Long data is cut with a count of what is left out."""
from __future__ import annotations

import json

MAX_ROWS = 24          # rows of one matrix shown
MAX_WIDTH = 400        # characters of one flow value shown


def given_lines(given: dict) -> list[str]:
    lines: list[str] = []
    for key, value in given.items():
        lines.extend(_entry(str(key), value, "  "))
    return lines


def _entry(key: str, value, indent: str) -> list[str]:
    if _is_matrix(value):
        rows, cols = len(value), len(value[0])
        head = [f"{indent}{key} ({rows}×{cols}):"]
        return head + [f"{indent}  {line}" for line in _grid(value)]
    if isinstance(value, dict) and value and any(isinstance(v, (dict, list)) for v in value.values()):
        lines = [f"{indent}{key}:"]
        for sub, item in value.items():
            lines.extend(_entry(str(sub), item, indent + "  "))
        return lines
    return [f"{indent}{key}: {_flow(value)}"]


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_matrix(value) -> bool:
    """A list of at least two equal-length rows of numbers."""
    return (isinstance(value, list) and len(value) >= 2 and all(isinstance(r, list) and r for r in value)
            and len({len(r) for r in value}) == 1 and all(_is_number(x) for r in value for x in r))


def _grid(matrix: list) -> list[str]:
    cells = [[_number(x) for x in row] for row in matrix[:MAX_ROWS]]
    width = max(len(c) for row in cells for c in row)
    lines = ["[" + " ".join(c.rjust(width) for c in row) + "]" for row in cells]
    if len(matrix) > MAX_ROWS:
        lines.append(f"… {len(matrix) - MAX_ROWS} more rows")
    return lines


def _number(x) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else str(x)


def _flow(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split()) if isinstance(value, str) else text
    return text if len(text) <= MAX_WIDTH else text[: MAX_WIDTH - 1] + f"… ({len(text):,} characters)"


def symbol_lines(math) -> list[str]:
    """An expression problem's symbols (shapes, assumptions) and aliases, as answers may use them."""
    if math is None or not (math.symbols or math.aliases):
        return []
    lines = []
    for name, info in math.symbols.items():
        shape = "×".join(str(d) for d in info.shape)
        traits = [t for t, on in (("positive", info.positive), ("integer", info.integer),
                                  ("nonzero", info.nonzero)) if on]
        kind = f"{shape} {'matrix' if len(info.shape) == 2 else 'vector'}" if info.shape else "scalar"
        lines.append(f"  {name}: {', '.join([kind, *traits])}")
    lines += [f"  {name} = {text}" for name, text in math.aliases.items()]
    return lines
