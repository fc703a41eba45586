"""Safe reading of mathematical answers, plain and LaTeX, and deciding when two
of them are equal.

    text --lexer--> tokens --parser--> AST (nodes.py: the whitelist)
    AST --scalar.py--> sympy objects (tier 1, tier 3) / mpmath values (tier 2)
    AST --matrix.py--> shapes + numpy values at random sizes

Submitted text is never given to eval, exec, sympify or parse_expr: only the
node types in nodes.py exist, and only they are turned into sympy objects."""
from dlcheck.mathexpr.context import MathContext  # noqa: F401
from dlcheck.mathexpr.errors import ExprError  # noqa: F401
from dlcheck.mathexpr.parser import parse  # noqa: F401
