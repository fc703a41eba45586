"""Checking working step by step, by numbers.

Every side is evaluated in a few draws of the problem's symbols (X n×d and
w₀, t at random sizes with n ≠ d, η, λ̃ random, given numbers as given) with
every name the working or the problem has defined put in. A relation is

- an *identity* when all its names have values: it must hold in every draw
  (or at the written precision), else it is WRONG, with the values;
- a *statement* `K = …` about a name: checked against what the name already
  means, whichever applies: the problem's facts (its statement's equations,
  the solver's derivation and intermediate values, the parts' answers; a
  quantity such as w₁ under two cases may match either), the derivative the
  working differentiates (`dL₁/dη`, `∇L(w₀)`, `L'(α)`), or the working's own
  earlier statement of it in the same case; a name nothing knows yet is
  *defined* (GIVEN), a setting (`x₁ = 40`, `try b = −1`) too;
- a *condition* when it has one unknown: the answer the problem asks for
  (η*, λ̃: it must hold at the derived value), or a letter the working solves
  for (u in `3u = 2`: the root carries to the next condition in u and to
  `u = 2/3`).

Shapes are strict: X⁻¹ for a non-square X, Xᵀ times an n-vector are WRONG.
Whatever rests on a letter that nothing defines, on words, or on notation not
read is UNDECIDED with the reason, never WRONG. Settings are scoped: a value
supposed (`if p = 0.5`, `try w₁ = 1`) or set under a case heading (`(a) with
X₁ = 40`) is forgotten when a new supposition or case begins."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from dlcheck.mathexpr import nodes as N
from dlcheck.trace import numeric
from dlcheck.trace.extract import MAX_TRACE, Extracted, extract
from dlcheck.trace.numeric import Clash, Domain, Singular, Unknown
from dlcheck.trace.sides import BUILTINS, Side, SideReader, loose, word_key
from dlcheck.trace.steps import GIVEN, OK, UNDECIDED, WRONG, StepCheck

_DEBUG = bool(__import__("os").environ.get("DLCHECK_TRACE_DEBUG"))
_RANK = {WRONG: 3, UNDECIDED: 2, OK: 1, GIVEN: 0}
_HEAD = re.compile(r"^\s*((?:\\(?:tilde|hat)\s*\{?\s*\\?[A-Za-z]+\s*\}?|\\?[A-Za-z]+)(?:_\{?[A-Za-z0-9]+\}?|[₀-₉]+|\d+)?"
                   r"\u0303?~?)\s*(?:\\left)?\(\s*([^()]+?)\s*(?:\\right)?\)\s*$")
_ARG = re.compile(r"^(?:\\?[A-Za-z]+|[α-ω])(?:_\{?[A-Za-z0-9]+\}?|[₀-₉]+|\d+)?$")
_LETTER = re.compile(r"(?:[A-Za-z]|alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|sigma|tau|phi)"
                     r"(?:_[A-Za-z0-9]+)?(?:_star)?")
# an entry of a matrix: X_11, X_1_1 (X_{1,1}), w_2 (of a vector)
_ENTRY = re.compile(r"([A-Za-z])_(?:(\d+)_(\d+)|(\d{1,2}))")
_CASE_ARG = re.compile(r"^[A-Z]{2,}\d?$|^[A-Z]\d$")
# a label that names a case: (a), (ii), Part 2, wd, L2, Weight decay, conv1, (0,1), K = 3 …
_CASE_MARKER = re.compile(r"^\s*(?:\(?[a-z0-9]{1,3}\)|\([\d,\s]+\)|(?:part|case|step)\b.*|[-*+]?\s*[A-Za-z_0-9()\s~,.-]{1,30})\s*$", re.I)
_CONNECTIVE = re.compile(r"^\s*(?:let|with|since|so|then|where|hence|thus|check|here|and|for|when|if|now|note|"
                         r"therefore|because|using|from|recall|similarly|also|i\.e|e\.g|which|the|this|that|its?)\b", re.I)


@dataclass
class Judgement:
    status: str
    reason: str = ""
    counterexample: dict | None = None


@dataclass
class Definition:
    name: str
    side: Side
    params: tuple = ()
    index: int = -1               # the step that made it (-1: the problem)
    line: int = 0
    source: str = "trace"         # trace | setting | fact | answer
    case: str = ""                # the case it was made in (the working's heading or label; a fact's part)
    scope: int = 0                # settings live only in the scope (supposition, case) they were made in


class World:
    """What every name means at the current step: the problem's draws, facts and
    aliases, and the working's definitions, settings and solved unknowns."""

    def __init__(self, problem, reader: SideReader, given: dict, fixed=()):
        self.ctx = problem.trace_math
        self.reader = reader
        larger = re.findall(r"(?<![\w\\])([a-z])\s*>\s*([a-z])(?![\w(])", problem.statement)
        self.envs = numeric.draws(self.ctx, given, larger=larger)
        self.short_vectors = {k for k, v in (problem.given or {}).items() if isinstance(v, list) and len(v) == 1
                              and not isinstance(v[0], list)}
        for env in self.envs:                 # a name the problem defines (L, L₁, w₁, w*) is no free symbol
            for name in fixed:
                if name not in given:
                    env.pop(name, None)
        self.defs: dict = {}                 # name -> [Definition] in step order
        self.facts: dict = {}                # name -> [Definition] (the problem's; several cases allowed)
        self.roots: dict = {}                # unknown -> [value per draw] solved from a condition
        self.at = 0                          # the step being judged
        self.scope = 0
        self.fresh: set = set()              # names whose definitions are ignored (worked out instead)
        self.later: dict = {}                # name -> [Definition] the working makes, read ahead
        self._busy: set = set()
        self._cache: dict = {}

    # -- lookups ------------------------------------------------------------------------
    def lookup(self, name: str, draw: int, over: dict):
        if name in over:
            return over[name]
        key = (name, draw)
        if not over and key in self._cache:
            return self._cache[key]
        if key in self._busy:
            raise Unknown(name, f"{name} is defined in terms of itself")
        self._busy.add(key)
        try:
            value = self._resolve(name, draw, over)
        finally:
            self._busy.discard(key)
        if not over:
            self._cache[key] = value
        return value

    def _resolve(self, name: str, draw: int, over: dict):
        if name in self.roots:
            return self.roots[name][draw]
        definition = self.in_force(name)
        if definition is None and name in self.envs[draw]:
            return self.envs[draw][name]
        if definition is None and name in self.ctx.aliases:
            definition = Definition(name, self.reader.read(self.ctx.aliases[name]), source="fact")
        if definition is None:
            definition = self.single_fact(name) or self.forward(name)
        if definition is None:
            return self._entry(name, draw, over)
        try:
            return self._evaluator.side(definition.side, draw, over)   # L₁ for L₁(η): at its own variables
        except (Clash, Domain) as exc:      # the step that wrote the definition answers for it, not this one
            where = f" (line {definition.line})" if definition.line else ""
            raise Unknown(name, f"{name} as defined{where} cannot be evaluated: {exc}") from None

    def _entry(self, name: str, draw: int, over: dict):
        """X_{11}, F_{21}, X_{1,1}: an entry of a matrix or vector the problem or the working gives."""
        m = _ENTRY.fullmatch(name)
        if m is None:
            raise Unknown(name)
        base = m.group(1)
        indices = [int(g) for g in m.groups()[1:] if g] if m.group(2) else [int(c) for c in m.group(4)]
        if len(indices) != 2:
            raise Unknown(name)                    # w_1 is more often the first iterate than an entry of w
        value = self.lookup(base, draw, over)
        if min(value.shape) < 2 or not all(1 <= i <= n for i, n in zip(indices, value.shape)):
            raise Unknown(name)
        return numeric.scalar(value[indices[0] - 1, indices[1] - 1])

    def in_force(self, name: str) -> Definition | None:
        """The working's latest definition before this step (settings only in their scope)."""
        if name in self.fresh:
            return None
        for d in reversed(self.defs.get(name, [])):
            if d.index < self.at and (d.source != "setting" or d.scope == self.scope):
                return d
        return None

    def forward(self, name: str) -> Definition | None:
        """A name defined after its first use (`… where g = ∇L(w₀)`)."""
        if name in self.fresh:
            return None
        later = [d for d in self.later.get(name, []) if d.index > self.at and d.source != "setting"]
        return later[0] if later else None

    def single_fact(self, name: str) -> Definition | None:
        """The problem's meaning of a name, unless it has one per case (w₁ under L2 and under weight decay)."""
        facts = [] if name in self.fresh else self.facts.get(name, [])
        cases = {f.case for f in facts}
        if not facts or (len(cases) > 1 and "" not in cases):
            return None
        return next((f for f in facts if f.case == ""), facts[0])

    def function(self, name: str, nargs, required: bool = True):
        """(params, body) of a function the working or the problem defines."""
        candidates = [] if name in self.fresh else [d for d in reversed(self.defs.get(name, []))
                                                    if d.index < self.at and d.params]
        candidates += [] if name in self.fresh else [d for d in self.facts.get(name, []) if d.params]
        for d in candidates:
            if nargs is None or len(d.params) == nargs:
                return d.params, d.side
        if required:
            raise Unknown(name, f"{name} is not a function defined here")
        return None

    def depends(self, names: set, var: str, depth: int = 0) -> bool:
        """Does a value made of `names` change with `var` (through definitions too)?"""
        if var in names or any((_ENTRY.fullmatch(n) or [None, None])[1] == var for n in names):
            return True
        if depth > 12:
            return False
        for name in names:
            if name in self.envs[0] and self.in_force(name) is None:
                continue
            for d in self._all_definitions(name):
                inner = d.side.names() - set(d.params)
                if self.depends(inner, var, depth + 1):
                    return True
        return False

    def _all_definitions(self, name: str) -> list:
        out = [d for d in self.defs.get(name, []) if d.index <= self.at]
        out += self.facts.get(name, [])
        if name in self.ctx.aliases:
            out.append(Definition(name, self.reader.read(self.ctx.aliases[name])))
        return out

    def variable_of(self, side) -> str:
        """The variable ∇ differentiates in when no subscript says: w if the working has one."""
        names = side.names() if side is not None else set()
        for candidate in ("w", "w_0", "theta", "x"):
            if candidate in names or (side is None and (candidate in self.envs[0] or candidate in self.defs)):
                return candidate
        vectors = [n for n in names if n in self.envs[0] and self.envs[0][n].shape[1] == 1
                   and self.envs[0][n].shape[0] > 1]
        return vectors[0] if len(vectors) == 1 else ""

    def declare(self, declarations) -> None:
        """Letters the working gives a shape (`S ∈ {0,1}^{n×b}`) get random values of that shape."""
        from dlcheck.trace.sides import _canonical

        for k, declaration in enumerate(declarations):
            name = _canonical(declaration.name)
            if name in self.ctx.symbols or name in self.ctx.aliases:
                continue
            for draw, env in enumerate(self.envs):
                env.setdefault(name, numeric.declared(declaration.dims, env, 1000 * draw + k))

    def define(self, definition: Definition) -> None:
        self.defs.setdefault(definition.name, []).append(definition)
        self._cache.clear()

    def step_to(self, index: int) -> None:
        self.at = index
        self._cache.clear()

    def values(self, side: Side, over=None) -> list:
        """The side's value in every draw; `over` binds names (a dict, or per draw a function of it)."""
        return [self._evaluator.side(side, k, (over(k) if callable(over) else over) or {})
                for k in range(len(self.envs))]

    @property
    def _evaluator(self):
        return numeric.Evaluator(self)


