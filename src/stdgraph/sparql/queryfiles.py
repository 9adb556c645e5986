"""Query files of a package: one SPARQL query per ``.rq`` file in a package's ``queries/``
folder, loaded by name, values bound as RDF terms.

Each ``.rq`` file starts with the header of the project's named queries (``# title:``,
``# description:``, ``# param: name | type | ...``; grammar in docs/queries.md), parsed by
:class:`stdgraph.sparql.named.NamedQuery`. The code that runs a query already holds its values
as RDF terms (IRIs from the graph or checked by the caller, literals it built), so they are
bound here as terms, in canonical SPARQL syntax (:func:`stdgraph.sparql.named.sparql_term`),
never as text:

- a ``multiple`` parameter becomes a ``VALUES ?name { ... }`` block at the start of the WHERE
  group, as the named queries bind theirs;
- a single-valued parameter is written in place of its variable inside the WHERE group (and
  after it), as the pages always wrote one IRI into their queries: Virtuoso 7.2 refuses a
  one-or-more path whose end is bound by VALUES (tests/support/sparql_servers.py), and a
  constant lets every store plan the query as it did before. Such a variable must not appear
  before the WHERE group (in the projection); a file that does is refused when loaded.

An optional parameter left out leaves its variable unbound; a required one left out, an unknown
name or a term of the wrong kind (a literal for an ``iri`` parameter) is a programming error
(ValueError or TypeError), not a user error: user input is checked before it gets here.

:class:`QueryFolder` is one package's folder (the catalog's read models use
``stdgraph.catalog``'s, the analyses ``stdgraph.analysis``'s).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from stdgraph.rdf.results import QueryResult
from stdgraph.sparql.named import NamedQuery, Queryable, QueryFileError, sparql_term, where_brace

__all__ = ["QueryFolder", "Value", "bind_query", "checked", "substitute"]

#: what a parameter is given: one term, several (``multiple``), or None (left out)
Value = Node | Iterable[Node] | None

# strings, IRIs and comments are copied as they are; variables are looked at
_TOKEN = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*)"
    r"|[?$](?P<var>[A-Za-z_][A-Za-z0-9_]*)"
)


def _variables(text: str) -> set[str]:
    return {m["var"] for m in _TOKEN.finditer(text) if m["var"]}


def substitute(text: str, terms: Mapping[str, str]) -> str:
    """``text`` with each variable named in ``terms`` replaced by its term's SPARQL text."""
    if not terms:
        return text
    return _TOKEN.sub(lambda m: terms.get(m["var"], m[0]) if m["var"] else m[0], text)


def checked(query: NamedQuery, where: str = "") -> NamedQuery:
    """``query`` if it can be bound as described above, else QueryFileError."""
    where = where or f"query {query.name}"
    if not query.title or query.title == query.name or not query.description:
        raise QueryFileError(f"{where}: the header needs a title and a description")
    at = where_brace(query.text)
    if at < 0:
        raise QueryFileError(f"{where}: no WHERE group")
    early = sorted(_variables(query.text[:at]) & {p.name for p in query.params
                                                   if not p.multiple})
    if early:
        raise QueryFileError(f"{where}: parameter {early[0]} is used before the WHERE group")
    return query


def _sparql(name: str, kind: str, term: object) -> str:
    want = URIRef if kind == "iri" else Literal
    if not isinstance(term, want):
        raise TypeError(f"parameter {name} takes {'an IRI' if kind == 'iri' else 'a literal'}"
                        f", not {term!r}")
    return sparql_term(term)


def bind_query(query: NamedQuery, values: Mapping[str, Value], where: str = "") -> str:
    """The text of ``query`` with ``values`` bound (see the module's docstring)."""
    where = where or f"query {query.name}"
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        raise ValueError(f"{where} has no parameter {unknown[0]}")
    blocks: list[str] = []
    inline: dict[str, str] = {}
    for p in query.params:
        value = values.get(p.name)
        if value is None:
            if p.required:
                raise ValueError(f"{where}: parameter {p.name} is required")
            continue
        if p.multiple:
            terms = [value] if isinstance(value, Node) else list(value)
            blocks.append(f"VALUES ?{p.name} {{ "
                          + " ".join(_sparql(p.name, p.type, t) for t in terms) + " }")
        else:
            inline[p.name] = _sparql(p.name, p.type, value)
    text = query.text
    at = where_brace(text)
    head = text[:at] + ("\n  " + "\n  ".join(blocks) + "\n" if blocks else "")
    return head + substitute(text[at:], inline)


class QueryFolder:
    """The ``queries/`` folder of ``package``: its queries by name (``what`` names them in
    errors: "catalog query", "analysis query")."""

    def __init__(self, package: str, what: str) -> None:
        self.package = package
        self.what = what
        self.load = cache(self._load)

    def names(self) -> list[str]:
        """The names of the folder's queries (their file names without ``.rq``)."""
        folder = resources.files(self.package).joinpath("queries")
        return sorted(f.name[:-3] for f in folder.iterdir() if f.name.endswith(".rq"))

    def _load(self, name: str) -> NamedQuery:
        path = resources.files(self.package).joinpath("queries", f"{name}.rq")
        return checked(NamedQuery.from_text(name, path.read_text(encoding="utf-8")),
                       f"{self.what} {name}")

    def bind(self, name: str, values: Mapping[str, Value]) -> str:
        """The text of query ``name`` with ``values`` bound."""
        return bind_query(self.load(name), values, f"{self.what} {name}")

    def run(self, store: Queryable, name: str, **values: Value) -> QueryResult:
        """Query ``name`` run on ``store`` with ``values`` bound."""
        return store.query(self.bind(name, values))

    def select(self, store: Queryable, name: str, **values: Value) -> list[tuple[Any, ...]]:
        """The rows of query ``name`` (a SELECT) run on ``store`` with ``values`` bound."""
        return self.run(store, name, **values).rows
