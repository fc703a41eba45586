"""Recursive-descent parser: tokens -> the node types of nodes.py.

Precedence, loosest first: + -; * / @ and juxtaposition (left to right, so
λ/2η reads as (λ/2)·η, as in Python and most CAS); unary minus; Σ and Π (their
body is the product that follows them); ^ (right associative: -x^2 = -(x^2));
postfix transposes and norm subscripts.

A run of letters that is no name of the problem (XX, Xw_0, NICk) is read as the
product of the names it is made of, and those pieces are parsed one by one, so a
transpose or a power after the run binds to its last piece: XXᵀa is X·Xᵀ·a and
NICk^2 is NIC·k², never (X·X)ᵀ·a or (NIC·k)²."""
from __future__ import annotations

import re
from fractions import Fraction

from dlcheck.mathexpr import nodes as N
from dlcheck.mathexpr.context import GREEK, MathContext
from dlcheck.mathexpr.errors import ExprError
from dlcheck.mathexpr.lexer import FUNCTION_WORDS, MAX_LENGTH, Token, canonical_name, tokenize

MAX_DEPTH = 60
MAX_TREE_DEPTH = 100    # nodes from root to leaf; X^T^T^T… nests without brackets
MAX_EXPONENT = 10 ** 6        # a written exponent; the engine compares structure first, evaluates up to this
_ATOM_START = {"num", "name", "func", "frac", "sqrt", "norm", "bigop"}
E = N.Func("exp", (N.Num(Fraction(1)),))     # Euler's number e, unless the problem declares a symbol e
_TRACE_WORDS = {w for w, f in FUNCTION_WORDS.items() if f == "tr"}   # a trace only before a bracket: tr(A)


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
    """Drop a leading `name =` when the name is one the part allows (λ̃ =, η* =, L₁ =)."""
    depth, eq = 0, []
    for i, ch in enumerate(text):
        depth += {"(": 1, "{": 1, "[": 1, ")": -1, "}": -1, "]": -1}.get(ch, 0)
        if ch == "=" and depth == 0:
            eq.append(i)
    if len(eq) != 1:
        return text, 0
    lhs = _lhs_key(text[:eq[0]])
    if lhs is not None and lhs in {_lhs_key(name) for name in ctx.lhs}:
        return text[eq[0] + 1:], eq[0] + 1
    hint = f" (an answer may start with {', '.join(repr(n + ' =') for n in ctx.lhs)})" if ctx.lhs else ""
    raise ExprError(f"this is an equation; give the expression itself{hint}", text, eq[0])


# the star of an optimum (η*, \eta^*, \eta^{\star}) names the same quantity as the bare name
_STAR = re.compile(r"\^\s*\{\s*(?:\\star|\\ast|[*⋆∗])\s*\}|\^?\s*(?:\\star|\\ast|[*⋆∗])")


def _lhs_key(text: str) -> tuple | None:
    """A left-hand side as the lexer reads it, star dropped: `η*`, `\\eta^\\star` and
    `eta` are ('eta',); `L₁(η)` and `L_1(eta)` are ('L_1', '(', 'eta', ')')."""
    try:
        tokens = tokenize(_STAR.sub(" ", text))[:-1]
    except ExprError:
        return None
    return tuple(canonical_name(t.value) if t.kind == "name" else t.value for t in tokens) or None