class Auditor:
    """Walks one problem's steps in order, keeping what the working has stated."""

    def __init__(self, problem, refs: dict, simulate=None):
        self.problem = problem
        self.refs = refs
        self.simulate = simulate               # settings -> {name: [values]} (the solver's), or None
        self.flaws = [f for part in problem.parts.values() for f in part.trace_flaws]
        self.settings: dict = {}               # numbers the working chose, for a re-simulation
        self._simulated: dict = {}           # settings -> the solver's re-run
        self.case = ""
        self._section = ""
        self._restated = None
        self.line_offset = 0
        self.world: World | None = None
        self._zero_based = False               # the working counts rows and columns from 0
        self._step = None                      # the step being checked (its label gives a point)

    # -- the walk --------------------------------------------------------------------------
    def run(self, extracted: Extracted, line_offset: int = 0) -> list:
        steps = extracted.steps
        self.line_offset = line_offset
        reader = SideReader(self.problem.trace_math, self._function_names(steps), self._word_names(steps))
        facts = problem_facts(self.problem, self.refs, reader)
        defined = {name for name, found in facts.items() if any(f.source != "answer" for f in found)}
        self.world = World(self.problem, reader, _given_arrays(self.problem), defined)
        self.world.facts.update(facts)
        self.world.declare(extracted.declarations)
        self._read_ahead(steps)
        self._zero_based = any(re.search(r"\((?:0\s*,\s*\d|\d\s*,\s*0)\)\s*$", s.label) for s in steps)
        checks = []
        previous_case = None
        for index, step in enumerate(steps):
            self.world.step_to(index)
            case = self._case(step)
            if case != previous_case or step.supposing:
                self.world.scope += 1
            previous_case = case
            checks.append(self._check_step(index, step, case, line_offset))
        return checks

    def _case(self, step) -> str:
        """The case a step belongs to: the last case marker (`(b)`, `wd:`, `Weight decay:`,
        `conv1:`) on a line, or the heading it sits under."""
        section = _case_key(step.section)
        if section != self._section:
            self._section, self.case = section, section
        label = step.label.strip()
        if label and _CASE_MARKER.match(label) and not _CONNECTIVE.match(label) and not step.continued:
            self.case = f"{section} / {_case_key(label)}"
        return self.case

    def _check_step(self, index: int, step, case: str, line_offset: int) -> StepCheck:
        self._step = step
        reader = self.world.reader
        sides = [reader.read(text) for text in step.sides]
        relations, judgements = [], []
        flaw = next((f for f in self.flaws if re.search(f.pattern, step.text, re.IGNORECASE)), None)
        for position, (left, right) in enumerate(zip(sides, sides[1:])):
            rel = step.rels[position] if position < len(step.rels) else "="
            try:
                judgement = self._relation(index, position, left, right, rel, step, case)
            except (Unknown, Clash, Domain) as exc:
                judgement = Judgement(UNDECIDED, str(exc))
            except Exception as exc:  # a checker bug leaves one relation undecided, never the audit
                if _DEBUG:
                    raise
                judgement = Judgement(UNDECIDED, f"dlcheck internal error: {type(exc).__name__}: {exc}")
            if flaw is not None and judgement.status != WRONG:
                judgement = Judgement(WRONG, f"known flaw: {flaw.feedback}")
            judgements.append(judgement)
            relations.append({"left": left.text, "right": right.text, "relation": rel, "status": judgement.status,
                              "reason": judgement.reason})
        worst = max(judgements, key=lambda j: _RANK[j.status])
        if worst.status != WRONG and sides and sides[-1].readable:
            worst = self._said_total(step, sides[-1]) or self._said_entry(step, sides[-1]) or worst
        self._remember(index, step, sides, case, judgements[0].status if judgements else GIVEN)
        if worst.status == GIVEN and any(j.status == OK for j in judgements):
            worst = next(j for j in judgements if j.status == OK)
        names = sorted(set().union(*(s.names() for s in sides)))
        return StepCheck(step.line + line_offset, step.text, worst.status, worst.reason, names, relations,
                         worst.counterexample, step.context)

    def _said_total(self, step, last: Side) -> Judgement | None:
        """"The total number of neurons in the CNN is 4×4×3×64 = 3,072": a sentence that names
        a total the problem asks for (every word of an answer's name, and *total*) states it."""
        words = re.findall(r"[a-z0-9]+", step.sentence.lower())
        says_total = bool({"total", "overall"} & set(words))
        if not says_total or not re.search(r"\b(?:is|are|equals?|of)\s*$", step.sentence, re.IGNORECASE):
            return None
        named = {part for name, part in self.problem.trace_answers.items() if len(_name_words(name)) > 1
                 and all(any(_same_word(n, w) for w in words) for n in _name_words(name))}
        part = next(iter(named)) if len(named) == 1 else None
        ref = self.refs.get(part)
        said = _constant(last)
        if ref is None or not _number(ref.value) or said is None:
            return None
        accepted = [ref.value] + [v for rule, v in ref.rules.items() if _number(v) and any(
            r.name == rule and r.credit >= 1 for r in self.problem.parts[part].rules)]
        tolerance = numeric.written_tolerance(last.text)
        if any(numeric.same(numeric.scalar(v), numeric.scalar(said), tolerance) for v in accepted):
            return None
        return Judgement(WRONG, f"'{_short(step.sentence, 80)} {_short(last.text)}': {part} is {ref.value:g}")

    def _said_entry(self, step, last: Side) -> Judgement | None:
        """"(3,3) = 5 − 3 = 2": a chain labelled with a position states that entry of the one
        matrix the problem asks for (1-based, or 0-based where the working writes a (0, j))."""
        m = re.search(r"\((\d)\s*,\s*(\d)\)\s*$", step.label)
        matrices = [(part, ref.value) for part, ref in self.refs.items() if _entries("M", ref.value)]
        said = _constant(last)
        if m is None or len(matrices) != 1 or said is None:
            return None
        part, value = matrices[0]
        i, j = int(m.group(1)), int(m.group(2))
        a, b = (i, j) if self._zero_based else (i - 1, j - 1)
        if not (0 <= a < len(value) and 0 <= b < len(value[a]) and _number(value[a][b])) \
                or abs(value[a][b] - said) <= 1e-9 * max(1.0, abs(value[a][b])):
            return None
        return Judgement(WRONG, f"entry ({i},{j}) of {part} is {value[a][b]:g}, not {_short(last.text)}")

    # -- one relation ---------------------------------------------------------------------
    def _relation(self, index, position, left: Side, right: Side, rel: str, step, case: str) -> Judgement:
        if not right.readable:
            return Judgement(UNDECIDED, f"not read: {_short(right.text)!r} ({right.error})")
        if not left.readable and not (position == 0 and step.continued and step.head):
            return Judgement(UNDECIDED, f"not read: {_short(left.text)!r} ({left.error})")
        if position == 0 and not step.continued and left.key is not None and rel in ("=", ":=", "≈"):
            return self._statement(index, left, right, rel, step, case)
        judgement = self._identity(left, right, rel, step, self._may_be_condition(step, position, left, right))
        if judgement.status == UNDECIDED and self._rewrites(step, position, left, right):
            judgement = self._in_free_letters(left, right, rel) or judgement
        if judgement.status == UNDECIDED and rel in ("=", "≈"):
            head = self._chain_head(step, position)      # "connections = Σ … \n = k²(…)": what the chain states
            if head is not None and self._meanings(head, case, right.names()):
                return self._statement(index, head, right, rel, step, case)
        return judgement

    def _chain_head(self, step, position: int) -> Side | None:
        """The name a chain states (`K = A = B`, or the K a continued row goes on from), when a
        link cannot be judged by itself: B is then checked as a statement of K."""
        text = step.head if step.continued else (step.sides[0] if position > 0 else "")
        if not text:
            return None
        head = self.world.reader.read(text)
        return head if head.key is not None else None

    def _rewrites(self, step, position: int, left: Side, right: Side) -> bool:
        """A link of a chain that names what it rewrites (`q = (a + b)² = a² + 2ab + b²`): it
        must hold for every value of letters nothing defines. A bare letter on either side
        (`w₁ = w₂ = u`) names a common value instead."""
        head = self._chain_head(step, position)
        return head is not None and _constant(head) is None and not (
            isinstance(left.tree, N.Sym) or isinstance(right.tree, N.Sym))

    def _free_letters(self, *sides) -> list:
        """Letters of the sides that nothing defines here or later: free parameters."""
        names = set().union(*(s.names() for s in sides))
        return sorted(n for n in names if _LETTER.fullmatch(n) and n not in self.world.envs[0]
                      and self.world.in_force(n) is None and n not in self.world.roots
                      and not self.world.facts.get(n) and not self.world.later.get(n))

    def _in_free_letters(self, left: Side, right: Side, rel: str, extra: tuple = ()):
        """The relation judged at random values of its free letters (None if it still cannot be)."""
        free = self._free_letters(left, right, *extra)
        if not free or self._has_arrays(left, right, *extra):
            return None                     # next to matrices an undeclared letter may be one: not guessed
        rng = np.random.default_rng(13)
        values = [{n: numeric.scalar(rng.uniform(0.4, 1.7)) for n in free} for _ in self.world.envs]
        try:
            a = self.world.values(left, lambda k: values[k])
            b = self.world.values(right, lambda k: values[k])
        except (Unknown, Clash, Domain):
            return None
        judgement = self._compare(a, b, rel, left, right, f"for any {', '.join(free)}", condition=False)
        if judgement.status == WRONG:
            judgement.counterexample = self._small_point(left, right, free)
            if judgement.counterexample:
                point = judgement.counterexample["point"]
                judgement.reason = (f"{_short(left.text)} and {_short(right.text)} differ: at "
                                    f"{', '.join(f'{k} = {v}' for k, v in point.items())} they give "
                                    f"{judgement.counterexample['expected']} and {judgement.counterexample['got']}")
        return judgement

    def _small_point(self, left: Side, right: Side, free: list) -> dict | None:
        """A readable counterexample: small whole numbers for the free letters (α = 1 reads
        better than α = 0.8317)."""
        import itertools

        if len(free) > 4:
            return None
        for values in itertools.product((1, 2, 0, -1, 3), repeat=len(free)):
            over = {n: numeric.scalar(v) for n, v in zip(free, values)}
            try:
                a = self.world._evaluator.side(left, 0, over)
                b = self.world._evaluator.side(right, 0, over)
            except (Unknown, Clash, Domain):
                continue
            if not numeric.same(a, b, (1e-9, 1e-12)):
                show = lambda v: int(v) if float(v).is_integer() else round(float(v), 6)   # noqa: E731
                return {"point": dict(zip(free, values)), "expected": show(a[0, 0]), "got": show(b[0, 0])}
        return None

    def _has_arrays(self, *sides) -> bool:
        names = set().union(*(s.names() for s in sides))
        return any(n in self.world.envs[0] and not numeric.is_scalar(self.world.envs[0][n]) for n in names) or any(
            a.kind == "literal" for s in sides for a in s.atoms.values())

    def _may_be_condition(self, step, position: int, left: Side, right: Side) -> bool:
        """An equation to solve (`‖Xᵀa‖² = (2η/n)‖XXᵀa‖²`, `dL₁/dη = 0`) rather than a link of
        a chain that states what a name is (`dL₁/dη = … = …`): those must hold for every η."""
        if _constant(left) is not None or _constant(right) is not None:
            return True
        head = self._chain_head(step, position)
        return head is None or _constant(head) is not None

    def _identity(self, left: Side, right: Side, rel: str, step, condition: bool = True) -> Judgement:
        if not left.readable:
            return Judgement(UNDECIDED, f"not read: {_short(left.text)!r} ({left.error})")
        try:
            a, b = self.world.values(left), self.world.values(right)
        except Unknown as exc:
            return self._condition(left, right, rel, exc)
        except Clash as exc:
            return self._clash(exc, left, right)
        except Domain as exc:
            return self._domain(exc, left, right)
        return self._compare(a, b, rel, left, right, condition=condition)

    def _domain(self, exc: Domain, *sides) -> Judgement:
        """An inverse that fails in every draw is a wrong step (XᵀX with d > n); anything else
        outside a domain (a random draw under a logarithm) is not decided."""
        if isinstance(exc, Singular) and any(self._always_singular(side) for side in sides):
            return Judgement(WRONG, str(exc))
        return Judgement(UNDECIDED, f"cannot be evaluated: {exc}")

    def _always_singular(self, side: Side) -> bool:
        for k in range(len(self.world.envs)):
            try:
                self.world._evaluator.side(side, k, {})
            except Singular:
                continue
            except (Unknown, Clash, Domain):
                return False
            return False
        return True

    def _clash(self, exc: Clash, *sides) -> Judgement:
        """Shapes that do not fit are wrong; a scalar added to a vector may be elementwise
        notation, unless the "scalar" is a vector of length one the problem gives (t = [2])."""
        if exc.hard:
            return Judgement(WRONG, f"shapes: {exc}")
        short = sorted(n for side in sides for n in side.names() if n in self.world.short_vectors)
        if short and "add" in str(exc):
            return Judgement(WRONG, f"shapes: {exc} ({', '.join(short)} is a vector of length 1)")
        return Judgement(UNDECIDED, f"shapes: {exc} (read elementwise in some notations)")

    def _free_parameters(self, left: Side, right: Side):
        """A function's definition `L(α) = …` is read at random values of its parameters, of
        the first shape its right side accepts (a scalar α, a vector w); the same values serve
        every meaning it is compared with."""
        free = [p for p in left.params if p not in self.world.envs[0] and self.world.in_force(p) is None]
        if not free:
            return None
        rng = np.random.default_rng(5)
        chosen = None
        shapes = self._shapes()
        for shape in shapes[-1:] + shapes[:-1]:           # a scalar first: α, x, u; else a vector w
            values = [{p: rng.uniform(0.3, 1.2, size=shape(k)) for p in free} for k in range(len(self.world.envs))]
            chosen = chosen or values
            try:
                self.world.values(right, lambda k, values=values: values[k])
            except Clash:
                continue
            except (Unknown, Domain):
                pass
            chosen = values
            break
        return lambda k: chosen[k]

    def _compare(self, a: list, b: list, rel: str, left: Side, right: Side, what: str = "",
                 condition: bool = True) -> Judgement:
        tolerance = numeric.written_tolerance(left.text, right.text, approx=rel == "≈")
        if rel in ("=", "≈", ":="):
            if all(numeric.same(x, y, tolerance) for x, y in zip(a, b)):
                return Judgement(OK, what or "equal")
            mixed = _scalar_against_array(a, b)
            if mixed is not None:
                return mixed
            solved = self._at_answer(left, right) if condition else None
            if solved is not None:
                return solved
            k = next(i for i, (x, y) in enumerate(zip(a, b)) if not numeric.same(x, y, tolerance))
            if _shape_written(left, right, a[k], b[k]):
                return Judgement(UNDECIDED, f"{_short(left.text)} reads as a shape (H×W×C) whose channels are "
                                            f"{_short(right.text)}, not as a product")
            if _lost_operators(left, right, a[k], b[k]):
                return Judgement(UNDECIDED, f"{_short(left.text)} = {_short(right.text)}: the digits read as a "
                                            f"product whose × signs were lost (damaged text?)")
            return Judgement(WRONG, self._difference(a[k], b[k], left, right, k, what))
        if rel == "≠":
            differ = any(not numeric.same(x, y, tolerance) for x, y in zip(a, b))
            return Judgement(OK if differ else WRONG, "they differ" if differ else "they are equal")
        return self._inequality(a, b, rel, left, right)

    def _inequality(self, a, b, rel, left, right) -> Judgement:
        if any(not (numeric.is_scalar(x) and numeric.is_scalar(y)) for x, y in zip(a, b)):
            return Judgement(UNDECIDED, "an inequality between vectors")
        _, atol = numeric.written_tolerance(left.text, right.text)
        test = {"≤": lambda x, y: x <= y + atol, "<": lambda x, y: x < y + atol,
                "≥": lambda x, y: x >= y - atol, ">": lambda x, y: x > y - atol}[rel]
        holds = all(test(x[0, 0], y[0, 0]) for x, y in zip(a, b))
        if holds:
            return Judgement(OK, "holds")
        return Judgement(WRONG, f"{numeric.show(a[0])} {rel} {numeric.show(b[0])} is false")

    def _difference(self, x, y, left: Side, right: Side, draw: int, what: str) -> str:
        prefix = f"{what}; " if what else ""
        if x.shape != y.shape and not (x.size == y.size and 1 in x.shape and 1 in y.shape):
            return f"{prefix}{numeric.show_shape(x)} and {numeric.show_shape(y)} cannot be equal"
        random = sorted(n for n in (left.names() | right.names()) if n in self.world.envs[draw]
                        and self.problem.trace_math.symbols.get(n) is not None and n not in self.problem.given)
        at = f" (at random values of {', '.join(random[:6])})" if random else ""
        return f"{prefix}{_short(left.text)} is {numeric.show(x)} but {_short(right.text)} is {numeric.show(y)}{at}"

    # -- statements about a name ------------------------------------------------------------
    def _statement(self, index, left: Side, right: Side, rel: str, step, case: str) -> Judgement:
        key = left.key
        if step.supposing and not step.defining:
            return Judgement(GIVEN, f"supposes {_short(left.text)} = {_short(right.text)}")
        free = self._free_parameters(left, right)
        try:
            value = self.world.values(right, free)
        except Unknown as exc:
            return self._statement_unknown(left, right, exc)
        except Clash as exc:
            return self._clash(exc, right)
        except Domain as exc:
            return self._domain(exc, right)
        simulated = self._simulated_value(key) if not right.names() else None
        if simulated is not None:
            rerun = np.asarray(simulated, dtype=float).reshape(-1, 1)
            return self._compare([rerun] * len(value), value, rel, left, right,
                                 "re-running the method with the stated settings")
        self._restated = None
        candidates = self._meanings(left, case, right.names(), free)
        if not candidates:
            if key in self.world.roots:
                return self._compare(self.world.roots[key], value, rel, left, right, f"the equation before gives "
                                                                                     f"{key}")
            slope = self._against_gradient(left, right) if len(left.params) == 1 else None
            if slope is not None and slope.status == WRONG:
                return slope
            if self.world.in_force(key) is not None or key in self.world.envs[0]:
                return Judgement(GIVEN, f"sets {_short(left.text)} for this case")
            return Judgement(GIVEN, f"defines {_short(left.text)}")
        results = []
        condition = _constant(right) is not None
        if condition and key in _given_arrays(self.problem) and step.rels[0] == "=":
            given = _given_arrays(self.problem)[key]
            if not numeric.same(given, value[0], (1e-9, 1e-9)):
                return Judgement(GIVEN, f"sets {_short(left.text)} = {_short(right.text)} here (the problem's "
                                        f"{key} is {numeric.show(given)})")
        for what, expected in candidates:
            judgement = self._compare(expected, value, rel, left, right, what, condition)
            if judgement.status == OK:
                return judgement
            results.append(judgement)
        if all(what.endswith("(the problem's letter)") for what, _ in candidates):
            return Judgement(GIVEN, f"defines {_short(left.text)}, a letter the problem uses otherwise")
        if self._restated is not None and free is not None and left.params and len(candidates) == 1:
            point = self._small_point(self._restated.side, right, list(left.params))
            if point:                         # "L(α) was …; at α = 1 they give 1 and −3"
                at = ", ".join(f"{k} = {v}" for k, v in point["point"].items())
                return Judgement(WRONG, f"{results[0].reason.split(';')[0]}; at {at} they give {point['expected']} "
                                        f"and {point['got']}", point)
        return results[0]

    def _against_gradient(self, left: Side, right: Side) -> Judgement | None:
        """`L(w) = ‖Xw − t‖²` where the problem fixes ∇L(w₀) but not L: the function the working
        writes must have that gradient (a constant apart), else it is not the problem's L."""
        fact = next((d for d in self.world.facts.get("∇" + left.key, []) if len(d.params) == 1), None)
        if fact is None:
            return None
        ev, var = self.world._evaluator, left.params[0]
        try:
            points = [self.world.lookup(fact.params[0], k, {}) for k in range(len(self.world.envs))]
            want = [ev.side(fact.side, k, {}) for k in range(len(points))]
            got = [numeric.gradient_of(lambda x, k=k: ev.side(right, k, {var: x}), p) for k, p in enumerate(points)]
        except (Unknown, Clash, Domain):
            return None
        at = fact.params[0]
        judgement = self._compare(want, got, "=", left, right, f"its gradient at {at} is the problem's", False)
        if judgement.status == WRONG:
            judgement.reason = (f"the gradient of {_short(right.text)} at {at} is not ∇{left.key}({at}) = "
                                f"{_short(fact.side.text)} ({fact.case or 'the problem'}): "
                                f"{numeric.show(got[0])} vs {numeric.show(want[0])}")
        return judgement

    def _comparable(self, answer: Side, names: set) -> bool:
        """An answer's name (`L`, `w`, `weights`) states the answer only when the step uses the
        same free letters: none the answer lacks (`L = (1/n)‖Xw − t‖²` is the loss at w, not L₁)
        and all it has, through what the step's names mean (`weights = NIC·k²·NF` is one layer's)."""
        own = _with_aliases(answer, self.problem, self.world.reader)
        free = {n for n in own if n in self.world.envs[0]}
        used = self._reach(names)
        return not {n for n in used if n in self.world.envs[0] and self.world.in_force(n) is None} - own \
            and free <= used

    def _reach(self, names: set) -> set:
        """The names a value made of `names` rests on, through definitions, facts and aliases."""
        seen, todo = set(), list(names)
        while todo and len(seen) < 200:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.world.envs[0] and self.world.in_force(name) is None:
                continue
            for d in self.world._all_definitions(name)[-2:]:
                todo.extend(d.side.names() - set(d.params))
        return seen

    def _meanings(self, left: Side, case: str, right_names: set = frozenset(), free=None) -> list:
        """[(where the meaning comes from, values per draw)] of what `left` already means."""
        key, out = left.key, []
        for fact in self.world.facts.get(key, []):
            if fact.params and left.params and not self._same_params(fact.params, left.params):
                continue
            if fact.source == "answer" and not self._comparable(fact.side, right_names):
                continue                  # "weights = NIC·k²·NF" for one layer is no statement of the total
            values = self._try(fact.side, self._bind(fact.params, left.params, free))
            if values is not None:
                out.append((f"{_short(left.text)} is {_short(fact.side.text)} ({fact.case or 'the problem'})", values))
        if key in self.world.envs[0] and key in _given_arrays(self.problem):
            out.append(("the problem gives it", [env[key] for env in self.world.envs]))
        if key in self.problem.trace_math.aliases:
            values = self._try(self.world.reader.read(self.problem.trace_math.aliases[key]), None)
            if values is not None:
                out.append((f"{key} is {self.problem.trace_math.aliases[key]} (the problem's letter)", values))
        computed = self._computed(left, free)
        if computed is not None:
            out.append(computed)
        previous = self.world.in_force(key)
        if previous is not None and (previous.case == case or not previous.case) and previous.source == "trace":
            values = self._try(previous.side, self._bind(previous.params, left.params, free))
            if values is not None and not out:
                where = f"line {previous.line}"
                out.append((f"{_short(left.text)} was {_short(previous.side.text)} ({where})", values))
                self._restated = previous
        if key in self.world.roots and not out:
            out.append((f"the equation before gives {key}", self.world.roots[key]))
        if not out and previous is not None and not left.params:
            formulas = [d for d in self.world.defs.get(key, []) if d.index < self.world.at and d.source == "trace"]
            out += next((found for d in reversed(formulas) for found in [self._at_point(left, d)] if found), [])
        return out

    def _at_point(self, left: Side, formula: Definition) -> list:
        """`d = √(X₁² + X₂² + X₃²)`, then `Obs 4 (0,1,2): d = …`: the formula at the point the
        step's line gives, its values bound in order to the formula's indexed letters."""
        m = re.findall(r"\((-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)+)\)", self._step.label if self._step else "")
        if not m:
            return []
        point = [float(v) for v in m[-1].split(",")]
        letters = sorted((n for n in formula.side.names() if self._try(self.world.reader.read(n), None) is None),
                         key=lambda n: [int(d) for d in re.findall(r"\d+", n)] or [0])
        bases = {re.sub(r"_?\{?\d+\}?$", "", n) for n in letters}
        if len(letters) != len(point) or len(bases) != 1 or not all(re.search(r"\d$", n) for n in letters):
            return []
        values = self._try(formula.side, {n: numeric.scalar(v) for n, v in zip(letters, point)})
        if values is None:
            return []
        at = ", ".join(f"{n} = {v:g}" for n, v in zip(letters, point))
        return [(f"{_short(left.text)} is {_short(formula.side.text)} (line {formula.line}) at {at}", values)]

    def _same_params(self, fact_params: tuple, params: tuple) -> bool:
        return len(fact_params) == len(params) and all(
            p == q or (q in self.world.envs[0] and self.world.envs[0][q].shape == self.world.envs[0].get(
                p, self.world.envs[0][q]).shape) for p, q in zip(fact_params, params))

    def _bind(self, params: tuple, names: tuple, free=None):
        """Per draw, a function's parameters bound to the names the step writes (L(v) stated as
        L(w)), those names at the random values `free` gives the step's own parameters."""
        def over(k):
            given = (free(k) if callable(free) else free) or {}
            bound = {p: given[q] if q in given else self.world.lookup(q, k, given) for p, q in zip(params, names)
                     if p != q or q in given}
            return {**given, **bound}
        return over if params or free else None

    def _computed(self, left: Side, free=None):
        """A derivative or a function value the step states, worked out independently."""
        atom = left.atoms.get(left.tree.name) if left.tree is not None and hasattr(left.tree, "name") else None
        if atom is None or atom.kind not in ("grad", "deriv", "apply") or atom.func in BUILTINS.values():
            return None
        if atom.kind == "apply" and self.world.function(atom.func, len(atom.args), required=False) is None:
            return None
        self.world.fresh = {left.key}                   # a derivative is worked out, not looked up
        try:
            values = self._try(left, free)
        finally:
            self.world.fresh = set()
        if values is None:
            return None
        what = {"grad": "the gradient", "deriv": "the derivative", "apply": "the function"}[atom.kind]
        return (f"{what} of what it differentiates" if atom.kind != "apply" else f"{what} {atom.func} applied", values)

    def _try(self, side: Side, over: dict):
        try:
            return self.world.values(side, over)
        except (Unknown, Clash, Domain):
            return None

    def _statement_unknown(self, left: Side, right: Side, exc: Unknown) -> Judgement:
        previous = self.world.in_force(left.key)
        if previous is not None:
            if previous.source == "trace" and previous.params == left.params and not isinstance(right.tree, N.Sym):
                restated = self._in_free_letters(previous.side, right, "=", (left,))
                if restated is not None:
                    return restated             # "g = ½(2y)²" then "g = 4y²": for any y
            return Judgement(UNDECIDED, f"restates {_short(left.text)}: {exc}")
        if left.params:
            return Judgement(GIVEN, f"defines the function {_short(left.text)}")
        return Judgement(GIVEN if self._defines_new(left) else UNDECIDED,
                         f"defines {_short(left.text)}" if self._defines_new(left) else str(exc))

    def _defines_new(self, left: Side) -> bool:
        key = left.key
        return not self.world.facts.get(key) and key not in self.world.envs[0]

    # -- conditions --------------------------------------------------------------------------
    def _at_answer(self, left: Side, right: Side) -> Judgement | None:
        """A relation false at random values may be a condition on the unknown the problem asks
        for (η*, λ̃): it is right when it holds at the derived value."""
        for name, part in self.problem.trace_answers.items():
            if name not in self.world.envs[0] or not self.world.depends(left.names() | right.names(), name):
                continue
            reference = self._reference_side(part)
            if reference is None:
                continue
            try:
                solution = self.world.values(reference)
                a = [self.world._evaluator.side(left, k, {name: s}) for k, s in enumerate(solution)]
                b = [self.world._evaluator.side(right, k, {name: s}) for k, s in enumerate(solution)]
            except (Unknown, Clash, Domain):
                continue
            tolerance = (1e-6, 1e-9)
            if all(numeric.same(x, y, tolerance) for x, y in zip(a, b)):
                return Judgement(OK, f"holds at the correct {name}")
            return Judgement(WRONG, f"an equation that the correct {name} does not satisfy: with {name} = "
                                    f"{_short(reference.text)}, {numeric.show(a[0])} ≠ {numeric.show(b[0])}")
        return None

    def _condition(self, left: Side, right: Side, rel: str, exc: Unknown) -> Judgement:
        """A relation with a letter nothing has defined yet: an identity in it (true for any
        value), an equation the working solves for it, or false where the working later sets it."""
        unknown = exc.name
        if "/d" in unknown and rel == "=":            # ∂l/∂y of a loss nobody defines: a factor, any value
            free = self._with_value(left, right, rel, unknown, [numeric.scalar(v) for v in (0.37, 1.61, -0.83)],
                                    f"for any value of {unknown}")
            if free is not None:
                return free
        if not _LETTER.fullmatch(unknown) or unknown in self.world.envs[0]:
            return Judgement(UNDECIDED, str(exc))
        later = self._later_setting(unknown)
        if later is not None:
            judgement = self._with_value(left, right, rel, unknown, later, f"with {unknown} = "
                                                                          f"{numeric.show(later[0])} (set later)")
            if judgement is not None and judgement.status == OK:
                return judgement
        if rel != "=":
            return Judgement(UNDECIDED, str(exc))
        free = self._with_value(left, right, rel, unknown, [numeric.scalar(v) for v in (0.37, 0.61, 0.83)],
                                f"an identity in {unknown}")
        if free is not None and free.status == OK:
            return free
        roots = self._solve(left, right, unknown)
        if roots is None:
            if later is not None and free is not None and free.status == WRONG:
                return Judgement(WRONG, f"false for any {unknown}, and for {unknown} = {numeric.show(later[0])} set "
                                        f"later")
            return Judgement(UNDECIDED, f"{exc}; not an equation solved here")
        before = self.world.roots.get(unknown)
        answer = next((f for f in self.world.facts.get(unknown, []) if f.source == "answer"), None)
        if before is None and answer is not None:
            expected = self._try(answer.side, None)
            if expected is not None:
                self.world.roots[unknown] = roots
                same = all(numeric.same(x, y, (1e-6, 1e-9)) for x, y in zip(expected, roots))
                return Judgement(OK if same else WRONG, f"gives {unknown} = {numeric.show(roots[0])}" + (
                    ", the answer" if same else f", but {unknown} is {numeric.show(expected[0])} ({answer.case})"))
        if before is not None:
            same = all(numeric.same(x, y, (1e-7, 1e-9)) for x, y in zip(before, roots))
            return Judgement(OK if same else WRONG, f"gives {unknown} = {numeric.show(roots[0])}, as before" if same
                             else f"gives {unknown} = {numeric.show(roots[0])}, the step before gave "
                                  f"{numeric.show(before[0])}")
        self.world.roots[unknown] = roots
        return Judgement(GIVEN, f"an equation in {unknown}: {unknown} = {numeric.show(roots[0])}")

    def _later_setting(self, name: str):
        """The value a letter is set to later in the working (`… with β = 0.9` at the end)."""
        for d in self.world.later.get(name, []):
            if d.index > self.world.at and d.source == "setting":
                value = _constant(d.side)
                if value is not None:
                    return [numeric.scalar(value)] * len(self.world.envs)
        return None

    def _with_value(self, left: Side, right: Side, rel: str, name: str, values: list, what: str):
        try:
            a = [self.world._evaluator.side(left, k, {name: v}) for k, v in enumerate(values)]
            b = [self.world._evaluator.side(right, k, {name: v}) for k, v in enumerate(values)]
        except (Unknown, Clash, Domain):
            return None
        return self._compare(a, b, rel, left, right, what)

    def _solve(self, left: Side, right: Side, unknown: str):
        """Per draw, a solution of left = right for `unknown` when the relation is affine in it:
        a scalar (`3u = 2`) or a vector of one of the draw's sizes (`XXᵀc = t`, `Xz = 0`: any
        solution, a random one when there are many), else None."""
        for shape in self._shapes():
            roots = []
            for k in range(len(self.world.envs)):
                root = self._affine_root(left, right, unknown, shape(k), k)
                if root is None:
                    break
                roots.append(root)
            if len(roots) == len(self.world.envs):
                return roots
        return None

    def _shapes(self):
        """Shapes an unknown may have: a vector of each size the draw's arrays have, then a scalar."""
        count = len(self._sizes(0))
        return [lambda k, i=i: (self._sizes(k)[i], 1) for i in range(count)] + [lambda k: (1, 1)]

    def _sizes(self, k: int) -> list:
        env = self.world.envs[k]
        sizes = set(env[numeric.SIZES].values())
        sizes |= {n for name, v in env.items() if name != numeric.SIZES for n in v.shape}
        return sorted(n for n in sizes if n > 1)

    def _affine_root(self, left: Side, right: Side, unknown: str, shape: tuple, k: int):
        def g(u):
            a = self.world._evaluator.side(left, k, {unknown: u})
            b = self.world._evaluator.side(right, k, {unknown: u})
            if a.shape != b.shape:
                if numeric.is_scalar(b) and b[0, 0] == 0:
                    b = np.zeros_like(a)             # "Xz = 0": the zero vector
                elif numeric.is_scalar(a) and a[0, 0] == 0:
                    a = np.zeros_like(b)
                else:
                    raise Clash("the sides have different shapes")
            return (a - b).ravel()

        try:
            base = g(np.zeros(shape))
            columns = []
            for index in np.ndindex(shape):
                e = np.zeros(shape)
                e[index] = 1.0
                columns.append(g(e) - base)
            A = np.array(columns).T
            probe = np.random.default_rng(7 + k).normal(size=shape)
            if not np.allclose(g(probe), base + A @ probe.ravel(), rtol=1e-7, atol=1e-9):
                return None                          # not affine in the unknown
        except (Unknown, Clash, Domain, ValueError, FloatingPointError):
            return None
        if not np.any(np.abs(A) > 1e-12):
            return None
        solution, *_ = np.linalg.lstsq(A, -base, rcond=None)
        if not np.allclose(A @ solution, -base, rtol=1e-7, atol=1e-7 * max(1.0, float(np.abs(base).max()))):
            return None                              # no solution
        null = np.eye(A.shape[1]) - np.linalg.pinv(A) @ A
        solution = solution + null @ np.random.default_rng(11 + k).normal(size=A.shape[1])
        return solution.reshape(shape)

    # -- remembering ---------------------------------------------------------------------------
    def _remember(self, index: int, step, sides: list, case: str, status: str) -> None:
        head = sides[0]
        if step.continued and step.head:
            head = self.world.reader.read(step.head)      # the continued chain's name takes its latest form
            sides = [head] + sides[1:]
            if head.key is None or head.params:
                return
        elif step.continued:
            return
        if head.key is None or not step.rels or step.rels[0] not in ("=", ":=", "≈"):
            return
        value = _definition_side(sides)
        if value is None:
            return
        constant = _constant(value) is not None and not head.params
        if step.supposing and not step.defining and not constant:
            return                                   # "we need to show that w* = ŵ" defines nothing
        if head.key in _given_arrays(self.problem) and status == OK:
            return                                   # "X = [2 1]" restates the given X: keep its shape
        source = "setting" if constant else "trace"
        if constant and head.key not in ("pi", "e"):
            self.settings[head.key] = _constant(value)
        if head.key in self.world.roots and constant:
            del self.world.roots[head.key]
        self.world.define(Definition(head.key, value, head.params, index, step.line + self.line_offset, source, case,
                                             self.world.scope))
        for side in sides[1:-1]:                     # "w₁ = w₂ = 2": every name of the chain
            if side.key and side is not value and not side.params and _constant(value) is not None:
                self.world.define(Definition(side.key, value, (), index, step.line + self.line_offset, "setting", case,
                                             self.world.scope))

    def _read_ahead(self, steps) -> None:
        """Every definition the working makes, before the walk: a name may be used first and
        defined after (`… where g = ∇L(w₀)`), a letter solved for and set at the end."""
        reader = self.world.reader
        for index, step in enumerate(steps):
            if step.continued or not step.rels or step.rels[0] not in ("=", ":="):
                continue
            head = reader.read(step.sides[0])
            if head.key is None:
                continue
            value = _definition_side([reader.read(text) for text in step.sides])
            if value is not None:
                source = "setting" if _constant(value) is not None and not head.params else "trace"
                self.world.later.setdefault(head.key, []).append(
                    Definition(head.key, value, head.params, index, step.line + self.line_offset, source))

    # -- helpers -----------------------------------------------------------------------------------
    def _function_names(self, steps) -> set:
        out = set()
        for step in steps:
            if step.continued:
                continue
            m = _HEAD.match(step.sides[0])
            if m and all(_ARG.match(a.strip()) for a in m.group(2).split(",")) \
                    and not all(_CASE_ARG.match(a.strip()) for a in m.group(2).split(",")):
                from dlcheck.trace.sides import _canonical

                out.add(_canonical(m.group(1).replace("~", "")) + ("_tilde" if "~" in m.group(1) else ""))
        out |= set(re.findall(r"(?<![\w\\])([A-Za-z])\(\s*[A-Za-z]\w{0,2}\s*\)", self.problem.statement))  # P(A)
        return out | {"L", "L_tilde", "L_1", "R", "f", "g", "h", "sigma"} - set(self.problem.trace_math.symbols)

    def _word_names(self, steps) -> set:
        reader = SideReader(self.problem.trace_math)
        return {word_key(s.sides[0]) for s in steps if not s.continued and reader.is_word_name(s.sides[0].strip())}

    def _reference_side(self, part: str) -> Side | None:
        ref = self.refs.get(part)
        if ref is None or not isinstance(ref.value, str):
            return None
        side = self.world.reader.read(ref.value)
        return side if side.readable else None

    def _simulated_value(self, key: str):
        """The solver's re-run of the method at the settings the working has stated so far."""
        if self.simulate is None or not self.settings:
            return None
        settings = {k: float(v) for k, v in self.settings.items()}
        memo = tuple(sorted(settings.items()))
        if memo not in self._simulated:
            try:
                self._simulated[memo] = self.simulate(settings) or {}
            except Exception:  # a solver's re-run that fails leaves the step undecided, not the report
                self._simulated[memo] = {}
        return self._simulated[memo].get(key)


