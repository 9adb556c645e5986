"""The store as the analyses read it: kept per store version, brought up to date on each write.

An analysis used to read every link through ``links.rq``, whose evidence filter (an ``EXISTS``
over statement records per link) took about 20 seconds for the classifications of 10,000
standards, and then recomputed everything on each request. A :class:`Snapshot` instead keeps:

- **tables**: for each link property an analysis reads, every triple of it with the named
  graphs holding it (``scan-links.rq``), whatever its evidence; for each class, its instances
  with the graphs of their typings (``scan-types.rq``); the statement records and evidence
  defaults (``scan-records.rq``). Each is read once, on first use, with one scan;
- **views**: which links count at an evidence level (``Evidence``), decided in Python from the
  tables by exactly the rules of ``links.rq`` (docs/analyses.md, "Evidence and coverage";
  ``tests/analysis/test_snapshot.py`` checks the two agree, SPARQL's errors included);
- **memos**: the small structural queries (schemes, mappings, hierarchies) with the properties
  they read, labels, and whatever the analyses derive for one version (``memo``).

In the server's query runner a snapshot lives in the runner's cache (``DeadlineStore.kept``).
When the store's version moves on, :meth:`Snapshot.updated` applies the writes in between as
their transactions recorded them (``Store.changes``): the tables take the added and removed
quads, the views recompute the subjects those quads touch, a memoised query survives unless
the writes touch a property it reads, labels unless they touch the labelled resource; the
analyses' per-version memos go. A change nobody recorded (a build, a load) starts a new
snapshot. Elsewhere (the CLI, a plain store) each analysis run makes its own.

Snapshots are not changed once handed out, so a request still reading an older one is not
disturbed: the tables, typings, views and records are :class:`~stdgraph.analysis.layered.Layered`
mappings, and ``updated`` puts a write's changes on top of the older version's (sharing what
did not change) instead of copying them, so that bringing a snapshot up to date costs what the
write changed, not what the store holds.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import URIRef

from stdgraph.analysis.layered import Edit, Layered, layered
from stdgraph.rdf.namespaces import INFERRED_GRAPH, META_GRAPH, PREFIXES
from stdgraph.sparql.queryfiles import QueryFolder
from stdgraph.store.base import Changes, Store
from stdgraph.store.bounded import DeadlineStore

__all__ = ["Dirty", "FAST_KINDS", "Snapshot", "is_kept", "rows", "snapshot", "text", "typed"]

T = TypeVar("T")

QUERIES = QueryFolder("stdgraph.analysis", "analysis query")

SG = PREFIXES["sg"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
XSD = PREFIXES["xsd"]
RDF_TYPE = RDF + "type"
STATED, READING, SUGGESTED, INFERRED = (SG + k for k in ("Stated", "Reading", "Suggested",
                                                          "Inferred"))
EVIDENCE, SCORE, DERIVED = SG + "evidence", SG + "score", PROV + "wasDerivedFrom"
RECORD_SUBJECT = (RDF + "subject", SG + "mappingSubject")
RECORD_PREDICATE = (RDF + "predicate", SG + "mappingRelation")
RECORD_OBJECT = (RDF + "object", SG + "mappingObject")
RECORD_PROPS = frozenset((*RECORD_SUBJECT, *RECORD_PREDICATE, *RECORD_OBJECT, EVIDENCE, SCORE,
                          DERIVED))
LABEL_PROPS = frozenset((RDFS + "label", SKOS + "prefLabel"))
#: the stores whose analyses read through snapshots: all of them. A remote server's version is
#: unknown, so its snapshot is built afresh for each request and nothing is kept; its scans
#: are still far cheaper there than links.rq's EXISTS per link (the overlaps of the bundled
#: graph on `oxigraph serve` went past the 10 s limit with links.rq)
FAST_KINDS = frozenset({"oxigraph", "memory", "remote"})
#: a gap between two versions with more changed quads than this starts a new snapshot
MAX_UPDATE_QUADS = 200_000
#: the runner's cache entry holding the snapshot
CACHE_NAME = "analysis-snapshot"

#: a graph name: the IRI of a named graph, None for the default graph
GraphName = str | None
#: an object: an IRI as text, else the pyoxigraph term (a literal or blank node)
Obj = str | ox.BlankNode | ox.Literal
Graphs = frozenset[GraphName]
#: subject -> object -> the graphs holding the triple
Table = Layered[str, dict[Obj, Graphs]]
#: subject -> the graphs typing it (one class)
Typings = Layered[str, Graphs]
#: subject -> the objects of its links that count (one view)
View = Layered[str, frozenset[str]]
#: a node of a statement record (or a graph with an evidence default): its pyoxigraph term
Node = ox.NamedNode | ox.BlankNode
#: record property -> node -> value -> graphs
Props = dict[str, Layered[Node, dict[Any, Graphs]]]
#: (subject, predicate, object) -> the records that describe the triple
Described = Layered[tuple[str, str, str], frozenset[Node]]

_NUMERIC = frozenset(XSD + t for t in (
    "integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte"))
_UNBOUND = object()


def typed(cls: str) -> str:
    """What a memoised query reads when it reads the instances of ``cls`` (see
    :meth:`Snapshot.select`)."""
    return RDF_TYPE + " " + cls


def _graph(term: ox.NamedNode | ox.DefaultGraph | Any) -> GraphName:
    return term.value if isinstance(term, ox.NamedNode) else None


def _subject(term: Any) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.BlankNode) else None


def _object(term: Any) -> Obj:
    return term.value if isinstance(term, ox.NamedNode) else term


# -- evidence, as links.rq decides it (SPARQL's three-valued logic: None is an error) ------------

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DOUBLE = re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$")


def _number(term: Any) -> Decimal | None:
    """A numeric literal's value; None where SPARQL's comparison would raise an error (not a
    number, or an ill-typed one)."""
    if not isinstance(term, ox.Literal) or term.datatype.value not in _NUMERIC:
        return None
    text, dt = term.value, term.datatype.value
    pattern = _DOUBLE if dt in {XSD + "float", XSD + "double"} else (
        _DECIMAL if dt == XSD + "decimal" else _INTEGER)
    if not pattern.match(text):
        return None
    try:
        return Decimal(text.replace("INF", "Infinity"))
    except InvalidOperation:
        return None


def _at_least(score: Any, least: Decimal) -> bool | None:
    """``COALESCE(?score, 0) >= ?min_score``."""
    if score is _UNBOUND:
        return Decimal(0) >= least
    value = _number(score)
    if value is None:
        return None
    if value.is_nan():
        return False
    return value >= least


def text(obj: Obj) -> str:
    """An object of a table as ``str()`` of its rdflib term gives it (an IRI, a literal's
    lexical form, a blank node's label)."""
    return obj if isinstance(obj, str) else obj.value


def _kind(term: Any) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


class Level:
    """The evidence filter's parameters (``Evidence.terms``) as Python values."""

    def __init__(self, evidence: Any) -> None:
        self.stated = True
        self.reading = evidence.level != "stated"
        self.suggested = evidence.level == "all"
        self.least = Decimal(evidence.min_score)

    def accepts(self, kind: Any, score: Any) -> bool | None:
        """``(?k = sg:Stated && ?stated) || (?k = sg:Reading && ?reading) || (?k =
        sg:Suggested && ?suggested && COALESCE(?score, 0) >= ?min_score)`` for a bound kind."""
        k = _kind(kind)
        if k == STATED:
            return self.stated
        if k == READING:
            return self.reading
        if k == SUGGESTED:
            return _at_least(score, self.least) if self.suggested else False
        return False


class Records:
    """The statement records (and evidence defaults) of a store, indexed for the filter. Not
    changed once made: :meth:`edit` gives a copy to change (sharing this one's mappings) and
    :meth:`done` ends its changes."""

    def __init__(self, props: Mapping[str, Mapping[Node, dict[Any, Graphs]]]) -> None:
        self.props: Any = {p: layered(dict(t)) for p, t in props.items()}
        #: (subject, predicate, object) -> the records that describe the triple
        self.described: Any = {}
        #: premise -> the records derived from it
        self.derived: Any = {}
        for node in {n for table in props.values() for n in table}:
            self._index(node, True)
        self.described = layered(self.described)
        self.derived = layered(self.derived)

    def values(self, prop: str, node: Node) -> Iterable[Any]:
        return self.props.get(prop, {}).get(node, {}).keys()

    def keys(self, node: Node) -> set[tuple[str, str, str]]:
        """The triples ``node`` describes (each combination of its subjects, predicates and
        objects: the property paths of links.rq)."""
        subjects = {s for p in RECORD_SUBJECT for t in self.values(p, node)
                    if (s := _subject(t)) is not None}
        predicates = {t.value for p in RECORD_PREDICATE for t in self.values(p, node)
                      if isinstance(t, ox.NamedNode)}
        objects = {t.value for p in RECORD_OBJECT for t in self.values(p, node)
                   if isinstance(t, ox.NamedNode)}
        return {(s, p, o) for s in subjects for p in predicates for o in objects}

    def premises(self, node: Node) -> set[Node]:
        return {t for t in self.values(DERIVED, node) if isinstance(t, ox.NamedNode | ox.BlankNode)}

    def _index(self, node: Node, add: bool) -> None:
        for index, keys in ((self.described, self.keys(node)), (self.derived,
                                                                  self.premises(node))):
            for key in keys:
                held = index.get(key, frozenset())
                now = held | {node} if add else held - {node}
                if now:
                    index[key] = now
                else:
                    index.pop(key, None)

    def edit(self) -> Records:
        """A copy to change (``_index``, ``change``), sharing this one's mappings; ``done()``
        when changed."""
        new = Records.__new__(Records)
        new.props = {p: t.edit() for p, t in self.props.items()}
        new.described = self.described.edit()
        new.derived = self.derived.edit()
        return new

    def change(self, prop: str, node: Node, value: Any, g: GraphName, add: bool) -> None:
        """One quad of a record added or removed (on a copy being edited)."""
        nodes: Edit[Node, dict[Any, Graphs]] | None = self.props.get(prop)
        if nodes is None:
            nodes = self.props[prop] = Layered[Node, dict[Any, Graphs]]().edit()
        values = dict(nodes.get(node, {}))
        graphs = set(values.get(value, ()))
        if add:
            graphs.add(g)
        else:
            graphs.discard(g)
        if graphs:
            values[value] = frozenset(graphs)
        else:
            values.pop(value, None)
        if values:
            nodes[node] = values
        else:
            nodes.pop(node, None)

    def done(self) -> Records:
        """The edited copy made final (its changes laid over the mappings it shares)."""
        self.props = {p: t.done() for p, t in self.props.items()}
        self.described = self.described.done()
        self.derived = self.derived.done()
        return self



class Filter:
    """links.rq's filter at one level over ``records``: does a link count?"""

    def __init__(self, records: Records, level: Level) -> None:
        self.records = records
        self.level = level
        self._defaults: dict[str, bool] = {}
        self._evidence = records.props.get(EVIDENCE, {})

    def counts(self, s: str, predicate: str, o: str, graphs: Graphs) -> bool:
        """Whether the link ``s predicate o``, held by ``graphs``, counts."""
        described = self.records.described.get((s, predicate, o))
        if described:
            found = [r for r in described if self._evidence.get(r)]
            if found:
                return any(self._record(r) for r in found)
        for g in graphs:
            if g is not None and g != INFERRED_GRAPH:
                ok = self._defaults.get(g)
                if ok is None:
                    ok = self._defaults[g] = self._default(g)
                if ok:
                    return True
        return False

    def objects(self, s: str, predicate: str, objects: Mapping[Obj, Graphs]) -> frozenset[str]:
        """The objects (IRIs) of ``s``'s ``predicate`` links that count."""
        return frozenset(o for o, graphs in objects.items()
                         if isinstance(o, str) and self.counts(s, predicate, o, graphs))

    def _scores(self, node: Node) -> list[Any]:
        return list(self.records.values(SCORE, node)) or [_UNBOUND]

    def _record(self, r: Node) -> bool:
        for kind in self.records.values(EVIDENCE, r):
            if _kind(kind) == INFERRED:
                if not any(self._rejects(p) for p in self.records.premises(r)):
                    return True
                continue
            for score in self._scores(r):
                if self.level.accepts(kind, score) is True:
                    return True
        return False

    def _rejects(self, premise: Node) -> bool:
        """A premise of an inferred record with an evidence row that is not accepted (an error
        in the filter does not reject: ``NOT EXISTS { ... FILTER(!(...)) }``)."""
        return any(self.level.accepts(kind, score) is False
                   for kind in self.records.values(EVIDENCE, premise)
                   for score in self._scores(premise))

    def _default(self, graph: str) -> bool:
        node = ox.NamedNode(graph)
        kinds = list(self.records.values(EVIDENCE, node))
        if not kinds:
            # COALESCE(?graphKind, sg:Stated) = sg:Stated && ?stated; the other branches
            # compare an unbound variable: an error, which ?stated (always true) outweighs
            return self.level.stated
        return any(self.level.accepts(kind, score) is True
                   for kind in kinds for score in self._scores(node))


class Dirty:
    """What the writes between two snapshots touched, for the values analyses derive and
    bring up to date themselves (:meth:`Snapshot.memoised` with ``update``)."""

    def __init__(self) -> None:
        #: property -> subjects with a changed triple of it (or a changed record about one)
        self.subjects: dict[str, set[str]] = defaultdict(set)
        #: class -> subjects whose typing changed
        self.typed: dict[str, set[str]] = defaultdict(set)
        #: every property a changed quad has, and ``typed(cls)`` of every changed typing
        self.reads: set[str] = set()
        #: a named graph's evidence default changed: any link may count differently
        self.everything = False

    def touched(self, predicates: Iterable[str], classes: Iterable[str] = ()) -> set[str]:
        """The subjects with a changed triple of one of ``predicates`` or a changed typing of
        one of ``classes``."""
        out: set[str] = set()
        for p in predicates:
            out |= self.subjects.get(p, set())
        for c in classes:
            out |= self.typed.get(c, set())
        return out

    def then(self, later: Dirty) -> Dirty:
        """This and ``later`` together."""
        both = Dirty()
        for mine in (self, later):
            for p, subjects in mine.subjects.items():
                both.subjects[p] |= subjects
            for c, subjects in mine.typed.items():
                both.typed[c] |= subjects
            both.reads |= mine.reads
            both.everything |= mine.everything
        return both


# -- scans -----------------------------------------------------------------------------------

def _intern(cache: dict[Graphs, Graphs], graphs: Graphs) -> Graphs:
    return cache.setdefault(graphs, graphs)


class Snapshot:
    """What the analyses read from one version of a store (see the module docstring)."""

    def __init__(self, version: Any) -> None:
        self.version = version
        self._tables: dict[str, Table] = {}
        self._types: dict[str, Typings] = {}
        self._instances: dict[str, set[str]] = {}
        self._records: Records | None = None
        self._default: list[ox.Quad] | None = None  # the default graph's quads (usually none)
        self._views: dict[tuple[Any, str, str], View] = {}
        self._queries: dict[str, tuple[frozenset[str], Any]] = {}
        #: IRI -> label (common.Labels), kept while the writes leave the resource's labels be
        self.labels: dict[str, str] = {}
        #: named graph -> label (common.Labels.graph_label), kept unless the meta graph changes
        self.graph_labels: dict[str, str] | None = None
        #: what analyses derive for this version (``memoised``)
        self.memo: dict[Any, Any] = {}
        #: the previous versions' memo, with what the writes since touched
        self._stale: dict[Any, tuple[Any, Dirty]] = {}
        #: whole answers (``answer``), the most recent ``ANSWERS``; not carried over
        self._answers: dict[Any, Any] = {}
        #: values for this version only (``once``); not carried over
        self._once: dict[Any, Any] = {}
        self._recent: OrderedDict[Any, Any] = OrderedDict()
        self._graphs: dict[Graphs, Graphs] = {}
        self._lock = threading.RLock()
        #: a lock per ``memoised`` key, held while its value is derived
        self._deriving: dict[Any, threading.Lock] = {}

    # -- reading (lazily, once per version) --------------------------------------------------
    def _default_quads(self, store: Store) -> list[ox.Quad]:
        if self._default is None:
            self._default = list(store.ox_quads(ox.DefaultGraph()))
        return self._default

    def table(self, store: Store, predicate: str) -> Table:
        """Every triple of ``predicate``: subject -> object -> graphs (None: the default
        graph). Shared: do not change it."""
        found = self._tables.get(predicate)
        if found is not None:
            return found
        with self._lock:
            if predicate not in self._tables:
                table: dict[str, dict[Obj, set[GraphName]]] = {}
                rows = store.select_native(QUERIES.bind("scan-links",
                                                        {"predicate": URIRef(predicate)}))
                for s, o, g in rows:
                    key = _subject(s)
                    if key is not None and o is not None:
                        table.setdefault(key, {}).setdefault(_object(o), set()).add(_graph(g))
                for q in self._default_quads(store):
                    key = _subject(q.subject)
                    if q.predicate.value == predicate and key is not None:
                        table.setdefault(key, {}).setdefault(_object(q.object), set()).add(None)
                self._tables[predicate] = layered({
                    s: {o: _intern(self._graphs, frozenset(gs)) for o, gs in objs.items()}
                    for s, objs in table.items()})
            return self._tables[predicate]

    def typings(self, store: Store, cls: str) -> Typings:
        """subject -> the graphs typing it ``cls``. Shared: do not change it."""
        found = self._types.get(cls)
        if found is not None:
            return found
        with self._lock:
            if cls not in self._types:
                typings: dict[str, set[GraphName]] = {}
                rows = store.select_native(QUERIES.bind("scan-types", {"class": URIRef(cls)}))
                for s, g in rows:
                    if (key := _subject(s)) is not None:
                        typings.setdefault(key, set()).add(_graph(g))
                for q in self._default_quads(store):
                    key = _subject(q.subject)
                    if (q.predicate.value == RDF_TYPE and key is not None
                            and isinstance(q.object, ox.NamedNode) and q.object.value == cls):
                        typings.setdefault(key, set()).add(None)
                self._types[cls] = layered({s: _intern(self._graphs, frozenset(gs))
                                            for s, gs in typings.items()})
            return self._types[cls]

    def instances(self, store: Store, cls: str) -> set[str]:
        """Every subject typed ``cls`` (asserted or inferred). Shared: do not change it."""
        found = self._instances.get(cls)
        if found is None:
            found = self._instances[cls] = set(self.typings(store, cls))
        return found

    def records(self, store: Store) -> Records:
        if self._records is not None:
            return self._records
        with self._lock:
            if self._records is None:
                props: dict[str, dict[Node, dict[Any, set[GraphName]]]] = {}
                for r, p, v, g in store.select_native(QUERIES.bind("scan-records", {})):
                    if isinstance(r, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode):
                        props.setdefault(p.value, {}).setdefault(r, {}).setdefault(v, set()) \
                            .add(_graph(g))
                for q in self._default_quads(store):
                    if q.predicate.value in RECORD_PROPS and isinstance(
                            q.subject, ox.NamedNode | ox.BlankNode):
                        props.setdefault(q.predicate.value, {}).setdefault(q.subject, {}) \
                            .setdefault(q.object, set()).add(None)
                self._records = Records({
                    p: {r: {v: frozenset(gs) for v, gs in vals.items()}
                        for r, vals in nodes.items()} for p, nodes in props.items()})
            return self._records

    def links(self, store: Store, evidence: Any, predicate: str, subject_type: str
              ) -> View:
        """subject -> the objects (IRIs) of its ``predicate`` links that count at
        ``evidence``, for subjects typed ``subject_type`` (what links.rq answers). Shared: do
        not change it."""
        key = (evidence, predicate, subject_type)
        found = self._views.get(key)
        if found is not None:
            return found
        table = self.table(store, predicate)
        typings = self.typings(store, subject_type)
        check = Filter(self.records(store), Level(evidence))
        view = {}
        for s, objects in table.items():
            if s in typings:
                objs = check.objects(s, predicate, objects)
                if objs:
                    view[s] = objs
        found = self._views[key] = layered(view)
        return found

    def select(self, store: Store, sparql: str, reads: Iterable[str]) -> list[tuple]:
        """``store.query(sparql).rows``, kept while the writes touch none of the properties
        the query ``reads`` (a property IRI, or ``typed(cls)`` for the instances of one class;
        ``rdf:type`` itself for any typing)."""
        held = self._queries.get(sparql)
        if held is None:
            held = self._queries[sparql] = (frozenset(reads), store.query(sparql).rows)
        rows: list[tuple] = held[1]
        return rows

    def memoised(self, key: Any, compute: Callable[[], T],
                 update: Callable[[T, Dirty], T | None] | None = None) -> T:
        """``compute()``, kept for this version (``memo``). ``update(old value, dirty)``
        brings the value of an earlier version up to date when there is one (``None``: it
        cannot, compute afresh); it must not change the old value."""
        if key in self.memo:
            kept: T = self.memo[key]
            return kept
        # one thread derives a value at a time; another asking for it meanwhile (a request
        # while the upkeep after a write runs: ``api.executor``'s ``refresh``) waits for it
        # rather than deriving it again, afresh, without the older value the first one took
        with self._lock:
            lock = self._deriving.setdefault(key, threading.Lock())
        with lock:
            if key in self.memo:
                again: T = self.memo[key]
                return again
            held = self._stale.get(key)
            value = None
            if held is not None and update is not None:
                value = update(held[0], held[1])
            if value is None:
                value = compute()
            self.memo[key] = value
            self._stale.pop(key, None)
        return value

    def once(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, kept for this version only: never brought up to date nor carried
        over to the next (for values keyed by what only this version holds)."""
        if key in self._once:
            kept: T = self._once[key]
            return kept
        if len(self._once) >= self.ONCE:
            self._once.clear()
        value = self._once[key] = compute()
        return value

    #: values kept by ``once`` per version, at most
    ONCE = 256

    def recent(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, kept for this version among the last ``RECENT`` values asked for
        here: for large values keyed by what a request chooses (a report filter's own pair
        index), of which a client could otherwise make any number."""
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                kept: T = self._recent[key]
                return kept
        value = compute()
        with self._lock:
            self._recent[key] = value
            while len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
        return value

    #: values kept by ``recent`` per version, at most (a filtered pair index of 100,000
    #: standards is tens of MiB at most)
    RECENT = 16

    #: answers kept per version (each may be megabytes of text)
    ANSWERS = 16

    def answer(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` (a whole answer, such as a rendered document), kept for this version
        among the ``ANSWERS`` most recently asked for."""
        with self._lock:
            if key in self._answers:
                kept: T = self._answers.pop(key)
                self._answers[key] = kept  # most recent last
                return kept
        value = compute()
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > self.ANSWERS:
                del self._answers[next(iter(self._answers))]
        return value

    # -- bringing it up to date ---------------------------------------------------------------
    def updated(self, changes: list[Changes], version: Any) -> Snapshot | None:
        """This snapshot with ``changes`` applied (oldest first): a new snapshot for
        ``version``, or None when the changes are too many (start afresh). What did not change
        is shared with this one (the changes are laid over its mappings: ``Layered``)."""
        if sum(len(c.added) + len(c.removed) for c in changes) > MAX_UPDATE_QUADS:
            return None
        new = Snapshot(version)
        new._graphs = self._graphs
        new._default = None if self._default is None else list(self._default)
        new._tables = dict(self._tables)
        new._types = dict(self._types)
        new._views = dict(self._views)
        new._queries = dict(self._queries)
        new.labels = self.labels
        new.graph_labels = self.graph_labels
        records = new._records = self._records
        tables: dict[str, Edit[str, dict[Obj, Graphs]]] = {}  # the tables changed, as edits
        types: dict[str, Edit[str, Graphs]] = {}
        dirty: dict[str, set[str]] = defaultdict(set)  # predicate -> subjects
        dirty_types: dict[str, set[str]] = defaultdict(set)  # class -> subjects
        touched: set[Node] = set()  # record (or graph) nodes
        reads: set[str] = set()
        labelled: set[str] = set()
        meta = False
        for change in changes:
            for quads, add in ((change.removed, False), (change.added, True)):
                for q in quads:
                    p, s = q.predicate.value, _subject(q.subject)
                    g = _graph(q.graph_name)
                    reads.add(p)
                    if p == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                        reads.add(typed(q.object.value))
                    if g == META_GRAPH:
                        meta = True
                    if g is None and new._default is not None:
                        if add:
                            new._default.append(q)
                        else:
                            new._default = [x for x in new._default if x != q]
                    if s is None:
                        continue
                    if p in LABEL_PROPS:
                        labelled.add(s)
                    dirty[p].add(s)
                    if p == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                        dirty_types[q.object.value].add(s)
                    if p in new._tables:
                        edit = tables.get(p)
                        if edit is None:
                            edit = tables[p] = new._tables[p].edit()
                        _change(edit, s, _object(q.object), g, add, self._graphs)
                    if p == RDF_TYPE and isinstance(q.object, ox.NamedNode) \
                            and q.object.value in new._types:
                        cls = q.object.value
                        typing = types.get(cls)
                        if typing is None:
                            typing = types[cls] = new._types[cls].edit()
                        _change_typing(typing, s, g, add, self._graphs)
                    if p in RECORD_PROPS and isinstance(q.subject, ox.NamedNode | ox.BlankNode):
                        touched.add(q.subject)
        for p, edit in tables.items():
            new._tables[p] = edit.done()
        for cls, typing in types.items():
            new._types[cls] = typing.done()
        # records: re-index the touched nodes, note the triples whose evidence may differ
        all_views = False
        if records is not None and touched:
            records = records.edit()
            before: dict[Node, set[tuple[str, str, str]]] = {}
            affected: set[Node] = set(touched)
            for node in touched:
                affected |= records.derived.get(node, frozenset())
            for node in affected:
                before[node] = records.keys(node)
            for node in touched:
                records._index(node, False)
            for change in changes:
                for quads, add in ((change.removed, False), (change.added, True)):
                    for q in quads:
                        if q.predicate.value in RECORD_PROPS:
                            node = q.subject
                            assert isinstance(node, ox.NamedNode | ox.BlankNode)
                            records.change(q.predicate.value, node, q.object,
                                           _graph(q.graph_name), add)
            for node in touched:
                records._index(node, True)
            for node in touched:
                affected |= records.derived.get(node, frozenset())
            for node in affected:
                for s, p, _o in before.get(node, set()) | records.keys(node):
                    dirty[p].add(s)
            records = new._records = records.done()
            # a named graph's evidence default: every link it holds may count differently
            graphs = {g for gs in self._graphs for g in gs}
            all_views = any(isinstance(n, ox.NamedNode) and n.value in graphs for n in touched)
        elif touched and new._views:
            all_views = True  # records never read: cannot tell which links they describe
        # views: recompute the touched subjects (or everything, when a graph's default moved)
        if all_views:
            new._views = {}
        for key in list(new._views):
            evidence, predicate, subject_type = key
            subjects = dirty.get(predicate, set()) | dirty_types.get(subject_type, set())
            if not subjects:
                continue
            if records is None or predicate not in new._tables \
                    or subject_type not in new._types:
                del new._views[key]
                continue
            view = new._views[key].edit()
            table, typings = new._tables[predicate], new._types[subject_type]
            check = Filter(records, Level(evidence))
            for s in subjects:
                objs = (check.objects(s, predicate, table[s])
                        if s in table and s in typings else frozenset())
                if objs:
                    if view.get(s) != objs:
                        view[s] = objs
                elif s in view:
                    view.pop(s)
            new._views[key] = view.done()
        # the instances of a class whose typings changed: the old set with those subjects
        # added or removed
        new._instances = {}
        for cls, found in self._instances.items():
            subjects = dirty_types.get(cls)
            if subjects:
                if cls not in new._types:
                    continue
                typings = new._types[cls]
                found = set(found)
                for s in subjects:
                    if s in typings:
                        found.add(s)
                    else:
                        found.discard(s)
            new._instances[cls] = found
        new._queries = {text: held for text, held in self._queries.items()
                        if not held[0] & reads}
        if labelled & self.labels.keys():
            new.labels = {k: v for k, v in self.labels.items() if k not in labelled}
        if meta:
            new.graph_labels = None
        touched_now = Dirty()
        touched_now.subjects.update(dirty)
        touched_now.typed.update(dirty_types)
        touched_now.reads = reads
        touched_now.everything = all_views
        # (copies first: another thread may be adding to them)
        new._stale = {key: (value, touched.then(touched_now))
                      for key, (value, touched) in dict(self._stale).items()}
        new._stale.update((key, (value, touched_now)) for key, value in dict(self.memo).items())
        return new


def _change(table: Edit[str, dict[Obj, Graphs]], s: str, o: Obj, g: GraphName, add: bool,
            interned: dict[Graphs, Graphs]) -> None:
    objs = dict(table.get(s, {}))
    graphs = set(objs.get(o, ()))
    if add:
        graphs.add(g)
    else:
        graphs.discard(g)
    if graphs:
        objs[o] = _intern(interned, frozenset(graphs))
    else:
        objs.pop(o, None)
    if objs:
        table[s] = objs
    else:
        table.pop(s, None)


def _change_typing(typings: Edit[str, Graphs], s: str, g: GraphName, add: bool,
                   interned: dict[Graphs, Graphs]) -> None:
    graphs = set(typings.get(s, ()))
    if add:
        graphs.add(g)
    else:
        graphs.discard(g)
    if graphs:
        typings[s] = _intern(interned, frozenset(graphs))
    else:
        typings.pop(s, None)


# -- where a snapshot comes from ----------------------------------------------------------------

def rows(store: Store, snap: Snapshot | None, sparql: str, reads: Iterable[str]
         ) -> list[tuple]:
    """``store.query(sparql).rows``, kept with ``snap`` when there is one
    (:meth:`Snapshot.select`)."""
    if snap is not None:
        return snap.select(store, sparql, reads)
    found: list[tuple] = store.query(sparql).rows
    return found


def snapshot(store: Store) -> Snapshot:
    """The snapshot of ``store``'s current version: in the server's query runner the one it
    keeps (brought up to date from the previous one), else a new one."""
    if isinstance(store, DeadlineStore) and store.cache is not None:
        return store.kept(CACHE_NAME, lambda: Snapshot(store.version()),
                          lambda old, since, until: _bring_up_to_date(store, old, since, until))
    return Snapshot(store.version())


def is_kept(store: Store) -> bool:
    """Whether ``store``'s snapshot, and what the analyses derive from it, is kept between
    calls for its version: in the server's query runner (a ``DeadlineStore`` with the
    runner's cache) on a store whose version is known; elsewhere each call makes its own."""
    return (isinstance(store, DeadlineStore) and store.cache is not None
            and store.kind in FAST_KINDS and store.version() is not None)


def _bring_up_to_date(store: Store, old: Snapshot, since: Any, until: Any) -> Snapshot | None:
    changes = store.changes(since, until)
    if changes is None:
        return None
    return old.updated(changes, until)
