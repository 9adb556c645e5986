"""The named-query registry: ``queries/*.rq`` files with a structured comment header.

Each file holds one SPARQL query. Its leading comment lines are the header (grammar in
docs/queries.md)::

    # title: Standards by status
    # description: Every standard with the given status.
    # param: status | iri | default sg:Published | allowed sg:Published, sg:Withdrawn | Status.

A parameter ``name`` is the query variable ``?name``. Values arrive as text (a URL query string,
``--param name=value``), are checked against the declared type and allowed values, and become RDF
terms; the terms are written into the query as a ``VALUES ?name { ... }`` block placed at the
start of the query's WHERE group, each term in canonical SPARQL syntax produced here from the
validated value. User text is never pasted into the query: an IRI that would not fit between
``<`` and ``>``, or a number that is not a number, is refused with a 400-class
:class:`ParameterError` naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from stdgraph.booleans import parse_bool
from stdgraph.errors import StdgraphError, UsageError
from stdgraph.rdf.iri import is_iri
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.rdf.results import QueryResult
from stdgraph.sparql.terms import iri_ref

if TYPE_CHECKING:
    from stdgraph.project import Project

__all__ = [
    "NamedQuery", "Param", "ParameterError", "QueryNotFound", "QueryFileError", "Registry",
    "TYPES", "sparql_term", "parse_header", "expand_iri", "Queryable",
]

#: parameter types and what their values become
TYPES = {
    "iri": "an absolute IRI, or a prefixed name with one of the project's prefixes (sg:Published)",
    "string": "a string literal (xsd:string)",
    "literal": "same as string",
    "integer": "an xsd:integer",
    "decimal": "an xsd:decimal",
    "boolean": "true or false (also 1/0, yes/no)",
    "date": "an xsd:date, YYYY-MM-DD",
    "year": "an xsd:gYear, YYYY",
}


class Queryable(Protocol):
    """What runs a named query: any ``stdgraph.store.Store`` (this layer, below the stores,
    names only the one call it makes)."""

    def query(self, sparql: str) -> QueryResult: ...


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
#: what is trimmed from a value (``str.strip()`` would also take U+0085, U+2028, ... off an IRI)
ASCII_SPACE = " \t\r\n\f\v"
#: the range of an ``integer`` parameter
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_YEAR = re.compile(r"^-?[0-9]{4}$")


class ParameterError(UsageError):
    """A named-query or analysis parameter is missing or has a bad value (HTTP 400)."""

    http_status = 400
    exit_code = 2

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"parameter '{param}': {message}")
        self.param = param


class QueryNotFound(StdgraphError):
    """No named query by that name (HTTP 404)."""

    http_status = 404
    exit_code = 2


class QueryFileError(StdgraphError):
    """A ``.rq`` file's header cannot be read."""

    http_status = 500
    exit_code = 2


def _short(raw: str, keep: int = 40) -> str:
    """``repr(raw)``, cut to ``keep`` characters for a one-line message."""
    return repr(raw) if len(raw) <= keep else repr(raw[:keep]) + f"... ({len(raw)} characters)"


def expand_iri(text: str) -> str | None:
    """``sg:Published`` -> the full IRI (known prefixes only); ``<iri>`` -> iri; an absolute IRI
    stays; anything else (relative, not a valid IRI: spaces, quotes, braces, ...) -> None."""
    value = text.strip(ASCII_SPACE)
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    # the one IRI check (rdf.iri): the full IRI grammar as Oxigraph parses it, so a '#' in the
    # fragment, a bad %-escape or a C1 control fails the value, not the query
    return value if is_iri(value) else None


def _escape_string(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    out = out.replace("\b", "\\b").replace("\f", "\\f")
    # other control characters as \u escapes (valid in SPARQL strings)
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04X}", out)


def sparql_term(term: Node) -> str:
    """Canonical SPARQL syntax for a validated IRI or literal (never raw user text)."""
    if isinstance(term, URIRef):
        return iri_ref(str(term))
    if isinstance(term, Literal):
        body = f'"{_escape_string(str(term))}"'
        if term.language:
            if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", term.language):
                raise ValueError(f"bad language tag {term.language!r}")
            return f"{body}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{body}^^{sparql_term(URIRef(term.datatype))}"
        return body
    raise ValueError(f"cannot bind {term!r}")


