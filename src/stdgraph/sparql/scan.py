"""Which SPARQL keywords a query or update uses, found by tokenising it (not by searching text).

The endpoint must refuse ``SERVICE`` and ``LOAD`` unless enabled, and must know whether a query
names its own dataset (``FROM`` / ``FROM NAMED``) before it asks Oxigraph for the union default
graph. A substring search would be fooled both ways (``ex:serviceLevel``, ``"load"``, a
``# SERVICE`` comment; ``SERV\\u0049CE``), and parsing every query with rdflib's grammar costs
milliseconds. So this module does what a SPARQL parser's lexer does:

1. expand ``\\uXXXX`` / ``\\UXXXXXXXX`` codepoint escapes everywhere, as SPARQL 1.1 Query §19.2
   requires before parsing;
2. tokenise with the grammar's terminals, longest match first: comments, the four kinds of
   string literal, IRIREF, variables, blank-node labels, prefixed names, numbers, punctuation;
3. report the bare words, which are exactly the keywords (and ``a``/``true``/``false``).

A keyword can only be a bare word, and no bare word can hide inside another token because the
terminals that could swallow text (strings, IRIs, comments) are matched with their exact grammar
rules. ``tests/sparql/test_scan.py`` checks the scanner against rdflib's parser on tricky
input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdgraph.errors import QuerySyntaxError
from stdgraph.rdf.nesting import MAX_NESTING

__all__ = ["MAX_NESTING", "TOKEN", "AnchoredQuery", "DataOperation", "anchored_query",
           "check_nesting", "data_operations", "expand_escapes", "first_keyword",
           "has_dataset_clause", "has_using_or_with", "is_point_lookup", "keywords",
           "nesting_depth", "operation", "oxigraph_syntax_error", "query_form", "uses_load",
           "uses_service"]

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

#: one token of SPARQL text: the lexer's terminals, longest match first; the group that matched
#: (``m.lastgroup``) is the token's kind: ws, comment, string, reif (``<<`` or ``>>``), iri,
#: lang, var, bnode, name, word, number or other (one character of punctuation). Escapes must be
#: expanded first (``expand_escapes``).
TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>
          '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
        | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
        | '(?:[^'\\\n\r]|\\.)*'
        | "(?:[^"\\\n\r]|\\.)*"
      )
    | (?P<reif><<(?![^<>"{}|^`\\\x00-\x20]*>)|>>)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    | (?P<bnode>_:[^\s.;,(){}\[\]]+)
    | (?P<name>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:[^\s;,(){}\[\]"'<>]*
               |[A-Za-z\u00C0-\uFFFF][\w\-\u00B7-\uFFFF]*:)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


_POSITION = re.compile(r"error at (\d+):(\d+): ?")


def oxigraph_syntax_error(e: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's ``SyntaxError`` for a query or update as a ``QuerySyntaxError`` with line
    and column (its SPARQL parser reports ``error at LINE:COLUMN: reason`` in the message)."""
    msg = str(e.msg or e)
    m = _POSITION.search(msg)
    if m and e.lineno is None:
        return QuerySyntaxError(_POSITION.sub("", msg, count=1), int(m[1]), int(m[2]))
    return QuerySyntaxError(msg, e.lineno, e.offset)


def expand_escapes(text: str) -> str:
    """SPARQL codepoint escapes, expanded (SPARQL 1.1 Query §19.2). An escape that names no
    character (past U+10FFFF, or a surrogate) is a ``QuerySyntaxError`` at its position."""
    if "\\u" not in text and "\\U" not in text:
        return text
    return _ESCAPE.sub(lambda m: _codepoint(m, text), text)