class _Parser:
    def __init__(self, text: str, tokens: list[Token], ctx: MathContext):
        self.text, self.tokens, self.ctx = text, tokens, ctx
        self.i = 0
        self.depth = 0
        self.abs_open = 0
        self.in_norm = False
        self.bound = ()         # the indices of the sums and products around the current token
        self._forms = {}        # (free letters?, bound indices) -> the forms a run of letters may contain

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

    def replace_token(self, pieces: list[Token]):
        """Put `pieces` where the token just taken was, and step back onto the first."""
        self.tokens[self.i - 1:self.i] = pieces
        self.i -= 1

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
        if tok.kind == "norm":      # inside ‖…‖ a bare ‖ closes; \lVert (or \left\|) always opens
            return tok.value == "\\lVert" or (tok.value == "‖" and not self.in_norm)
        if tok.kind in _ATOM_START:
            return True
        return tok.kind == "op" and (tok.value in ("(", "[") or (tok.value == "|" and not self.abs_open))

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
            return self.more_postfix(N.Func("exp", (exponent,)) if base == E else N.Pow(base, exponent))
        return base

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
            outer = self.in_norm, self.abs_open
            self.in_norm, self.abs_open = False, 0      # ‖(2‖a‖ b)‖: inside brackets a ‖ opens again
            node = self.expression()
            self.in_norm, self.abs_open = outer
            closer = self.take()
            if closer.value not in (")", "]", "}"):
                found = "the end" if closer.kind == "end" else repr(closer.value)
                self.fail(f"expected a closing bracket for the one at position {tok.pos + 1} but found {found}", closer)
            self.leave()
            return node
        if tok.kind == "norm" and tok.value != "\\rVert":
            return self.norm(tok)
        if tok.kind == "op" and tok.value == "|":
            self.abs_open += 1
            node = self.expression()
            self.expect("|")
            self.abs_open -= 1
            return N.Func("abs", (node,))
        if tok.kind == "frac":
            return N.Div(self.group(tok), self.group(tok))
        if tok.kind == "sqrt":
            return self.root(tok)
        if tok.kind == "bigop":
            return self.big_operator(tok)
        if tok.kind == "func":
            return self.call(tok.value, tok)
        if tok.kind == "name":
            return self.name(tok)
        found = "the end" if tok.kind == "end" else repr(tok.value)
        self.fail(f"expected a number, symbol or '(' but found {found}", tok)

    def group(self, owner: Token):
        """A LaTeX argument: {…} (or (…)), else one character as TeX takes it:
        \\frac12 is 1/2 and \\frac ab is a/b."""
        tok = self.peek()
        if tok.kind == "op" and tok.value in ("{", "("):
            self.take()
            self.enter()
            node = self.expression()
            self.expect_close(tok.value)
            self.leave()
            return node
        if tok.kind in ("num", "name"):
            self.take()
            self.replace_token(_first_character(tok, self.text))
            return self.atom()
        self.fail(f"expected '{{' after {_written(owner)}")

    def root(self, tok: Token):
        """\\sqrt{x}, \\sqrt[3]{x}, \\sqrt2 (one character, as in TeX), √x, √(x + 1)."""
        index = None
        if self.peek().value == "[":
            self.take()
            index = self.expression()
            self.expect("]")
        unicode_bare = tok.value == "√" and self.peek().value not in ("{", "(")
        arg = self.power() if unicode_bare else self.group(tok)
        return N.Func("sqrt", (arg,)) if index is None else N.Pow(arg, N.Div(N.Num(Fraction(1)), index))

    def norm(self, opener: Token):
        self.enter()
        outer, self.in_norm = self.in_norm, True
        node = self.expression()
        self.in_norm = outer
        close = self.take()
        if close.kind != "norm" or close.value == "\\lVert":
            self.fail("expected ‖ (or ||, \\|) to close the norm", close)
        self.leave()
        return N.Norm(node)

    def big_operator(self, tok: Token):
        """\\sum_{i=1}^{n} body and \\prod: the body is the product that follows, so
        Σ_i i² + 1 is (Σ_i i²) + 1; inside it, i is a whole number, not a symbol."""
        written, usage = _written(tok), f"{_written(tok)}_{{i=1}}^{{n}}"
        if not (self.peek().value == "_" and self.peek(1).value == "{"):
            self.fail(f"{written} needs its range, as in {usage}")
        self.take()
        self.take()
        index_tok = self.take()
        index = canonical_name(index_tok.value)
        if index_tok.kind != "name" or not _single_letter(index):
            self.fail(f"the index of {written} must be a letter, as in {usage}", index_tok)
        if index in self.ctx.symbols or index in self.ctx.aliases:
            self.fail(f"the index {index} of {written} is already a symbol of this problem: use another letter",
                      index_tok)
        if self.peek().value != "=":
            self.fail(f"{written} needs a lower bound, as in {usage}")
        self.take()
        self.enter()
        lo = self.expression()
        self.expect_close("{")
        hi = self.upper_bound(written, usage)
        self.check_range(lo, hi, written, tok)
        self.bound, outer = self.bound + (index,), self.bound
        body = self.term()
        self.bound = outer
        self.leave()
        return N.BigOp(tok.value, index, lo, hi, body)

    def check_range(self, lo, hi, written: str, tok: Token):
        """Bounds written as numbers are checked here, where the message can point at them."""
        bounds = [N.constant(lo), N.constant(hi)]
        if any(b is not None and b.denominator != 1 for b in bounds):
            self.fail(f"the bounds of {written} must be whole numbers", tok)
        count = None if None in bounds else int(bounds[1] - bounds[0]) + 1
        if count is not None and count > N.MAX_TERMS:
            self.fail(f"{written} over {count:,} terms is too long to evaluate (limit {N.MAX_TERMS:,})", tok)

    def upper_bound(self, written: str, usage: str):
        tok = self.peek()
        if tok.kind == "transpose" and re.match(r"\^\s*\{?\s*T\b", self.text[tok.pos:]):
            self.take()         # \sum_{t=1}^T: the lexer took ^T for a transpose; here T is the bound
            return self.name(Token("name", "T", tok.pos + 1))
        if not (tok.kind == "op" and tok.value == "^"):
            self.fail(f"{written} needs an upper bound, as in {usage}")
        self.take()
        return self.exponent()

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
        if name in ("max", "min"):
            if len(args) < 2:
                self.fail(f"{name} needs at least two arguments", tok)
        elif len(args) != 1:
            self.fail(f"{name} takes one argument", tok)
        if name == "norm":
            return N.Norm(args[0])
        if name == "tr":
            return N.Trace(args[0])
        return N.Func(name, args)

    # -- names --------------------------------------------------------------
    def name(self, tok: Token):
        canon = canonical_name(tok.value)
        if canon in self.bound:
            return N.Sym(canon)
        function = self.function_word(canon)
        if function:
            return self.call(function, tok)
        if canon in self.ctx.symbols or canon in self.ctx.aliases or canon == "pi":
            return N.Sym(canon)
        self.refuse_indexed(canon, tok)
        if canon == "e":
            return E
        # a free letter, unless declared names make up the run (w_0X is w_0·X when w_0 and X are declared)
        pieces = self.split(tok, free_letters=False) if len(tok.value) > 1 else None
        if not pieces and self.ctx.free_letters and _single_letter(canon):
            return N.Sym(canon)
        pieces = pieces or self.split(tok, self.ctx.free_letters)
        if pieces:
            self.replace_token(pieces)
            return self.atom()
        allowed = ", ".join(self.ctx.known()) or "none declared"
        self.fail(f"unknown symbol {tok.value!r} (allowed: {allowed})", tok)

    def function_word(self, canon: str) -> str | None:
        """The function a word names here (exp, log, tr(…), σ(…)); a declared symbol wins."""
        if canon in self.ctx.symbols or canon in self.ctx.aliases:
            return None
        bracket = self.peek().kind == "op" and self.peek().value in ("(", "{", "[")
        if canon == "sigma":
            return "sigmoid" if self.peek().value == "(" else None
        if canon in _TRACE_WORDS and not bracket:
            return None     # plain "tr x" stays t·r·x
        return FUNCTION_WORDS.get(canon)

    def refuse_indexed(self, canon: str, tok: Token):
        """x_i inside Σ_i: a family of symbols indexed by i is not something we can evaluate."""
        base, _, sub = canon.rpartition("_")
        if base and sub in self.bound:
            self.fail(f"{tok.value}: indexed symbols are not supported (the body of a sum may use its index "
                      f"{sub} itself, as in \\sum_{{{sub}=1}}^{{n}} {sub}^2)", tok)

    def split(self, tok: Token, free_letters: bool) -> list[Token] | None:
        """'XX' -> X X, 'Xw_0' -> X w_0, 'NICk' -> NIC k: tokens for the names a run of
        letters is made of, positioned in the text, or None."""
        pieces = _segment(tok.value, self.forms(free_letters), free_letters)
        if not pieces or (len(pieces) == 1 and pieces[0][1] == tok.value):
            return None
        out, at = [], tok.pos
        for written, name in pieces:
            out.append(Token("num", written, at) if name is None else Token("name", name, at))
            at += len(written)
        return out

    def forms(self, free_letters: bool) -> dict:
        """Written form -> name, for every name a run may contain (w0 is w_0)."""
        key = (free_letters, self.bound)
        if key not in self._forms:
            self._forms[key] = self._make_forms(free_letters)
        return self._forms[key]

    def _make_forms(self, free_letters: bool) -> dict:
        known = set(self.ctx.symbols) | set(self.ctx.aliases) | set(self.bound)
        forms = {name: name for name in known}
        forms.update({name.replace("_", ""): name for name in known if re.fullmatch(r"[A-Za-z]+_\d+", name)})
        forms.update({w: w for w in FUNCTION_WORDS if w not in _TRACE_WORDS})
        forms.setdefault("pi", "pi")
        forms.setdefault("e", "e")
        if free_letters:
            forms.update({g: g for g in GREEK})
        return forms