@dataclass(frozen=True)
class Param:
    """One declared parameter: a variable of the query (or an option of an analysis)."""

    name: str
    type: str = "string"
    default: str | None = None
    allowed: tuple[str, ...] = ()
    required: bool = False
    multiple: bool = False
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"bad parameter name {self.name!r}")
        if self.type not in TYPES:
            raise ValueError(f"parameter {self.name}: unknown type {self.type!r}")

    # -- checking -----------------------------------------------------------------------------
    def _one(self, raw: str) -> URIRef | Literal:
        """One value as an RDF term, or ParameterError."""
        text = raw.strip(ASCII_SPACE)  # not str.strip(): U+0085 and the like stay, and fail
        t = self.type
        if t == "iri":
            iri = expand_iri(text)
            if iri is None:
                raise ParameterError(self.name, f"{raw!r} is not an absolute IRI or a known "
                                     "prefixed name")
            term: URIRef | Literal = URIRef(iri)
        elif t in {"string", "literal"}:
            term = Literal(raw)
        elif t == "integer":
            if not _INTEGER.match(text):
                raise ParameterError(self.name, f"{raw!r} is not an integer")
            # a machine word: what a limit or a count can be (Python's own int() refuses more
            # than 4300 digits, and islice, numpy and Oxigraph's xsd:integer stop at 64 bits)
            if len(text.lstrip("+-0")) > 19 or not INT64_MIN <= int(text) <= INT64_MAX:
                raise ParameterError(self.name, f"{_short(raw)} is out of range (a 64-bit "
                                     f"integer: {INT64_MIN} to {INT64_MAX})")
            term = Literal(int(text), datatype=XSD.integer)
        elif t == "decimal":
            if not _DECIMAL.match(text):
                raise ParameterError(self.name, f"{raw!r} is not a decimal number")
            term = Literal(Decimal(text), datatype=XSD.decimal)
        elif t == "boolean":
            try:
                term = Literal(parse_bool(text))
            except ValueError:
                raise ParameterError(self.name, f"{raw!r} is not true or false") from None
        elif t == "date":
            try:
                term = Literal(date.fromisoformat(text), datatype=XSD.date)
            except ValueError:
                raise ParameterError(self.name, f"{raw!r} is not a date (YYYY-MM-DD)") from None
        elif t == "year":
            if not _YEAR.match(text):
                raise ParameterError(self.name, f"{raw!r} is not a year (YYYY)")
            term = Literal(text, datatype=XSD.gYear)
        else:  # pragma: no cover - guarded by __post_init__
            raise ParameterError(self.name, f"unknown type {t}")
        if t in {"integer", "decimal"}:
            try:
                num = Decimal(text)
            except InvalidOperation:  # pragma: no cover - regex checked
                raise ParameterError(self.name, f"{raw!r} is not a number") from None
            if self.minimum is not None and num < self.minimum:
                raise ParameterError(self.name, f"{raw} is below the minimum {self.minimum}")
            if self.maximum is not None and num > self.maximum:
                raise ParameterError(self.name, f"{raw} is above the maximum {self.maximum}")
        if self.allowed and not any(self._same(term, a) for a in self.allowed):
            raise ParameterError(self.name, f"{raw!r} is not one of: {', '.join(self.allowed)}")
        return term

    def _same(self, term: Node, allowed: str) -> bool:
        if self.type == "iri":
            return str(term) == (expand_iri(allowed) or allowed)
        if self.type in {"string", "literal"}:
            return str(term) == allowed
        try:
            return term == self._one_unchecked(allowed)
        except ParameterError:
            return False

    def _one_unchecked(self, raw: str) -> URIRef | Literal:
        return Param(self.name, self.type)._one(raw)

    def terms(self, raw: str | list[str] | None) -> list[URIRef | Literal]:
        """The RDF terms for a raw value (None or '' -> the default, or [] if optional).

        A ``multiple`` parameter takes a comma-separated list or repeated values."""
        values: list[str]
        if raw is None or raw == "" or (isinstance(raw, list) and all(v == "" for v in raw)):
            # ``?name=`` (a URL's empty value) is the same as leaving the parameter out
            if self.default is None:
                if self.required:
                    raise ParameterError(self.name, "is required")
                return []
            values = [self.default]
        elif isinstance(raw, list):
            values = raw
        else:
            values = [raw]
        if self.multiple:
            values = [v for part in values for v in part.split(",") if v.strip()]
            if not values:
                raise ParameterError(self.name, "needs at least one value")
        elif len(values) > 1:
            raise ParameterError(self.name, "takes one value, got several")
        return [self._one(v) for v in values]

    def python(self, raw: str | list[str] | None) -> Any:
        """The value(s) as Python objects: str for IRIs and strings, int, Decimal, bool, ...;
        a list for ``multiple`` parameters, None for an absent optional one."""
        terms = self.terms(raw)
        vals = [str(t) if isinstance(t, URIRef) or self.type in {"string", "literal", "year"}
                else t.toPython() for t in terms]
        if self.multiple:
            return vals
        return vals[0] if vals else None

    def describe(self) -> dict[str, Any]:
        """The parameter as JSON (for GET /queries and the docs)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required,
                     "default": self.default, "allowed": list(self.allowed),
                     "multiple": self.multiple, "description": self.description}
        if self.minimum is not None:
            out["min"] = int(self.minimum) if self.minimum == int(self.minimum) \
                else float(self.minimum)
        if self.maximum is not None:
            out["max"] = int(self.maximum) if self.maximum == int(self.maximum) \
                else float(self.maximum)
        return out


# -- the header --------------------------------------------------------------------------------

_KEY = re.compile(r"^#\s*([A-Za-z][A-Za-z-]*)\s*:\s?(.*)$")


def _param_from_spec(spec: str, where: str) -> Param:
    """``name | type | clause | clause ...`` (clauses: default V, allowed A, B, optional,
    required, multiple, min N, max N; any other text is the description)."""
    parts = [p.strip() for p in spec.split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise QueryFileError(f"{where}: a param line needs 'name | type | ...': {spec!r}")
    name, ptype = parts[0], parts[1].lower()
    kw: dict[str, Any] = {}
    desc: list[str] = []
    for clause in parts[2:]:
        if not clause:
            continue
        word, _, rest = clause.partition(" ")
        word = word.lower()
        rest = rest.strip()
        if word == "default" and rest:
            kw["default"] = rest
        elif word == "allowed" and rest:
            kw["allowed"] = tuple(a.strip() for a in rest.split(",") if a.strip())
        elif word in {"optional", "required", "multiple"} and not rest:
            if word == "required":
                kw["required"] = True
            elif word == "multiple":
                kw["multiple"] = True
            else:
                kw["required"] = False
        elif word in {"min", "max"} and rest:
            try:
                kw["minimum" if word == "min" else "maximum"] = Decimal(rest)
            except InvalidOperation:
                raise QueryFileError(f"{where}: {word} {rest!r} is not a number") from None
        else:
            desc.append(clause)
    optional = any(c.strip().lower() == "optional" for c in parts[2:])
    if "default" not in kw and not optional:
        kw.setdefault("required", True)
    try:
        p = Param(name, ptype, description=" ".join(desc), **kw)
    except ValueError as e:
        raise QueryFileError(f"{where}: {e}") from None
    try:
        for value in p.allowed:
            Param(p.name, p.type, minimum=p.minimum, maximum=p.maximum)._one(value)
        if p.default is not None:
            p.terms(p.default)
    except ParameterError as e:
        raise QueryFileError(f"{where}: {e.message}") from None
    return p


def parse_header(text: str, where: str = "<query>") -> tuple[dict[str, str], list[Param]]:
    """The leading ``# key: value`` comment lines: (fields, params). Keys other than title,
    description and param are kept as fields (e.g. ``columns``)."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        m = _KEY.match(s)
        if not m:
            continue
        key, value = m[1].lower(), m[2].strip()
        if key == "param":
            params.append(_param_from_spec(value, where))
        elif key in fields:
            fields[key] += " " + value
        else:
            fields[key] = value
    names = [p.name for p in params]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise QueryFileError(f"{where}: parameter declared twice: {', '.join(sorted(dup))}")
    return fields, params