def problem_facts(problem, refs: dict, reader: SideReader) -> dict:
    from dlcheck.mathexpr.lexer import canonical_name

    """name -> [Definition]: what the problem fixes, from its statement's equations, its
    solver's derivation steps and intermediate values, and its parts' answers (a name
    such as w₁ may have one per part)."""
    out: dict = {}

    def add(name, side, params, case, source="fact"):
        name = loose(name)
        if side.readable and not side.words and not any(d.side.text == side.text for d in out.get(name, [])):
            out.setdefault(name, []).append(Definition(name, side, params, source=source, case=case))

    def statements(text, case, rounded=True):
        for step in extract(text).steps:
            if step.continued or step.rels[0] not in ("=", ":="):
                continue
            if not rounded and re.fullmatch(r"[-+\d.eE\s\[\],·/]*", step.sides[1]):
                continue                      # a solver's numbers (its settings, rounded results) are no facts
            head = reader.read(step.sides[0])
            value = reader.read(step.sides[1])
            if head.params and value.readable and not set(head.params) & _with_aliases(value, problem, reader):
                continue                      # "P(A) = 0.5" in a statement is a condition, not a function
            if head.key is not None and not head.words:
                add(head.key, value, head.params, case)

    statements(problem.statement, "")
    for text, expressions in (getattr(problem, "trace_facts", None) or {}).items():
        head = reader.read(str(text))            # a spec's `trace.facts` (when the spec offers them)
        for k, expression in enumerate(expressions if isinstance(expressions, list) else [expressions]):
            if head.key is not None:
                add(head.key, reader.read(str(expression)), head.params, f"fact {k + 1}" if k else "")
    for part, ref in refs.items():
        for line in ref.steps:
            statements(line, part, rounded=False)
            for layer, count in _layer_counts(line):
                add(layer, reader.read(count), (), part)
        for name, expr in ref.facts.items():
            add(name, reader.read(str(expr)), (), part)
    _gradient_of_the_step(out, problem, reader, add)
    answers = [(name, part) for name, part in problem.trace_answers.items()]
    answers += [(canonical_name(name), part.name) for part in problem.parts.values() for name in part.lhs]
    for name, part in answers:
        ref = refs.get(part)
        accepted = {r.name for r in problem.parts[part].rules if r.credit >= 1} if part in problem.parts else set()
        for rule, value in (ref.rules.items() if ref is not None else ()):
            if rule in accepted and isinstance(value, str):       # an alternative convention the part accepts
                add(name, reader.read(value), (), f"{part}, {rule.replace('_', ' ')}", "answer")
        if ref is not None and isinstance(ref.value, str):
            add(name, reader.read(ref.value), (), part, "answer")
        elif ref is not None and _numbers(ref.value):
            add(name, reader.read(_literal(ref.value)), (), part, "answer")
            for entry, value in _entries(name, ref.value):
                add(entry, reader.read(_literal(value)), (), part, "answer")
    return out


