"""Recursive-descent parser: tokens -> the node types of nodes.py.

Precedence, loosest first: + -; * / @ and juxtaposition (left to right, so
λ/2η reads as (λ/2)·η, as in Python and most CAS); unary minus; ^ (right
associative: -x^2 = -(x^2)); postfix transposes and norm subscripts."""
from __future__ import annotations

import re
from fractions import Fraction

from dlcheck.mathexpr import nodes as N
from dlcheck.mathexpr.context import GREEK, MathContext
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.lexer import MAX_LENGTH, Token, canonical_name, tokenize

MAX_DEPTH = 60
MAX_TREE_DEPTH = 100    # nodes from root to leaf; X^T^T^T… nests without brackets
MAX_EXPONENT = 1000
_FUNC_NAMES = {"exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs", "sin": "sin", "cos": "cos",
               "tanh": "tanh", "sigmoid": "sigmoid", "max": "max", "min": "min", "norm": "norm"}
_ATOM_START = {"num", "name", "func", "frac", "sqrt", "norm"}


def parse(text: str, ctx: MathContext):
    """Parse an answer into a whitelisted tree. Raises ExprError (with position)."""
    if not isinstance(text, str):
        raise ExprError("expected an expression as text")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"too long ({len(text):,} characters; the limit is {MAX_LENGTH:,})")
    body, offset = strip_lhs(text, ctx)
    tokens = tokenize(body)
    if len(tokens) == 1:
        raise ExprError("empty expression")
    parser = _Parser(body, tokens, ctx)
    try:
        tree = parser.expression()
    except RecursionError:
        raise ExprError(f"nested too deeply (limit {MAX_DEPTH})") from None
    if N.depth(tree) > MAX_TREE_DEPTH:      # every later step (shapes, sympy) recurses over the tree
        raise ExprError(f"nested too deeply (more than {MAX_TREE_DEPTH} levels, e.g. a long chain of transposes)")
    if parser.peek().kind != "end":
        tok = parser.peek()
        what = "'='" if tok.value == "=" else repr(tok.value)
        raise ExprError(f"unexpected {what}", body, tok.pos)
    return tree


def strip_lhs(text: str, ctx: MathContext) -> tuple[str, int]:
    """Drop a leading `name =` when the name is one the part allows (λ̃ =, η* =)."""
    depth, eq = 0, []
    for i, ch in enumerate(text):
        depth += {"(": 1, "{": 1, "[": 1, ")": -1, "}": -1, "]": -1}.get(ch, 0)
        if ch == "=" and depth == 0:
            eq.append(i)
    if len(eq) != 1:
        return text, 0
    lhs = _lhs_key(text[:eq[0]])
    allowed = {_lhs_key(name) for name in ctx.lhs}
    if lhs in allowed:
        return text[eq[0] + 1:], eq[0] + 1
    hint = f" (an answer may start with {', '.join(repr(n + ' =') for n in ctx.lhs)})" if ctx.lhs else ""
    raise ExprError(f"this is an equation; give the expression itself{hint}", text, eq[0])


def _lhs_key(text: str) -> str:
    text = re.sub(r"\\(tilde|hat|mathbf|boldsymbol|ast|star|left|right)", lambda m: {"tilde": "~"}.get(m.group(1), ""), text)
    text = text.replace("\u0303", "~").replace("^*", "").replace("*", "").replace("$", "")
    key = re.sub(r"[\s{}\\^]", "", text)
    key = key.replace("_tilde", "~")
    return canonical_name(key.replace("~", "")) + ("~" if "~" in key else "")