# -- where the VALUES block goes ---------------------------------------------------------------

_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
)


def where_brace(query: str) -> int:
    """Offset just after the ``{`` that opens the query's WHERE group (outside strings, IRIs
    and comments); -1 if there is none."""
    i = 0
    n = len(query)
    while i < n:
        m = _SKIP.match(query, i)
        if m:
            i = m.end()
            continue
        if query[i] == "{":
            return i + 1
        i += 1
    return -1


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_text(cls, name: str, text: str, path: Path | None = None) -> NamedQuery:
        where = str(path) if path else name
        fields, params = parse_header(text, where)
        if params and where_brace(text) < 0:
            raise QueryFileError(f"{where}: no WHERE group to bind parameters into")
        for p in params:
            if not re.search(rf"[?$]{p.name}\b", text):
                raise QueryFileError(f"{where}: parameter {p.name} is not a variable "
                                     f"?{p.name} of the query")
        return cls(name=name, title=fields.pop("title", name),
                   description=fields.pop("description", ""), params=tuple(params),
                   text=text, path=path, fields=fields)

    @classmethod
    def from_file(cls, path: Path) -> NamedQuery:
        return cls.from_text(path.stem, path.read_text(encoding="utf-8"), path)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def bindings(self, values: Mapping[str, str | list[str]] | None
                 ) -> dict[str, list[URIRef | Literal]]:
        """Check every given value and fill defaults: parameter name -> RDF terms."""
        values = dict(values or {})
        unknown = sorted(k for k in values if self.param(k) is None)
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise ParameterError(unknown[0], f"unknown parameter of query '{self.name}' "
                                 f"(parameters: {known})")
        return {p.name: p.terms(values.get(p.name)) for p in self.params}

    def bound_text(self, values: Mapping[str, str | list[str]] | None = None) -> str:
        """The query with its parameters bound by a VALUES block at the start of WHERE."""
        bound = self.bindings(values)
        blocks = [
            f"VALUES ?{name} {{ {' '.join(sparql_term(t) for t in terms)} }}"
            for name, terms in bound.items() if terms
        ]
        if not blocks:
            return self.text
        at = where_brace(self.text)
        return self.text[:at] + "\n  " + "\n  ".join(blocks) + "\n" + self.text[at:]

    def run(self, store: Queryable,
            values: dict[str, str | list[str]] | None = None) -> QueryResult:
        return store.query(self.bound_text(values))

    def describe(self) -> dict[str, Any]:
        """The query as JSON (for GET /queries)."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": [p.describe() for p in self.params], **self.fields}


class Registry:
    """The named queries of one project (its ``queries/`` folder), by name."""

    def __init__(self, queries: list[NamedQuery]) -> None:
        self._by_name = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    @classmethod
    def from_paths(cls, paths: list[Path]) -> Registry:
        return cls([NamedQuery.from_file(p) for p in paths])

    @classmethod
    def for_project(cls, project: Project) -> Registry:
        """``project``: a stdgraph.project.Project."""
        return cls.from_paths(project.query_files)

    def names(self) -> list[str]:
        return list(self._by_name)

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> NamedQuery:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self._by_name) or "none"
            raise QueryNotFound(f"no named query '{name}' (known: {known})") from None

    def describe(self) -> list[dict[str, Any]]:
        return [q.describe() for q in self]


def parse_param_args(pairs: list[str] | tuple[str, ...]) -> dict[str, list[str]]:
    """``["k=v", "k=w"]`` (CLI --param) -> {"k": ["v", "w"]}."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param needs key=value, got {pair!r}")
        out.setdefault(key.strip(), []).append(value)
    return out
