"""Sympy helpers that solvers share (imported by solvers only, never on the
grading path of plain answers).

- `written(expr)`: a sympy expression in the syntax dlcheck's parser reads;
- `terms(expr)`: an expanded matrix sum as {matrix part: scalar coefficient};
- `as_norms(expr)`: 1×1 products vᵀv rewritten as ‖v‖²."""
from __future__ import annotations

import re

import sympy as sp


_GREEK = {"lambda_tilde": "λ̃", "lambda": "λ", "eta": "η"}


def written(expr) -> str:
    """dlcheck's own syntax, readable: ᵀ, ·, ‖v‖², η, λ̃ (the parser reads all of it back)."""
    text = sp.sstr(expr).replace(".T", "ᵀ").replace("**", "^").replace("*", "·")
    text = re.sub(r"\|\|(.+?)\|\|\^2", r"‖\1‖²", text)
    for name, letter in _GREEK.items():
        text = re.sub(rf"\b{name}\b", letter, text)
    return text


def terms(expr) -> dict:
    """{matrix part: coefficient} of an expanded matrix sum."""
    out: dict = {}
    expanded = sp.expand(expr)
    for term in (expanded.args if isinstance(expanded, sp.MatAdd) else (expanded,)):
        coeff, matrix = term.as_coeff_mmul()
        factors = matrix.args if isinstance(matrix, sp.MatMul) else (matrix,)
        matrix = factors[0] if len(factors) == 1 else sp.MatMul(*factors)
        out[matrix] = sp.simplify(out.get(matrix, 0) + coeff)
    return out


def as_norms(products: dict) -> dict:
    """For 1×1 products vᵀv (e.g. aᵀXXᵀa), a scalar symbol printed ‖v‖²."""
    out = {}
    for product in products:
        factors = list(product.args) if isinstance(product, sp.MatMul) else [product]
        half = len(factors) // 2
        left, right = factors[:half], factors[half:]
        if len(factors) % 2 == 0 and [f.T for f in reversed(right)] == left:
            v = sp.MatMul(*right) if len(right) > 1 else right[0]
            out[product] = sp.Symbol(f"||{sp.sstr(v).replace('.T', 'ᵀ')}||^2", positive=True)
    return out