def _gradient_of_the_step(facts: dict, problem, reader: SideReader, add) -> None:
    """w₁ is one gradient step, w₀ − η∇L(w₀): where the problem fixes w₁ (one case, through η)
    and says nothing of ∇L, ∇L(w₀) is (w₀ − w₁)/η, so a gradient the working writes is checked."""
    steps = facts.get("w_1", [])
    symbols = problem.trace_math.symbols
    if facts.get("∇L") or len(steps) != 1 or "eta" not in symbols or "w_0" not in symbols \
            or "eta" not in steps[0].side.names():
        return
    add("∇L", reader.read("(w_0 - w_1)/eta"), ("w_0",), steps[0].case)


def _layer_counts(line: str) -> list:
    """`Dense(128) → 128, 14,745,728` in a solver's walk: the layer named as working names it
    (`dense128`) has that many parameters; a name two layers share (`conv2d323`) says nothing."""
    found = [(m.group(1).lower() + re.sub(r"\D", "", m.group(2)), m.group(3).replace(",", ""))
             for m in re.finditer(r"\b([A-Za-z]+)\(([\d,\s]+)\)\s*→\s*[\d×]+,\s*(\d[\d,]*)(?![\d×])", line)]
    names = [name for name, _ in found]
    return [(name, count) for name, count in found if names.count(name) == 1]