def _segment(raw: str, forms: dict, free_letters: bool) -> list | None:
    """`raw` as a sequence of (written, name) for the written forms in `forms`, the
    longest form first at each position; with free letters any single letter (with
    digits, or a subscript at the end of the run) is a name too; digits left over
    are a number (name None). Dynamic programming from the end of the run: no
    recursion, and linear in its length for a fixed set of forms."""
    order = sorted(forms, key=len, reverse=True)
    best: list = [None] * len(raw) + [[]]
    for i in range(len(raw) - 1, -1, -1):
        candidates = [(w, forms[w]) for w in order if raw.startswith(w, i)]
        if free_letters and raw[i].isalpha():    # x, x2 (x_2), and x_1 at the end of the run
            letter = re.match(r"[A-Za-z](?:\d+|_[A-Za-z0-9]+$)?", raw[i:]).group()
            candidates += [(letter, canonical_name(letter)), (raw[i], raw[i])]
        if raw[i].isdigit():                     # k2NF: k·2·NF when k_2 is no name
            candidates.append((re.match(r"\d+", raw[i:]).group(), None))
        for written, name in candidates:
            rest = best[i + len(written)]
            if rest is not None:
                best[i] = [(written, name)] + rest
                break
    return best[0]


def _first_character(tok: Token, text: str) -> list[Token]:
    """The token split after its first character, when TeX would take only that one
    as an argument (\\frac12, \\frac ab, \\sqrt2); a command such as \\lambda stays whole."""
    raw = tok.value
    if len(raw) < 2 or text[tok.pos:tok.pos + 1] != raw[0] or not raw[1].isalnum():
        return [tok]
    rest = raw[1:]
    return [Token(tok.kind, raw[0], tok.pos), Token("num" if rest.isdigit() else tok.kind, rest, tok.pos + 1)]


def _written(tok: Token) -> str:
    """How a command token was written, for messages: \\frac, \\sum, √."""
    return tok.value if tok.value in ("√", "∑", "∏") else f"\\{tok.value}"


def _single_letter(name: str) -> bool:
    base = name.split("_")[0]
    return len(base) == 1 or base in GREEK


def _mul(a, b):
    """a·b with the product so far flattened (shapes are read left to right, so that is
    safe) but a bracketed product on the right kept whole: in aᵀ(aᵀa)a the bracket is
    a scalar, while aᵀaᵀaa has no meaning."""
    return N.Mul((a.factors if isinstance(a, N.Mul) else (a,)) + (b,))