class _Parser:
    def __init__(self, text: str, tokens: list[Token], ctx: MathContext):
        self.text, self.tokens, self.ctx = text, tokens, ctx
        self.i = 0
        self.depth = 0
        self.abs_open = 0

    # -- helpers ----------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def fail(self, message: str, tok: Token | None = None):
        raise ExprError(message, self.text, (tok or self.peek()).pos)

    def expect(self, value: str):
        tok = self.take()
        if tok.value != value:
            found = "the end" if tok.kind == "end" else repr(tok.value)
            self.fail(f"expected {value!r} but found {found}", tok)

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested too deeply (limit {MAX_DEPTH})")

    def leave(self):
        self.depth -= 1

    # -- grammar ----------------------------------------------------------
    def expression(self):
        self.enter()
        terms = [self.term()]
        while self.peek().value in ("+", "-") and self.peek().kind == "op":
            op = self.take().value
            term = self.term()
            terms.append(N.Neg(term) if op == "-" else term)
        self.leave()
        return terms[0] if len(terms) == 1 else N.Add(tuple(terms))

    def term(self):
        node = self.unary()
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.value in ("*", "@"):
                self.take()
                node = _mul(node, self.unary())
            elif tok.kind == "op" and tok.value == "/":
                self.take()
                node = N.Div(node, self.unary())
            elif self.starts_atom(tok):
                node = _mul(node, self.power())
            else:
                return node

    def starts_atom(self, tok: Token) -> bool:
        if tok.kind in _ATOM_START:
            return tok.kind != "norm" or not self.in_norm
        return tok.kind == "op" and (tok.value in ("(", "[") or (tok.value == "|" and not self.abs_open))

    in_norm = False

    def unary(self):
        tok = self.peek()
        if tok.kind == "op" and tok.value in ("-", "+"):
            self.take()
            self.enter()
            arg = self.unary()
            self.leave()
            return N.Neg(arg) if tok.value == "-" else arg
        return self.power()

    def power(self):
        base = self.postfix()
        if self.peek().kind == "op" and self.peek().value == "^":
            caret = self.take()
            self.enter()
            exponent = self.exponent()
            self.leave()
            value = N.constant(exponent)
            if value is not None and abs(value) > MAX_EXPONENT:
                self.fail(f"exponent {value} is too large (limit {MAX_EXPONENT})", caret)
            if base is self.split_product:  # "NICk^2": the power belongs to k alone
                return N.Mul(base.factors[:-1] + (self.more_postfix(N.Pow(base.factors[-1], exponent)),))
            return self.more_postfix(N.Pow(base, exponent))
        return base

    split_product = None

    def exponent(self):
        tok = self.peek()
        if tok.kind == "op" and tok.value == "{":
            self.take()
            node = self.expression()
            self.expect_close("{")
            return node
        if tok.kind == "op" and tok.value in ("-", "+"):
            return self.unary()
        return self.power()

    def postfix(self):
        return self.more_postfix(self.atom())

    def more_postfix(self, node):
        while True:
            tok = self.peek()
            if tok.kind == "transpose":
                self.take()
                node = N.Transpose(node)
            elif tok.kind == "op" and tok.value == "_" and isinstance(node, N.Norm):
                self.take()  # ‖v‖_2: the Euclidean norm is the only one we read
                sub = self.take()
                if sub.value == "{":
                    sub = self.take()
                    self.expect_close("{")
                if sub.value != "2":
                    self.fail("only the 2-norm ‖·‖_2 is supported", sub)
            else:
                return node

    def expect_close(self, opener: str):
        closer = {"(": ")", "[": "]", "{": "}"}[opener]
        tok = self.take()
        if tok.kind != "op" or tok.value not in (")", "]", "}"):
            found = "the end" if tok.kind == "end" else repr(tok.value)
            self.fail(f"expected {closer!r} to close {opener!r} but found {found}", tok)

    def atom(self):
        tok = self.take()
        if tok.kind == "num":
            return N.Num(Fraction(tok.value))
        if tok.kind == "op" and tok.value in ("(", "[", "{"):
            self.enter()
            node = self.expression()
            closer = self.take()
            if closer.value not in (")", "]", "}"):
                found = "the end" if closer.kind == "end" else repr(closer.value)
                self.fail(f"expected a closing bracket for the one at position {tok.pos + 1} but found {found}", closer)
            self.leave()
            return node
        if tok.kind == "norm":
            return self.norm(tok)
        if tok.kind == "op" and tok.value == "|":
            self.abs_open += 1
            node = self.expression()
            self.expect("|")
            self.abs_open -= 1
            return N.Func("abs", (node,))
        if tok.kind == "frac":
            num = self.group(tok)
            den = self.group(tok)
            return N.Div(num, den)
        if tok.kind == "sqrt":
            index = None
            if self.peek().value == "[":
                self.take()
                index = self.expression()
                self.expect("]")
            arg = self.group(tok) if self.peek().value in ("{", "(") else self.power()
            return N.Func("sqrt", (arg,)) if index is None else N.Pow(arg, N.Div(N.Num(Fraction(1)), index))
        if tok.kind == "func":
            return self.call(tok.value, tok)
        if tok.kind == "name":
            return self.name(tok)
        found = "the end" if tok.kind == "end" else repr(tok.value)
        self.fail(f"expected a number, symbol or '(' but found {found}", tok)

    def group(self, owner: Token):
        """A LaTeX argument {...} (or a parenthesised one)."""
        tok = self.peek()
        if tok.value not in ("{", "("):
            if tok.kind in ("num", "name"):  # \frac12, \sqrt x
                return self.atom()
            self.fail(f"expected '{{' after \\{owner.value}")
        self.take()
        self.enter()
        node = self.expression()
        self.expect_close(tok.value)
        self.leave()
        return node

    def norm(self, opener: Token):
        self.enter()
        outer, self.in_norm = self.in_norm, True
        node = self.expression()
        self.in_norm = outer
        close = self.take()
        if close.kind != "norm":
            self.fail("expected ‖ (or ||, \\|) to close the norm", close)
        self.leave()
        return N.Norm(node)

    def call(self, name: str, tok: Token):
        if self.peek().value not in ("(", "{", "["):
            arg = self.power()  # \log x, \exp x
            args = (arg,)
        else:
            opener = self.take().value
            self.enter()
            args = [self.expression()]
            while self.peek().value == ",":
                self.take()
                args.append(self.expression())
            self.expect_close(opener)
            self.leave()
            args = tuple(args)
        if name == "norm":
            if len(args) != 1:
                self.fail("norm takes one argument", tok)
            return N.Norm(args[0])
        if name in ("max", "min"):
            if len(args) < 2:
                self.fail(f"{name} needs at least two arguments", tok)
        elif len(args) != 1:
            self.fail(f"{name} takes one argument", tok)
        return N.Func(name, args)

    # -- names --------------------------------------------------------------
    def name(self, tok: Token):
        raw = tok.value
        canon = canonical_name(raw)
        nxt = self.peek()
        if canon in _FUNC_NAMES and canon not in self.ctx.symbols and (nxt.value in ("(", "{") or canon != "sigma"):
            if canon != "sigma" or nxt.value == "(":
                return self.call(_FUNC_NAMES[canon], tok)
        if canon == "sigma" and nxt.value == "(" and "sigma" not in self.ctx.symbols:
            return self.call("sigmoid", tok)
        if canon in self.ctx.symbols or canon in self.ctx.aliases:
            return N.Sym(canon)
        if canon == "pi":
            return N.Sym("pi")
        if self.ctx.free_letters and _single_letter(canon):
            return N.Sym(canon)
        pieces = self.split(raw)
        if pieces:
            node = _mul_all([N.Sym(p) for p in pieces])
            self.split_product = node if isinstance(node, N.Mul) else None
            return node
        allowed = ", ".join(self.ctx.known()) or "none declared"
        self.fail(f"unknown symbol {raw!r} (allowed: {allowed})", tok)

    def split(self, raw: str) -> list | None:
        """'Xw_0' -> ['X', 'w_0'] when every piece is a known name (longest first)."""
        base, _, sub = raw.partition("_")
        digits = re.match(r"^([A-Za-z]+?)(\d+)$", base)
        if digits and not sub:
            base, sub = digits.group(1), digits.group(2)
        known = set(self.ctx.symbols) | set(self.ctx.aliases)
        names = sorted({k.split("_")[0] for k in known} | (set(GREEK) if self.ctx.free_letters else set()),
                       key=len, reverse=True)

        def segment(s: str):
            if not s:
                return []
            for name in names:
                if s.startswith(name):
                    rest = segment(s[len(name):])
                    if rest is not None:
                        return [name] + rest
            if self.ctx.free_letters and s[0].isalpha():
                rest = segment(s[1:])
                return None if rest is None else [s[0]] + rest
            return None

        pieces = segment(base)
        if not pieces:
            return None
        if sub:
            pieces[-1] = f"{pieces[-1]}_{sub.strip('{}')}"
        if all(p in known or p == "pi" or (self.ctx.free_letters and _single_letter(p)) for p in pieces):
            return pieces
        return None


def _single_letter(name: str) -> bool:
    base = name.split("_")[0]
    return len(base) == 1 or base in GREEK


def _mul(a, b):
    fa = a.factors if isinstance(a, N.Mul) else (a,)
    fb = b.factors if isinstance(b, N.Mul) else (b,)
    return N.Mul(fa + fb)


def _mul_all(nodes: list):
    return nodes[0] if len(nodes) == 1 else N.Mul(tuple(nodes))