def _entries(name: str, value) -> list:
    """`dy/dF_11` and `dy/dF_1_1` for the entries of a matrix answer named dy/dF (1-based)."""
    if not (isinstance(value, list) and 2 <= len(value) <= 9 and all(
            isinstance(row, list) and 2 <= len(row) <= 9 for row in value)):
        return []
    return [(f"{name}_{i + 1}{sep}{j + 1}", v) for i, row in enumerate(value) for j, v in enumerate(row)
            for sep in ("", "_")]


def _shape_written(left: Side, right: Side, a, b) -> bool:
    """`32x32x(128 + 192) = 320 channels`: H×W×C where the other side is C, a shape not a product."""
    for side, other in ((left, b), (right, a)):
        m = re.fullmatch(r"\s*\d+\s*[x×]\s*\d+\s*[x×]\s*(.+)", side.text)
        if m and numeric.is_scalar(other):
            try:
                last = float(eval_number(m.group(1)))
            except ValueError:
                continue
            if last == float(other[0, 0]):
                return True
    return False


def eval_number(text: str) -> float:
    """The value of a numbers-only text (through the whitelisted parser)."""
    from dlcheck.mathexpr import nodes as N
    from dlcheck.mathexpr.context import MathContext
    from dlcheck.mathexpr.errors import ExprError
    from dlcheck.mathexpr.parser import parse
    from dlcheck.trace.sides import prepare

    try:
        value = N.constant(parse(prepare(text), MathContext()))
    except (ExprError, RecursionError):
        value = None
    if value is None:
        raise ValueError(text)
    return float(value)