def _codepoint(m: re.Match[str], text: str) -> str:
    code = int(m[1] or m[2], 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise QuerySyntaxError(f"the escape {m.group()} names no Unicode character (a code "
                               "point up to U+10FFFF, not a surrogate)", line, column)
    return chr(code)


@lru_cache(maxsize=512)
def keywords(text: str) -> frozenset[str]:
    """Upper-cased bare words (keywords) of a query or update."""
    words = set()
    for m in TOKEN.finditer(expand_escapes(text)):
        if m.lastgroup == "word":
            words.add(m.group().upper())
    return frozenset(words)


def nesting_depth(text: str) -> tuple[int, int | None, int | None]:
    """How deeply ``{ ( [`` and ``<<`` (a triple term, SPARQL 1.2) nest outside strings, IRIs
    and comments, with the line and column where the nesting first goes past ``MAX_NESTING``
    (``None`` when it does not). pyoxigraph's parser is recursive and overflows the thread's
    stack - a segfault that ends the whole process, not an exception - at about 2500 levels on
    an 8 MiB stack and 400 on 1 MiB; real queries nest a few levels (``rdf.nesting``: the same
    limit for RDF documents)."""
    depth = deepest = 0
    where: tuple[int | None, int | None] = (None, None)
    expanded = expand_escapes(text)
    for m in TOKEN.finditer(expanded):
        kind = m.lastgroup
        if kind == "other" or kind == "reif":
            c = m.group()
            if c in {"{", "(", "[", "<<"}:
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest == MAX_NESTING + 1:
                        start = expanded.rfind("\n", 0, m.start()) + 1
                        where = (expanded.count("\n", 0, m.start()) + 1, m.start() - start + 1)
            elif c in {"}", ")", "]", ">>"}:
                depth -= 1
    return deepest, *where


def check_nesting(text: str) -> None:
    """Refuse (400, QuerySyntaxError with line and column) a query or update nested deeper than
    ``MAX_NESTING`` before any parser sees it. Costs a character count unless the text has that
    many openers."""
    expanded = expand_escapes(text)
    if (expanded.count("{") + expanded.count("(") + expanded.count("[")
            + expanded.count("<<")) <= MAX_NESTING:
        return
    depth, line, column = nesting_depth(text)
    if depth > MAX_NESTING:
        raise QuerySyntaxError(f"brackets nested {depth} deep; at most {MAX_NESTING} levels "
                               "of { }, ( ), [ ] and << >> are accepted", line, column)


def uses_service(text: str) -> bool:
    return "SERVICE" in keywords(text)


def uses_load(text: str) -> bool:
    return "LOAD" in keywords(text)


def has_dataset_clause(text: str) -> bool:
    """True when a query names its dataset with FROM / FROM NAMED."""
    return "FROM" in keywords(text)


def has_using_or_with(text: str) -> bool:
    """True when an update names a dataset with USING / USING NAMED / WITH."""
    kw = keywords(text)
    return "USING" in kw or "WITH" in kw


_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                           "COPY", "WITH"})
_QUERY_WORDS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@lru_cache(maxsize=512)
def first_keyword(text: str) -> str | None:
    """The first keyword after the prologue (PREFIX/BASE/VERSION declarations), upper-cased;
    ``None`` when there is none."""
    for m in TOKEN.finditer(expand_escapes(text)):
        if m.lastgroup != "word":
            continue
        w = m.group().upper()
        if w not in {"PREFIX", "BASE", "VERSION"}:
            return w
    return None


