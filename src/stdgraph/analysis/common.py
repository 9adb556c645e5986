"""What the analyses share: the result document, parameter specs, labels, graph names, renderers.

Every analysis returns an :class:`AnalysisDocument`; ``to_json`` is the one serialisation the CLI
(``stdgraph analyse ... --format json``) and the HTTP API (``GET /analysis/...``) both print, so
the two answers are byte-for-byte the same.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef

from stdgraph.analysis.snapshot import Snapshot, rows
from stdgraph.rdf.namespaces import INFERRED_GRAPH, META_GRAPH, PREFIXES, sparql_prologue
from stdgraph.sparql.named import Param, ParameterError, sparql_term
from stdgraph.store.base import Store

#: the default cap on items (0 = no cap)
DEFAULT_LIMIT = 1000

RawParams = Mapping[str, "str | list[str] | None"]

SG = PREFIXES["sg"]
SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
PROLOGUE = sparql_prologue()


@dataclass(frozen=True)
class Parameter(Param):
    """A parameter of an analysis: a :class:`~stdgraph.sparql.named.Param` (name, type,
    default, allowed values, bounds, description; the same checks as a named query's) with a
    human ``label`` for forms and report pages ("Least shared elements" for ``min_shared``).
    The name is the HTTP parameter and, with ``-`` for ``_``, the CLI option."""

    label: str = ""
    #: a human label for each allowed value (value -> label; "Barriers" for ``barrier``); a
    #: value without one is shown as it is
    value_labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: for an ``iri`` parameter: the kind of resource a form offers to pick from, by name
    #: (``"architecture"``, ``"axis"``: ``stdgraph.catalog.choices.PICKS``), instead of a text box
    pick: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())
        unknown = set(self.value_labels) - set(self.allowed)
        if unknown:
            raise ValueError(f"parameter {self.name}: labels for values it does not allow: "
                             f"{', '.join(sorted(unknown))}")
        object.__setattr__(self, "value_labels", dict(self.value_labels))

    def value_label(self, value: str) -> str:
        """The human label of an allowed value (the value itself when it has none)."""
        return self.value_labels.get(value, value)

    def describe(self) -> dict:
        out = {**super().describe(), "label": self.label}
        if self.value_labels:
            out["value_labels"] = dict(self.value_labels)
        if self.pick:
            out["pick"] = self.pick
        return out


class Listed(list):
    """The first entries of a longer list (a cluster's members as an answer lists them):
    ``total`` says how many there are, so that what shows the list can say how many more."""

    def __init__(self, items: Iterable[Any] = (), total: int | None = None) -> None:
        super().__init__(items)
        self.total = len(self) if total is None else total


def limit_param() -> Parameter:
    return Parameter("limit", "integer", default=str(DEFAULT_LIMIT), minimum=0,
                     label="Most items",
                     description=f"Most items returned (default {DEFAULT_LIMIT}); 0 = no cap.")


def parse_params(specs: Iterable[Param], raw: RawParams, *, ignore: Iterable[str] = ()) -> dict:
    """Check raw text values against ``specs``: name -> Python value (defaults filled in).

    Unknown names raise :class:`ParameterError` naming them, except those in ``ignore`` (for
    example ``format``, which the HTTP layer reads)."""
    specs = list(specs)
    known = {p.name for p in specs}
    skip = set(ignore)
    for name in sorted(raw):
        if name not in known and name not in skip:
            raise ParameterError(name, "unknown parameter (known: " +
                                 ", ".join(sorted(known)) + ")")
    out: dict = {}
    for p in specs:
        value = raw.get(p.name)
        if isinstance(value, list) and not p.multiple and len(value) == 1:
            value = value[0]
        out[p.name] = p.python(value)
    return out


def json_params(values: Mapping[str, Any]) -> dict:
    """Parameters as they are echoed in the document (JSON types only)."""
    out = {}
    for k, v in values.items():
        if hasattr(v, "as_tuple"):  # Decimal
            v = float(v)
        out[k] = v
    return out


@dataclass
class AnalysisDocument:
    """``{"analysis", "parameters", "count", "truncated", "items"}`` (+ extra keys)."""

    analysis: str
    parameters: dict
    items: list[dict]
    truncated: bool = False
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"analysis": self.analysis, "parameters": self.parameters,
                "count": len(self.items), "truncated": self.truncated,
                "items": self.items, **self.extra}


def to_json(doc: AnalysisDocument) -> str:
    """The JSON text of a document (what both the CLI and the HTTP API print):
    ``json.dumps(doc.as_dict(), ensure_ascii=False, indent=2)`` and a newline, written by
    ``indented`` (the same text, three times faster)."""
    return indented(doc.as_dict()) + "\n"


@dataclass
class AnalysisStream:
    """An analysis' answer whose items are made one at a time, as they are written out: what a
    ``limit=0`` answer streams (docs/analyses.md, "Full results"). ``count`` is the number
    of items ``items`` will give, known before the first (the document puts it first)."""

    analysis: str
    parameters: dict
    items: Iterable[dict]
    count: int
    truncated: bool = False
    extra: dict = field(default_factory=dict)
    #: the items' text made without their dicts, where the analysis can: ``texts(fmt,
    #: columns)`` gives batches (how many items, their text) for ``json`` (the items as
    #: ``stream_json`` writes them, joined by its separator), ``ndjson`` (lines) and ``csv``
    #: (rows of ``columns``), the same text as ``items`` would give, or None where it cannot;
    #: consumed instead of ``items``, never with them
    texts: Callable[[str, list[Column]], Iterator[tuple[int, str]] | None] | None = None

    def batches(self, fmt: str, columns: list[Column]) -> Iterator[tuple[int, str]] | None:
        """``texts(fmt, columns)``, or None."""
        return None if self.texts is None else self.texts(fmt, columns)

    @classmethod
    def of(cls, doc: AnalysisDocument) -> AnalysisStream:
        """A whole document as a stream."""
        return cls(doc.analysis, doc.parameters, doc.items, len(doc.items), doc.truncated,
                   doc.extra)

    def document(self) -> AnalysisDocument:
        """Every item in one document (memory grows with the items)."""
        items = list(self.items)
        if len(items) != self.count:
            raise RuntimeError(f"{self.analysis}: {len(items)} items, {self.count} announced")
        return AnalysisDocument(self.analysis, self.parameters, items, self.truncated,
                                self.extra)


_ITEMS_MARK = "\x00items\x00"
#: how ``stream_json`` writes the items: each indented by this, separated by that
ITEM_INDENT = "    "
ITEM_SEPARATOR = ",\n    "
_STRING = json.encoder.encode_basestring  # the C one, as json.dumps(ensure_ascii=False) uses
_FLOAT = float.__repr__


def indented(obj: Any, indent: str = "", step: str = "  ") -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=2)`` with every line after the first
    indented by ``indent``, for the JSON types the documents hold; about three times faster
    than json's own indenting encoder, which is pure Python."""
    if isinstance(obj, str):
        return _STRING(obj)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        inner = indent + step
        return "{\n" + ",\n".join(
            inner + _STRING(k if isinstance(k, str) else json.dumps(k)) + ": " +
            indented(v, inner, step) for k, v in obj.items()) + "\n" + indent + "}"
    if isinstance(obj, list | tuple):
        if not obj:
            return "[]"
        inner = indent + step
        return "[\n" + ",\n".join(inner + indented(v, inner, step) for v in obj) + \
            "\n" + indent + "]"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if obj is None:
        return "null"
    if isinstance(obj, float):
        return json.dumps(obj) if obj != obj or obj in (float("inf"), -float("inf")) \
            else _FLOAT(obj)
    if isinstance(obj, int):
        return int.__repr__(obj)
    return json.dumps(obj, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def stream_json(stream: AnalysisStream) -> Iterator[str]:
    """``to_json`` of the document, piece by piece: the same text, the items written as they
    come."""
    head = {"analysis": stream.analysis, "parameters": stream.parameters,
            "count": stream.count, "truncated": stream.truncated, "items": [_ITEMS_MARK],
            **stream.extra}
    text = json.dumps(head, ensure_ascii=False, indent=2)
    before, after = text.split(json.dumps(_ITEMS_MARK), 1)
    n = 0
    batches = stream.batches("json", [])
    if batches is not None:
        for k, batch in batches:
            if k:
                yield (before if n == 0 else ITEM_SEPARATOR) + batch
                n += k
    else:
        for item in stream.items:
            yield (before if n == 0 else ITEM_SEPARATOR) + indented(item, ITEM_INDENT)
            n += 1
    if n != stream.count:
        raise RuntimeError(f"{stream.analysis}: {n} items, {stream.count} announced")
    if n == 0:
        head["items"] = []
        yield json.dumps(head, ensure_ascii=False, indent=2) + "\n"
    else:
        yield after + "\n"


def stream_ndjson(stream: AnalysisStream) -> Iterator[str]:
    """JSON lines: one item per line, nothing else (``application/x-ndjson``)."""
    batches = stream.batches("ndjson", [])
    if batches is not None:
        yield from (batch for _k, batch in batches)
        return
    for item in stream.items:
        yield json.dumps(item, ensure_ascii=False) + "\n"


def stream_csv(stream: AnalysisStream, columns: list[Column]) -> Iterator[str]:
    """``to_csv`` of the document, row by row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([name for name, _ in columns])
    batches = stream.batches("csv", columns)
    if batches is not None:
        yield buf.getvalue()
        yield from (batch for _k, batch in batches)
        return
    for item in stream.items:
        w.writerow([_cell(get(item)) for _, get in columns])
        if buf.tell() > 65536:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def csv_rows(rows: Iterable[list[str]]) -> str:
    """Rows of text cells as ``to_csv`` writes them."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def csv_cell(value: str) -> str:
    """A cell's text as ``to_csv`` writes it in a row of several (quoted where it must be:
    the quoting of a cell does not depend on the others)."""
    return csv_rows([[value, ""]])[:-3]


def item_text(item: dict, fmt: str, columns: list[Column]) -> str:
    """One item's text in a stream of ``fmt`` (json: as ``stream_json`` writes it, without
    the separator; ndjson: its line; csv: its row of ``columns``)."""
    if fmt == "json":
        return indented(item, ITEM_INDENT)
    if fmt == "ndjson":
        return json.dumps(item, ensure_ascii=False) + "\n"
    return csv_rows([cells(item, columns)])


def cells(item: dict, columns: list[Column]) -> list[str]:
    """An item's CSV cells for ``columns``."""
    return [_cell(get(item)) for _, get in columns]


def slot(k: int) -> str:
    """The marker of the ``k``-th varying part of a :class:`Template`'s prototype."""
    return f"\x00slot{k}\x00"


class Template:
    """The text of items of one shape, their varying parts filled in: the prototype (an item
    whose varying parts are the strings ``slot(0)``, ``slot(1)``, ... in the order they are
    written) is rendered once by the stream's own serialiser (``item_text``), so a filled
    template is that serialiser's text of the item to the byte, given each part's text
    (:meth:`part`)."""

    def __init__(self, proto: dict, fmt: str, n: int) -> None:
        self.fmt = fmt
        text = item_text(proto, fmt, [])
        pieces = []
        #: the indent of each slot's line (a nested value's lines are indented from it)
        self.indents = []
        for k in range(n):
            mark = json.dumps(slot(k))
            before, text = text.split(mark, 1)
            pieces.append(before)
            self.indents.append(before[before.rfind("\n") + 1:].partition('"')[0])
        pieces.append(text)
        self.form = "%s".join(p.replace("%", "%%") for p in pieces)

    def part(self, k: int, value: Any) -> str:
        """The text of ``value`` in slot ``k``."""
        if self.fmt == "json":
            return indented(value, self.indents[k])
        return json.dumps(value, ensure_ascii=False)

    def fill(self, parts: tuple[str, ...]) -> str:
        return self.form % parts


def cap(items: list, limit: int) -> tuple[list, bool]:
    """Apply ``limit`` (0 = no cap): (items, truncated)."""
    if limit and len(items) > limit:
        return items[:limit], True
    return items, False


# -- one element in two architectures ----------------------------------------------------------

#: elements declared the same (``sg:sameElementAs``, symmetric: callers read both directions)
Q_SAME_ELEMENTS = PROLOGUE + "SELECT DISTINCT ?a ?b WHERE { ?a sg:sameElementAs ?b }"


def components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find: node -> a root; roots are arbitrary, callers pick representatives."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def inverse(links: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """x -> the ys it links to, turned round: y -> the xs linking to it."""
    out: dict[str, set[str]] = defaultdict(set)
    for x, ys in links.items():
        for y in ys:
            out[y].add(x)
    return out


def reachable(graph: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """Every node a path of ``graph`` (x -> its successors) leads to from ``start``
    (``start`` itself only on a cycle)."""
    seen: set[str] = set()
    stack = list(graph.get(start, ()))
    while stack:
        y = stack.pop()
        if y not in seen:
            seen.add(y)
            stack.extend(graph.get(y, ()))
    return seen


def same_element_pairs(store: Store, snap: Snapshot | None = None) -> list[tuple[str, str]]:
    """The ``sg:sameElementAs`` links: one element that two architectures contain, kept once
    per scheme (docs/analyses.md, "One element in two architectures"); kept with ``snap``."""
    return [(str(a), str(b)) for a, b in rows(store, snap, Q_SAME_ELEMENTS,
                                              [SG + "sameElementAs"]) if a != b]


def same_elements(store: Store, snap: Snapshot | None = None) -> dict[str, frozenset[str]]:
    """element -> the elements it is the same as (``sg:sameElementAs`` either way, followed
    transitively; itself included), for every element that has such a link."""
    if snap is not None:
        return snap.memoised("same-elements", lambda: _same_elements(store, snap))
    return _same_elements(store, snap)


def _same_elements(store: Store, snap: Snapshot | None) -> dict[str, frozenset[str]]:
    root = components(same_element_pairs(store, snap))
    groups: dict[str, set[str]] = defaultdict(set)
    for x, r in root.items():
        groups[r].add(x)
    return {x: frozenset(groups[r]) for x, r in root.items()}


# -- labels ------------------------------------------------------------------------------------

def _label_rank(prop: str, lit) -> tuple:
    lang = (getattr(lit, "language", None) or "").lower()
    lang_rank = 0 if lang in {"en"} or lang.startswith("en-") else (1 if not lang else 2)
    return (0 if prop == RDFS + "label" else 1, lang_rank, lang, str(lit))


class Labels:
    """Labels for IRIs (rdfs:label, else skos:prefLabel; English first, then untagged, then the
    smallest); an IRI without one is its own label. Fetched with one query per 500 IRIs.
    ``cache`` and ``graphs``: dicts to keep the labels in (a snapshot's, shared between the
    requests on one store version); ``graphs`` is filled on first use when empty."""

    def __init__(self, store: Store, cache: dict[str, str] | None = None,
                 graphs: dict[str, str] | None = None) -> None:
        self.store = store
        self._cache: dict[str, str] = {} if cache is None else cache
        self._graphs: dict[str, str] | None = graphs or None
        self._keep_graphs = graphs

    @classmethod
    def of(cls, store: Store, snap: Snapshot | None) -> Labels:
        """Labels kept with ``snap`` (for its store version), or new ones."""
        if snap is None:
            return cls(store)
        if snap.graph_labels is None:
            snap.graph_labels = {}
        return cls(store, snap.labels, snap.graph_labels)

    #: the label of a blank node (an identifier with no colon: no IRI has none), which no
    #: query can name to read its label
    NO_IRI = "(a resource with no IRI)"

    def fetch(self, iris: Iterable[str]) -> None:
        todo = sorted({i for i in iris if i and i not in self._cache})
        for i in [i for i in todo if ":" not in i]:
            self._cache[i] = self.NO_IRI
        todo = [i for i in todo if ":" in i]
        for start in range(0, len(todo), 500):
            chunk = todo[start:start + 500]
            values = " ".join(sparql_term(URIRef(i)) for i in chunk)
            q = (PROLOGUE + "SELECT DISTINCT ?x ?p ?l WHERE { VALUES ?x { " + values + " } "
                 "{ ?x rdfs:label ?l BIND(rdfs:label AS ?p) } UNION "
                 "{ ?x skos:prefLabel ?l BIND(skos:prefLabel AS ?p) } FILTER(isLiteral(?l)) }")
            best: dict[str, tuple] = {}
            for x, p, lit in self.store.query(q).rows:
                rank = _label_rank(str(p), lit)
                key = str(x)
                if key not in best or rank < best[key]:
                    best[key] = rank
            for i in chunk:
                self._cache[i] = best[i][3] if i in best else i

    def __call__(self, iri: str) -> str:
        if iri not in self._cache:
            self.fetch([iri])
        return self._cache[iri]

    def ref(self, iri: str) -> dict:
        """``{"iri", "label"}``."""
        return {"iri": iri, "label": self(iri)}

    def refs(self, iris: Iterable[str]) -> list[dict]:
        return [self.ref(i) for i in iris]

    # -- named graphs ----------------------------------------------------------------------
    def graph_label(self, graph: str) -> str:
        """A named graph's label: the source file it was built from (from the build record),
        "inferred (OWL-RL)" for the inferred graph, else the IRI."""
        if self._graphs is None:
            q = (PROLOGUE + "SELECT ?g ?path WHERE { GRAPH " + sparql_term(URIRef(META_GRAPH)) +
                 " { ?g prov:wasDerivedFrom ?path FILTER(isLiteral(?path)) } }")
            found: dict[str, str] = {}
            for g, path in self.store.query(q).rows:
                found.setdefault(str(g), str(path))
            found[INFERRED_GRAPH] = "inferred (OWL-RL)"
            if self._keep_graphs is not None:
                self._keep_graphs.update(found)
            self._graphs = found
        return self._graphs.get(graph, graph)

    def graph_refs(self, graphs: Iterable[str]) -> list[dict]:
        return [{"iri": g, "label": self.graph_label(g)} for g in sorted(set(graphs))]


def values_block(var: str, iris: Iterable[str]) -> str:
    """``VALUES ?var { <iri> ... }`` from IRIs the code already holds (validated on the way)."""
    return f"VALUES ?{var} {{ " + " ".join(sparql_term(URIRef(i)) for i in iris) + " }"


def literal_text(term) -> str:
    return str(term) if isinstance(term, Literal) else str(term)


# -- rendering ---------------------------------------------------------------------------------

Column = tuple[str, Callable[[dict], Any]]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def to_csv(doc: AnalysisDocument, columns: list[Column]) -> str:
    """One row per item; list cells hold IRIs separated by spaces and labels by " | "."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([name for name, _ in columns])
    for item in doc.items:
        w.writerow([_cell(get(item)) for _, get in columns])
    return buf.getvalue()


def to_table(doc: AnalysisDocument, columns: list[Column], width: int = 48) -> str:
    """A plain-text table for the terminal, then a line with the count."""
    rows = [[_cell(get(item)) for _, get in columns] for item in doc.items]
    names = [name for name, _ in columns]
    widths = [min(width, max([len(n), *(len(r[i]) for r in rows)])) for i, n in enumerate(names)]

    def fit(s: str, w: int) -> str:
        s = s.replace("\n", " ")
        return (s if len(s) <= w else s[: w - 1] + "…").ljust(w)

    lines = ["  ".join(fit(n, w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    more = " (truncated: raise --limit, or 0 for all)" if doc.truncated else ""
    lines.append(f"({len(rows)} item{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(lines) + "\n"


def coverage_cell(entries: list[dict]) -> str:
    """Coverage entries in one CSV cell: ``sg:addressesBarrier 20/92`` per link kind, separated
    by ``; `` (with_link/in_scope)."""
    return "; ".join(f"{_short(e['link'])} {e['with_link']}/{e['in_scope']}" for e in entries)


def coverage_footer(doc: AnalysisDocument) -> str:
    """The terminal table's footer: the evidence level and one line per coverage entry."""
    return coverage_lines(doc.parameters, doc.extra.get("coverage", []))


def coverage_lines(parameters: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> str:
    """"Coverage (evidence LEVEL):" and one indented line per coverage entry (its text)."""
    ev = parameters.get("evidence", "")
    if ev == "all":
        ev += f" (suggestions scored at least {parameters.get('min_score')})"
    lines = [f"Coverage (evidence {ev}):" if ev else "Coverage:"]
    lines += [f"  {e['text']}" for e in entries]
    return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def ref(iri: str | None, label: str | None) -> dict | str:
    """A report cell linking ``iri`` (``{"iri", "label"}``), or "" when there is none."""
    return {"iri": iri, "label": label or iri} if iri else ""


def iris(objs: list[dict]) -> str:
    return " ".join(o["iri"] for o in objs)


def labels(objs: list[dict]) -> str:
    return " | ".join(o["label"] for o in objs)