def _lost_operators(left: Side, right: Side, a, b) -> bool:
    """`28286 = 4,704`: a whole number whose digits split into factors of the other side
    (28·28·6) is a product the markdown swallowed the × signs of, not a slip to report."""
    import itertools

    for side, other in ((left, b), (right, a)):
        digits = "".join(side.text.split())
        if not re.fullmatch(r"\d{4,8}", digits) or not numeric.is_scalar(other):
            continue
        target = float(other[0, 0])
        for cuts in itertools.chain.from_iterable(itertools.combinations(range(1, len(digits)), k) for k in (1, 2)):
            parts = [digits[i:j] for i, j in zip((0, *cuts), (*cuts, len(digits)))]
            if all(p[0] != "0" for p in parts) and np.prod([float(p) for p in parts]) == target:
                return True
    return False


def _with_aliases(side: Side, problem, reader: SideReader) -> set:
    """The names a side uses, the problem's aliases spelled out (a -> X, w_0, t)."""
    names = side.names()
    aliases = problem.trace_math.aliases
    for alias in names & set(aliases):
        names |= reader.read(aliases[alias]).names()
    return names


def _scalar_against_array(a: list, b: list) -> Judgement | None:
    """`0 = Xᵀ0`: a scalar written for a vector or matrix stands for one with that value in
    every entry (the zero vector); `XᵀX = 5` for a 2×2 XᵀX is then plainly false."""
    if not any(numeric.is_scalar(x) != numeric.is_scalar(y) and x.size != y.size for x, y in zip(a, b)):
        return None
    if all(np.allclose(x, y[0, 0] if numeric.is_scalar(y) else y) and np.allclose(y, x[0, 0] if numeric.is_scalar(x)
                                                                                   else x) for x, y in zip(a, b)):
        return Judgement(OK, "equal in every entry")
    x, y = a[0], b[0]
    return Judgement(WRONG, f"{numeric.show_shape(x)} ({numeric.show(x)}) is not {numeric.show(y)}"
                     if numeric.is_scalar(y) else f"{numeric.show(x)} is not {numeric.show_shape(y)} ({numeric.show(y)})")