def operation(text: str) -> str | None:
    """``"query"`` or ``"update"`` by the first keyword after the prologue, ``None`` when there
    is none (an empty request or one that does not parse)."""
    w = first_keyword(text)
    return "query" if w in _QUERY_WORDS else "update" if w in _UPDATE_WORDS else None


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; ``None`` for anything else."""
    w = first_keyword(text)
    return w if w in _QUERY_WORDS else None


@dataclass(frozen=True)
class DataOperation:
    """One ``INSERT DATA`` / ``DELETE DATA`` operation of a request, stand-alone: ``update`` is
    the PREFIX/BASE declarations that precede it in the request (one a line), then the
    operation's own text; ``as_insert`` the same with ``DELETE`` spelled ``INSERT``, so that
    running it on an empty store yields exactly the quads the operation names; ``line`` and
    ``column`` (from 1) say where the operation starts in the request (``position`` maps a
    parser's position in ``update`` back to the request's)."""

    kind: str
    update: str
    as_insert: str
    line: int
    column: int
    head_lines: int  # lines of ``update`` before the operation's own text

    def position(self, line: int | None, column: int | None) -> tuple[int | None, int | None]:
        """A position in ``update`` as a position in the request (a declaration's: the
        operation's start)."""
        if line is None or line <= self.head_lines:
            return self.line, self.column
        first = line == self.head_lines + 1
        return (self.line + line - self.head_lines - 1,
                None if column is None else column + (self.column - 1 if first else 0))


def data_operations(text: str) -> list[DataOperation] | None:
    """An update made only of ``INSERT DATA`` / ``DELETE DATA`` operations, cut into one
    stand-alone update per operation (``DataOperation``) — or ``None`` for any other update.
    Linear in the request's length (the parts are the declarations and each operation once).
    Requests with codepoint escapes get ``None`` (the cutting works on the raw text)."""
    if "\\u" in text or "\\U" in text:
        return None
    ops: list[tuple[int, int, str, tuple[str, ...]]] = []  # (start, end, kind, declarations)
    declarations: list[str] = []
    declaration: list[str] = []  # the one being read
    depth, start, first, kind = 0, None, None, ""
    for m in TOKEN.finditer(text):
        group, value = m.lastgroup, m.group()
        if group in {"ws", "comment"}:
            continue
        if depth == 0 and start is None:
            if group == "word" and value.upper() in {"PREFIX", "BASE"}:
                if declaration:
                    declarations.append(" ".join(declaration))
                declaration = [value]
                continue
            if group != "word":
                if group in {"name", "iri"} and declaration:
                    declaration.append(value)  # the prefix name / IRI of a declaration
                    continue
                return None
            if declaration:
                declarations.append(" ".join(declaration))
                declaration = []
            start, first = m.start(), value.upper()
            continue
        if depth == 0 and first is not None and not kind:
            kind = f"{first} {value.upper()}" if group == "word" else first
        if value == "{":
            depth += 1
        elif value == "}":
            depth -= 1
        elif value == ";" and depth == 0:
            assert start is not None  # set by the first token at depth 0, above
            ops.append((start, m.start(), kind, tuple(declarations)))
            start, first, kind = None, None, ""
    if start is not None:
        ops.append((start, len(text), kind, tuple(declarations)))
    if not ops or any(k not in {"INSERT DATA", "DELETE DATA"} for _s, _e, k, _d in ops):
        return None
    out = []
    line, scanned = 1, 0
    for a, b, k, decls in ops:
        line += text.count("\n", scanned, a)
        scanned = a
        head = "".join(d + "\n" for d in decls)
        body = text[a:b]
        update = head + body
        as_insert = head + "INSERT" + body[6:] if k == "DELETE DATA" else update
        out.append(DataOperation(k, update, as_insert, line, a - (text.rfind("\n", 0, a) + 1) + 1,
                                 len(decls)))
    return out


_TERM_KINDS = frozenset({"iri", "name", "var", "string", "number"})


@lru_cache(maxsize=512)
def is_point_lookup(text: str) -> bool:
    """True for a SELECT or ASK whose WHERE is one triple pattern with a constant subject, and
    nothing else but PREFIX/BASE, the projected variables and LIMIT.

    Such a query reads one range of Oxigraph's subject index and streams it, so its cost is
    bounded by the subject's triples, whatever the store's size: the endpoint answers it on the
    event loop instead of handing it to a worker (which costs more than the lookup) when its
    answer is small (``routes.sparql.INLINE_BYTES``). Anything else — a second pattern, FILTER,
    DISTINCT, ORDER BY, a path, a literal with a language or datatype, GRAPH, a subquery — is not
    a point lookup. Nor is a query with OFFSET or a variable used twice (``<s> ?x ?x``): the
    rows skipped or filtered out are read without output, so without a deadline check, and a
    subject can have millions of triples."""
    toks = [(m.lastgroup, m.group()) for m in TOKEN.finditer(expand_escapes(text))
            if m.lastgroup not in {"ws", "comment"}]
    i, n = 0, len(toks)
    while i < n and toks[i][0] == "word" and toks[i][1].upper() in {"PREFIX", "BASE"}:
        i += 3 if toks[i][1].upper() == "PREFIX" else 2
    if i >= n or toks[i][0] != "word" or toks[i][1].upper() not in {"SELECT", "ASK"}:
        return False
    if toks[i][1].upper() == "SELECT":
        i += 1
        if i < n and toks[i][1] == "*":
            i += 1
        else:
            start = i
            while i < n and toks[i][0] == "var":
                i += 1
            if i == start:
                return False
    else:
        i += 1
    if i < n and toks[i][0] == "word" and toks[i][1].upper() == "WHERE":
        i += 1
    if i >= n or toks[i][1] != "{":
        return False
    try:
        end = toks.index(("other", "}"), i)
    except ValueError:
        return False
    pattern = toks[i + 1:end]
    if pattern and pattern[-1] == ("other", "."):
        pattern.pop()
    if len(pattern) != 3 or pattern[0][0] not in {"iri", "name"}:
        return False
    if not all(kind in _TERM_KINDS or (kind == "word" and value in {"a", "true", "false"})
               for kind, value in pattern[1:]):
        return False
    if pattern[1][0] == pattern[2][0] == "var" and pattern[1][1][1:] == pattern[2][1][1:]:
        return False
    i = end + 1
    while i < n:
        if (toks[i][0] == "word" and toks[i][1].upper() == "LIMIT"
                and i + 1 < n and toks[i + 1][0] == "number"):
            i += 2
        else:
            return False
    return True


@dataclass(frozen=True)
class AnchoredQuery:
    """What ``anchored_query`` found: the query's first pattern, for the count that bounds its
    work (``probe``)."""

    prologue: str  #: the PREFIX and BASE declarations, as written
    driver: str  #: the first triple pattern, as written

    def probe(self, cap: int) -> str:
        """A SELECT whose one row counts the first pattern's matches, up to ``cap + 1``."""
        return (f"{self.prologue}\nSELECT (COUNT(*) AS ?n) WHERE "
                f"{{ SELECT * WHERE {{ {self.driver} }} LIMIT {cap + 1} }}")


_Tok = tuple[str | None, str]


#: the most ``FILTER [NOT] EXISTS`` an anchored query may have: each costs a seek per driver row
ANCHORED_FILTERS = 4


def _pattern(toks: list[_Tok], i: int) -> tuple[list[_Tok], int] | None:
    """The three terms of a triple pattern at ``toks[i]`` (no path, blank node, list, ``;`` or
    ``,``: those are other tokens), and the index after it and its optional ``.``."""
    three = toks[i:i + 3]
    if len(three) != 3 or not all(
            kind in _TERM_KINDS or (kind == "word" and value in {"a", "true", "false"})
            for kind, value in three):
        return None
    if three[1][0] not in {"iri", "name", "var"} and three[1] != ("word", "a"):
        return None
    i += 3
    if i < len(toks) and toks[i] == ("other", "."):
        i += 1
    return three, i


def _constant(tok: _Tok) -> bool:
    return tok[0] != "var"


def _var(tok: _Tok) -> str | None:
    return tok[1][1:] if tok[0] == "var" else None


@lru_cache(maxsize=512)
def anchored_query(text: str) -> AnchoredQuery | None:
    """The first pattern of a query whose work is bounded by that pattern's matches, or None.

    The endpoint answers a query on the event loop, without handing it to a worker, only when
    it can bound the work before running it (``is_point_lookup`` is the simplest case). This is
    the next shape: ``SELECT`` (variables or ``*``), ``ASK`` or ``CONSTRUCT`` (a template of
    plain triples) over

    * a first pattern, the *driver*, anchored by constants: a constant subject, or a constant
      predicate and object; no variable twice;
    * then either up to ``ANCHORED_FILTERS`` filters ``FILTER [NOT] EXISTS { t }``, or one
      ``OPTIONAL { t }``, where each ``t`` is one triple pattern with a constant predicate
      that shares a variable with the driver in its subject or object position, its other
      variables used nowhere else;
    * and ``ORDER BY`` / ``OFFSET`` (only with filters) and ``LIMIT``.

    Oxigraph evaluates each ``t`` for a driver row by an index seek on the shared variable
    (``EXISTS`` stops at the first match), so the work is a seek per driver row and filter,
    plus, for the ``OPTIONAL``, one output row per match: bounded by the driver's matches,
    which the caller counts first (``AnchoredQuery.probe``), and by the answer's size, which it
    caps. Filters with an ``OPTIONAL`` are not taken (a filter could then discard any number
    of the optional's rows without output), nor are ``MINUS`` (Oxigraph reads the whole
    pattern), ``DISTINCT``, ``GROUP BY``, ``GRAPH``, ``FROM``, paths, subqueries and
    expressions: anything the grammar above does not name."""
    toks: list[_Tok] = [(m.lastgroup, m.group()) for m in TOKEN.finditer(expand_escapes(text))
                        if m.lastgroup not in {"ws", "comment"}]
    i, n = 0, len(toks)
    while i < n and toks[i][0] == "word" and toks[i][1].upper() in {"PREFIX", "BASE"}:
        i += 3 if toks[i][1].upper() == "PREFIX" else 2
    if i > n:
        return None
    prologue = " ".join(v for _k, v in toks[:i])
    if i >= n or toks[i][0] != "word":
        return None
    form = toks[i][1].upper()
    i += 1
    projected: set[str] = set()
    if form == "SELECT":
        if i < n and toks[i] == ("other", "*"):
            i += 1
        else:
            start = i
            while i < n and toks[i][0] == "var":
                projected.add(toks[i][1][1:])
                i += 1
            if i == start:
                return None
    elif form == "CONSTRUCT":
        if i >= n or toks[i] != ("other", "{"):
            return None
        i += 1
        while i < n and toks[i] != ("other", "}"):
            tok = toks[i]
            if not (tok[0] in _TERM_KINDS or tok == ("word", "a")
                    or tok in {("other", "."), ("other", ";"), ("other", ",")}):
                return None
            i += 1
        i += 1
    elif form != "ASK":
        return None
    if i < n and toks[i][0] == "word" and toks[i][1].upper() == "WHERE":
        i += 1
    if i >= n or toks[i] != ("other", "{"):
        return None
    found = _pattern(toks, i + 1)
    if found is None:
        return None
    driver, i = found
    names = [v for v in map(_var, driver) if v]
    if len(names) != len(set(names)):
        return None
    if not (_constant(driver[0]) or (_constant(driver[1]) and _constant(driver[2]))):
        return None
    bound = set(names)
    filters = optional = 0
    fresh: list[str] = []
    while i < n and toks[i] != ("other", "}"):
        head = [v.upper() for _k, v in toks[i:i + 3] if _k == "word"]
        if head[:2] == ["FILTER", "EXISTS"]:
            i += 2
        elif head[:3] == ["FILTER", "NOT", "EXISTS"]:
            i += 3
        elif head[:1] == ["OPTIONAL"]:
            i += 1
        else:
            return None
        kind = head[0]
        if i >= n or toks[i] != ("other", "{"):
            return None
        found = _pattern(toks, i + 1)
        if found is None or found[1] >= n or toks[found[1]] != ("other", "}"):
            return None
        t, i = found[0], found[1] + 1
        if i < n and toks[i] == ("other", "."):
            i += 1
        if not _constant(t[1]) or not ({_var(t[0]), _var(t[2])} & bound):
            return None
        others = [v for v in map(_var, t) if v and v not in bound]
        if len(others) != len(set(others)):
            return None
        fresh += others
        if kind == "OPTIONAL":
            optional += 1
        else:
            filters += 1
    if i >= n or optional > 1 or (optional and filters) or filters > ANCHORED_FILTERS:
        return None
    i += 1
    if len(fresh) != len(set(fresh)):
        return None
    if filters and projected & set(fresh):
        return None  # a filter's own variables are unbound outside it
    while i < n:
        word = toks[i][1].upper() if toks[i][0] == "word" else ""
        if word == "ORDER" and not optional and i + 1 < n and toks[i + 1][1].upper() == "BY":
            i += 2
            keys = 0
            while i < n:
                if toks[i][0] == "var":
                    i, keys = i + 1, keys + 1
                elif (toks[i][0] == "word" and toks[i][1].upper() in {"ASC", "DESC"}
                      and toks[i + 1:i + 2] == [("other", "(")]
                      and toks[i + 2:i + 3] and toks[i + 2][0] == "var"
                      and toks[i + 3:i + 4] == [("other", ")")]):
                    i, keys = i + 4, keys + 1
                else:
                    break
            if not keys:
                return None
        elif word in {"LIMIT", "OFFSET"} and i + 1 < n and toks[i + 1][0] == "number" \
                and (word == "LIMIT" or not optional):
            i += 2
        else:
            return None
    return AnchoredQuery(prologue, " ".join(v for _k, v in driver))