def _definition_side(sides: list) -> Side | None:
    """What a chain makes its first side mean: its last readable side, unless that is a
    number the chain sets the expression to (`dL/dη = … = 0`)."""
    readable = [s for s in sides[1:] if s.readable]
    if not readable:
        return None
    if len(readable) > 1 and _constant(readable[-1]) is not None and _constant(readable[0]) is None:
        return next(s for s in reversed(readable) if _constant(s) is None)
    return readable[-1]


def _constant(side: Side):
    from dlcheck.mathexpr import nodes as N

    if side.tree is None or side.atoms:
        return None
    value = N.constant(side.tree)
    return float(value) if value is not None else None


def _given_arrays(problem) -> dict:
    """The problem's own numbers under the letters working uses (X = [[2, 1]], t = [2])."""
    out = {}
    for name, value in (problem.given or {}).items():
        if not re.fullmatch(r"[A-Za-z](?:_?\w+)?", str(name)) or len(str(name).split("_")[0]) != 1:
            continue
        if _numbers(value):
            array = np.array(value, dtype=float)
            out[str(name)] = array if array.ndim == 2 else array.reshape(-1, 1)
    return out


def _numbers(value) -> bool:
    if isinstance(value, list):
        return bool(value) and len(value) <= 64 and all(_numbers(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _literal(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(float(value))


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _name_words(name: str) -> list:
    """`CNNneurons`, `CNN neurons` -> ["cnn", "neurons"]."""
    return [w.lower() for w in re.findall(r"[A-Z]{2,}|[A-Z]?[a-z]+", name)]


def _same_word(name: str, word: str) -> bool:
    """A word of an answer's name in a sentence: `neurons`/`neuron`, `params`/`parameters`."""
    return _stem(name) == _stem(word)


def _stem(word: str) -> str:
    return "param" if word.startswith("param") else word.rstrip("s")


def _case_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))[:60]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def audit_steps(problem, trace: str, refs: dict, simulate=None, line_offset: int = 0):
    from dlcheck.trace.layers import shape_checks

    extracted = extract(trace)
    steps = Auditor(problem, refs, simulate).run(extracted, line_offset)
    walk = shape_checks(trace[:MAX_TRACE], refs, (problem.given or {}).get("input"), line_offset)
    return extracted, sorted(steps + walk, key=lambda s: s.line)
