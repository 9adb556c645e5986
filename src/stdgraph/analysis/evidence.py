"""Which links an analysis counts, and how many standards have one: the evidence filter and the
coverage figures every analysis shares (definitions in docs/analyses.md, "Evidence and
coverage").

Every analysis takes ``evidence`` (``stated``, ``stated+reading``, ``all``; default
``stated+reading``) and ``min_score`` (the least ``sg:score`` of a suggestion counted under
``all``), declared once here (:func:`evidence_params`) and echoed in the document's
``parameters``. The filter itself is one SPARQL query, ``analysis/queries/links.rq``: the links
of one property at one evidence level, its parameters bound as RDF terms. :class:`LinkReader`
runs it (once per property and direction) and adds what a query cannot say simply: a link read
in both directions (``sg:delivers`` / ``sg:deliveredBy``), and a series' classification through
its parts (``sg:hasPart o sg:classifiedIn``, followed here with both links at the level, since
the inferred graph's copy has no evidence of its own).

The *coverage* of a link kind is "N of M standards in scope have at least one such link at this
evidence level": :meth:`LinkReader.coverage` gives it as ``{"link", "label", "with_link",
"in_scope", "text"}``; analyses put the list in their document's ``coverage`` key and, where an
item rests on one kind (a gap), in the item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from stdgraph.analysis.common import SG, Parameter, parse_params
from stdgraph.analysis.layered import Edit, Layered, layered
from stdgraph.analysis.snapshot import FAST_KINDS, Dirty, Snapshot, snapshot
from stdgraph.sparql.queryfiles import QueryFolder
from stdgraph.store.base import Store

__all__ = ["DEFAULT_LEVEL", "DEFAULT_MIN_SCORE", "ELEMENT", "Evidence", "LEVELS", "LEVEL_LABELS",
           "LINKS", "LinkReader", "MAPPING_PROPS", "QUERIES", "RELATION_KINDS", "RETIRED",
           "Selection", "coverage_text", "elements_of", "evidence_params", "selection_params",
           "status_param"]

#: the evidence levels, weakest filter last
LEVELS = ("stated", "stated+reading", "all")
DEFAULT_LEVEL = "stated+reading"
#: each level as a person reads it (forms, report pages, the translator)
LEVEL_LABELS = {"stated": "Stated by a source",
                "stated+reading": "Stated, or a curator's reading",
                "all": "Also machine suggestions"}
DEFAULT_MIN_SCORE = "0.5"
#: statuses that take a standard out of scope where an analysis counts current standards
RETIRED = (SG + "Withdrawn", SG + "Superseded")
STANDARD = SG + "Standard"
ROADMAP_ITEM = SG + "RoadmapItem"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: the class of the architecture mappings' subjects
ELEMENT = SG + "ArchitectureElement"
#: the SKOS mapping properties between elements of two schemes (the architecture mappings)
MAPPING_PROPS = tuple(SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch",
                                         "relatedMatch", "mappingRelation"))
#: the relations between standards that explain an overlap (``related``), by coverage entry:
#: the property that names the kind -> the properties read for it (the sub-properties of
#: sg:references besides these are added by the analyses)
RELATION_KINDS: dict[str, tuple[str, ...]] = {
    SG + "partOf": (SG + "partOf", SG + "hasPart"),
    SG + "supersedes": (SG + "supersedes", SG + "supersededBy"),
    SG + "relatedTo": (SG + "relatedTo",),
    SG + "references": (SG + "references", SG + "normativelyReferences", SG + "basedOn"),
}

QUERIES = QueryFolder("stdgraph.analysis", "analysis query")

_T = TypeVar("_T")

#: link property -> (short label, what the standards with one are, in plain words: {be} is
#: "is"/"are", {have} "has"/"have", {s} "s"/"" after "N of M standards")
LINKS: dict[str, tuple[str, str]] = {
    SG + "classifiedIn": ("classified in", "{be} classified in any architecture element"),
    SG + "addressesBarrier": ("addresses barrier", "{be} linked to any barrier"),
    SG + "supportsTheme": ("supports theme", "{be} linked to any theme"),
    SG + "concernsTechnology": ("concerns technology", "{be} linked to any technology"),
    SG + "relevantToStakeholder": ("relevant to stakeholder",
                                   "{be} linked to any stakeholder type"),
    SG + "delivers": ("delivers", "{be} delivered by any roadmap item"),
    SG + "servedBy": ("served by", "serve{s} any roadmap item"),
    SG + "references": ("references", "reference{s} any standard"),
    SG + "supersedes": ("supersedes", "{be} linked by supersession"),
    SG + "partOf": ("part of", "{be} part of a series or {have} parts"),
    SG + "relatedTo": ("related to", "{be} related to any standard (sg:relatedTo)"),
    SKOS + "mappingRelation": ("mapped to", "{be} mapped to another architecture element"),
    SG + "conflictsWith": ("conflicts with", "{be} declared to conflict with any standard"),
    SG + "status": ("status", "{have} a known status"),
}


def evidence_params() -> list[Parameter]:
    """``evidence`` and ``min_score``, as every analysis declares them."""
    return [
        Parameter("evidence", "string", default=DEFAULT_LEVEL, allowed=LEVELS,
                  label="Evidence counted",
                  value_labels=LEVEL_LABELS,
                  description="Which links count: those a source states; also a curator's "
                              "reading of a source (the default); or also the links a "
                              "machine suggested with at least the least suggestion score."),
        Parameter("min_score", "decimal", default=DEFAULT_MIN_SCORE, minimum=0, maximum=1,
                  label="Least suggestion score",
                  description="When machine suggestions count: the least score (0 to 1) a "
                              "suggested link needs to count."),
    ]


def status_param(description: str) -> Parameter:
    """``status``: the status concepts (``sg:Published``, ...) whose standards take part, as
    every analysis that filters by status declares it; ``description`` says what that means
    for its items, in plain words."""
    return Parameter("status", "iri", multiple=True, label="Status", pick="status",
                     description=description + " None chosen: every status (and none).")


def selection_params(rule: str) -> list[Parameter]:
    """``element`` and ``barrier``: the architecture elements every standard taking part is
    classified in, and the barriers it addresses (the ``/standards`` table's filters of the
    same names), as every report declares them; ``rule`` says what taking part means for its
    items, in plain words (with ``status``, they make the answer's :class:`Selection`)."""
    return [
        Parameter("element", "iri", multiple=True, label="Classified in (every one)",
                  pick="element",
                  description="Only the standards classified in every one of these "
                              "architecture elements (sg:classifiedIn at the evidence level "
                              "chosen; a series also through its parts) take part: " + rule
                              + " None chosen: any classification, or none."),
        Parameter("barrier", "iri", multiple=True, label="Addresses (every one)",
                  pick="barrier",
                  description="Only the standards addressing every one of these barriers "
                              "(sg:addressesBarrier at the evidence level chosen) take part: "
                              + rule + " None chosen: any barrier, or none."),
    ]


@dataclass(frozen=True)
class Selection:
    """The standards a report's answer is made of, as its ``status``, ``element`` and
    ``barrier`` filters pick them: one of the statuses, classified in every element and
    addressing every barrier, at the evidence level (the ``/standards`` table's rule). Each
    report keeps the items whose own standards all take part (docs/analyses.md, "Filters");
    an empty selection picks every standard. ``bodies`` (the gaps' ``body``: what no standard
    of these bodies covers) picks the standards one of them publishes; the other reports keep
    an item that *involves* such a standard, which is no selection."""

    statuses: frozenset[str] = frozenset()
    elements: frozenset[str] = frozenset()
    barriers: frozenset[str] = frozenset()
    bodies: frozenset[str] = frozenset()

    @classmethod
    def of(cls, params: Mapping[str, Any], bodies: bool = False) -> Selection:
        """From checked parameters (``status``, ``element``, ``barrier`` and, with
        ``bodies``, ``body``; none if absent)."""
        def given(name: str) -> frozenset[str]:
            return frozenset(params.get(name) or ())

        return cls(given("status"), given("element"), given("barrier"),
                   given("body") if bodies else frozenset())

    def __bool__(self) -> bool:
        return bool(self.statuses or self.elements or self.barriers or self.bodies)

    def standards(self, reader: LinkReader) -> frozenset[str]:
        """The standards picked, at ``reader``'s level (every standard when empty): kept
        with the reader's snapshot among the last few values asked for (``recent``; a status
        filter reads every standard's status), so shared."""
        return reader.recent(("picked", self), lambda: self._standards(reader))

    def _standards(self, reader: LinkReader) -> frozenset[str]:
        sets: list[AbstractSet[str]] = []
        if self.statuses:
            sets.append(reader.with_status(self.statuses))
        if self.elements:
            users = reader.classified_users()
            sets += [users.get(e, frozenset()) for e in self.elements]
        if self.barriers:
            users = reader.users(SG + "addressesBarrier")
            sets += [users.get(b, frozenset()) for b in self.barriers]
        if self.bodies:
            users = reader.users(SG + "publisher")
            sets.append(frozenset().union(*(users.get(b, frozenset()) for b in self.bodies)))
        if not sets:
            return frozenset(reader.instances())
        # (each set holds standards only: the links read are those of typed standards)
        sets.sort(key=len)
        out = set(sets[0])
        for other in sets[1:]:
            out.intersection_update(other)
        return frozenset(out)

    def describe(self, lab: Any, one: bool = False) -> str:
        """What the standards picked do, in plain words, after "N of M standards" ("are
        classified in Communication Layer and have one of the statuses chosen (published)";
        ``one``: after "1 of M standards"), ``lab`` naming the IRIs."""
        lab.fetch([*self.statuses, *self.elements, *self.barriers, *self.bodies])
        what = []
        if self.elements:
            what.append(("is" if one else "are") + " classified in "
                        + " and ".join(lab(e) for e in sorted(self.elements)))
        if self.barriers:
            what.append(("addresses " if one else "address ")
                        + " and ".join(lab(b) for b in sorted(self.barriers)))
        if self.bodies:
            what.append(("is" if one else "are") + " published by "
                        + " or ".join(lab(b) for b in sorted(self.bodies)))
        if self.statuses:
            what.append(("has" if one else "have") + " one of the statuses chosen ("
                        + ", ".join(lab(x) for x in sorted(self.statuses)) + ")")
        return ", ".join(what[:-1]) + " and " + what[-1] if len(what) > 1 else what[0]

    def coverage(self, reader: LinkReader, picked: AbstractSet[str], lab: Any) -> dict:
        """The coverage entry that says how many standards the filters pick (``picked``, of
        :meth:`standards`) of every standard, and by what: "1,204 of 10,114 standards are
        classified in Communication Layer: only they take part" (``link``: "selection")."""
        n, m = len(picked), len(reader.instances())
        return {"link": "selection", "label": "chosen by the filters", "with_link": n,
                "in_scope": m,
                "text": f"{n:,} of {m:,} standards " + self.describe(lab, n == 1)
                        + ": only they take part"}


@dataclass(frozen=True)
class Evidence:
    """An evidence level and the least score of a counted suggestion."""

    level: str = DEFAULT_LEVEL
    min_score: Decimal = Decimal(DEFAULT_MIN_SCORE)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"evidence level {self.level!r}: one of {', '.join(LEVELS)}")
        object.__setattr__(self, "min_score", Decimal(str(self.min_score)))

    @classmethod
    def of(cls, params: Mapping) -> Evidence:
        """From checked analysis parameters (``evidence``, ``min_score``; defaults if absent)."""
        score = params.get("min_score")
        return cls(params.get("evidence") or DEFAULT_LEVEL,
                   Decimal(DEFAULT_MIN_SCORE) if score is None else Decimal(str(score)))

    @classmethod
    def parse(cls, raw: Mapping[str, str | None]) -> Evidence:
        """From raw text values of ``evidence`` and ``min_score`` (None: the default), checked
        like an analysis' parameters (ParameterError naming a bad one)."""
        given = {k: v for k, v in raw.items() if v is not None}
        return cls.of(parse_params(evidence_params(), given))

    def describe(self) -> dict:
        """The two parameters as they are echoed in a document."""
        return {"evidence": self.level, "min_score": float(self.min_score)}

    def terms(self) -> dict[str, Literal]:
        """The filter's parameters of ``links.rq`` as RDF terms."""
        return {"stated": Literal(True),
                "reading": Literal(self.level != "stated"),
                "suggested": Literal(self.level == "all"),
                "min_score": Literal(self.min_score, datatype=XSD.decimal)}


class Either(Layered[str, frozenset[str]]):
    """``LinkReader.either``: subject -> objects, with the two views it was made from
    (``ahead``: the forward links, ``back``: the inverse ones) and what the inverse ones give
    each subject (``backwards``), for bringing it up to date."""

    ahead: Mapping[str, AbstractSet[str]]
    back: Mapping[str, AbstractSet[str]]
    backwards: Layered[str, frozenset[str]]

    @classmethod
    def of(cls, links: Layered[str, frozenset[str]], ahead: Mapping[str, AbstractSet[str]],
           back: Mapping[str, AbstractSet[str]], backwards: Layered[str, frozenset[str]]
           ) -> Either:
        found = cls.like(links)
        found.ahead, found.back, found.backwards = ahead, back, backwards
        return found


class Inverse(Layered[str, frozenset[str]]):
    """x -> ys turned round: y -> the xs linking to it, with the mapping it was made from
    (``source``), for bringing it up to date (:func:`inverse_update`)."""

    source: Mapping[str, AbstractSet[str]]

    @classmethod
    def of(cls, table: Layered[str, frozenset[str]], source: Mapping[str, AbstractSet[str]]
           ) -> Inverse:
        found = cls.like(table)
        found.source = source
        return found


def inverse_of(source: Mapping[str, AbstractSet[str]]) -> Inverse:
    """``source`` (x -> ys) turned round."""
    out: dict[str, set[str]] = defaultdict(set)
    for x, ys in source.items():
        for y in ys:
            out[y].add(x)
    return Inverse.of(layered({y: frozenset(xs) for y, xs in out.items()}), source)


def inverse_update(old: Inverse, source: Mapping[str, AbstractSet[str]], changed: Iterable[str]
                   ) -> Inverse:
    """``inverse_of(source)`` from ``old``, when only the entries of ``changed`` differ
    between ``old.source`` and ``source``."""
    before = old.source
    out = old.edit()
    for x in changed:
        was, now = before.get(x, frozenset()), source.get(x, frozenset())
        for y in set(was) - set(now):
            left = out.get(y, frozenset()) - {x}
            if left:
                out[y] = left
            elif y in out:
                out.pop(y)
        for y in set(now) - set(was):
            out[y] = out.get(y, frozenset()) | {x}
    return Inverse.of(out.done(), source)


class Classified(Layered[str, frozenset[str]]):
    """``LinkReader.classified``: standard -> elements, with ``wholes`` (part -> the series
    it is a direct part of) and the ``parts`` it was made from, kept for bringing it up to
    date."""

    wholes: Mapping[str, AbstractSet[str]]
    parts: Mapping[str, AbstractSet[str]]

    @classmethod
    def of(cls, links: Layered[str, frozenset[str]], wholes: Mapping[str, AbstractSet[str]],
           parts: Mapping[str, AbstractSet[str]]) -> Classified:
        found = cls.like(links)
        found.wholes, found.parts = wholes, parts
        return found


def _wholes(parts: Mapping[str, AbstractSet[str]]) -> Layered[str, frozenset[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for whole, ps in parts.items():
        for p in ps:
            out[p].add(whole)
    return layered({p: frozenset(ws) for p, ws in out.items()})


def _wholes_update(wholes: Mapping[str, AbstractSet[str]], before: Mapping[str, AbstractSet[str]],
                   after: Mapping[str, AbstractSet[str]], dirty: Dirty
                   ) -> Mapping[str, AbstractSet[str]]:
    """``_wholes(after)`` from ``wholes`` = ``_wholes(before)``: the series whose parts may
    differ (those with a changed sg:hasPart link or typing, and the objects of a changed
    sg:partOf link, read from the ``LinkReader.either`` values before and after) compared."""
    if not (isinstance(before, Either) and isinstance(after, Either)
            and isinstance(wholes, Layered)):
        return _wholes(after)
    series = dirty.touched((SG + "hasPart",), (STANDARD,))
    for p in dirty.touched((SG + "partOf",), (STANDARD,)):
        series |= before.back.get(p, frozenset()) | after.back.get(p, frozenset())
    out = wholes.edit()
    for w in series:
        _reindex(out, w, before.get(w, frozenset()), after.get(w, frozenset()))
    return out.done()


def _reindex(index: Edit[str, Any], value: str,
             was: AbstractSet[str], now: AbstractSet[str]) -> None:
    """``index`` (key -> values) with ``value`` taken from the keys of ``was`` not in ``now``
    (a key left with no value goes) and put under those of ``now`` not in ``was``: an inverse
    map brought up to date for one value whose keys changed."""
    for k in was - now:
        left = index.get(k, frozenset()) - {value}
        if left:
            index[k] = left
        else:
            index.pop(k)
    for k in now - was:
        index[k] = index.get(k, frozenset()) | {value}


def _with_wholes(standards: Iterable[str], wholes: Mapping[str, AbstractSet[str]]) -> set[str]:
    """``standards`` and every series they are part of, transitively."""
    seen = set(standards)
    stack = list(seen)
    while stack:
        for w in wholes.get(stack.pop(), ()):
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return seen


def elements_of(s: str, own: Mapping[str, AbstractSet[str]],
                parts: Mapping[str, AbstractSet[str]]) -> set[str]:
    """The elements of ``s`` and of its parts, transitively: ``own``, standard -> the
    elements it is classified in itself; ``parts``, whole -> its parts."""
    seen = {s}
    stack = [s]
    elems: set[str] = set()
    while stack:
        x = stack.pop()
        elems |= own.get(x, set())
        for p in parts.get(x, ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return elems


def coverage_text(n: int, m: int, phrase: str, what: str = "standards") -> str:
    """"8 of 113 standards are linked to any barrier"."""
    one = n == 1
    return f"{n:,} of {m:,} {what} " + phrase.format(be="is" if one else "are",
                                                 have="has" if one else "have",
                                                 s="s" if one else "")


@dataclass
class LinkReader:
    """The links of one store at one evidence level, each property read once.

    It reads through the store's :class:`~stdgraph.analysis.snapshot.Snapshot` (the one the
    server's query runner keeps per store version, or a new one; always a new one on a remote
    server, whose version is unknown): one scan per property, the evidence filter decided in
    Python, and what is derived here (``classified``, ``current``, ...) kept with the snapshot.
    A store of another kind (none today: ``snapshot.FAST_KINDS``) asks ``links.rq``, the same
    filter in SPARQL, which the tests hold the snapshot to. The dicts and sets returned are
    shared: do not change them."""

    store: Store
    evidence: Evidence = field(default_factory=Evidence)
    snapshot: Snapshot | None = None
    _links: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict, repr=False)
    _instances: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.snapshot is None and self.store.kind in FAST_KINDS:
            self.snapshot = snapshot(self.store)

    def memoised(self, key: Any, compute: Callable[[], _T],
                 update: Callable[[_T, Dirty], _T | None] | None = None) -> _T:
        """``compute()``, kept with the snapshot (for this store version and evidence level)
        or, without one, for this reader's life; ``update`` brings an earlier version's value
        up to date (``Snapshot.memoised``)."""
        key = (self.evidence, key)
        if self.snapshot is not None:
            return self.snapshot.memoised(key, compute, update)
        if key not in self._memo:
            self._memo[key] = compute()
        found: _T = self._memo[key]
        return found

    def recent(self, key: Any, compute: Callable[[], _T]) -> _T:
        """``compute()``, kept with the snapshot among its last few such values
        (``Snapshot.recent``: for values keyed by a request's filters), else for this
        reader's life."""
        key = (self.evidence, key)
        if self.snapshot is not None:
            return self.snapshot.recent(key, compute)
        if key not in self._memo:
            self._memo[key] = compute()
        found: _T = self._memo[key]
        return found

    def links(self, predicate: str, subject_type: str = STANDARD
              ) -> Mapping[str, AbstractSet[str]]:
        """subject -> the objects of its ``predicate`` links that count at this level (a set
        of IRIs)."""
        if self.snapshot is not None:
            return self.snapshot.links(self.store, self.evidence, predicate, subject_type)
        return self.query_links(predicate, subject_type)

    def query_links(self, predicate: str, subject_type: str = STANDARD) -> dict[str, set[str]]:
        """``links`` as one ``links.rq`` query (the evidence filter in SPARQL)."""
        key = (predicate, subject_type)
        if key not in self._links:
            rows = QUERIES.select(self.store, "links", predicate=URIRef(predicate),
                                  subject_type=URIRef(subject_type), **self.evidence.terms())
            found: dict[str, set[str]] = {}
            for s, os in rows:
                if s is not None and os is not None and str(os):
                    found.setdefault(str(s), set()).update(str(os).split())
            self._links[key] = found
        return self._links[key]

    def either(self, forward: str, inverse: str, subject_type: str, object_type: str
               ) -> Mapping[str, AbstractSet[str]]:
        """subject -> objects of ``forward`` links, with ``inverse`` links read backwards
        (``sg:delivers`` from roadmap items and ``sg:deliveredBy`` from standards)."""
        return self.memoised(
            ("either", forward, inverse, subject_type, object_type),
            lambda: self._either(forward, inverse, subject_type, object_type),
            lambda old, dirty: self._either_update(old, dirty, forward, inverse, subject_type,
                                                   object_type))

    def _either(self, forward: str, inverse: str, subject_type: str, object_type: str
                ) -> Either:
        ahead, back = self.links(forward, subject_type), self.links(inverse, object_type)
        out: dict[str, set[str]] = defaultdict(set)
        backwards: dict[str, set[str]] = defaultdict(set)
        for s, os in ahead.items():
            out[s] |= os
        for o, ss in back.items():
            for s in ss:
                out[s].add(o)
                backwards[s].add(o)
        return Either.of(layered({s: frozenset(os) for s, os in out.items()}), ahead, back,
                         layered({s: frozenset(os) for s, os in backwards.items()}))

    def _either_update(self, old: Either, dirty: Dirty, forward: str, inverse: str,
                       subject_type: str, object_type: str) -> Either | None:
        """``old`` with the subjects whose links either way may have changed read again: those
        of a changed ``forward`` link, and the objects of a changed ``inverse`` link before and
        after (``old`` keeps the views it was made from)."""
        if dirty.everything or not isinstance(old, Either):
            return None
        ahead_dirty = dirty.touched((forward,), (subject_type,))
        back_dirty = dirty.touched((inverse,), (object_type,))
        if not ahead_dirty and not back_dirty:
            return old
        ahead, back = self.links(forward, subject_type), self.links(inverse, object_type)
        backwards = old.backwards.edit()
        affected = set(ahead_dirty)
        for o in back_dirty:
            before, after = old.back.get(o, frozenset()), back.get(o, frozenset())
            _reindex(backwards, o, before, after)
            affected |= before ^ after
        out = old.edit()
        for s in affected:
            found = ahead.get(s, frozenset()) | backwards.get(s, frozenset())
            if found:
                out[s] = frozenset(found)
            elif s in out:
                out.pop(s)
        return Either.of(out.done(), ahead, back, backwards.done())

    def users(self, predicate: str, subject_type: str = STANDARD) -> Mapping[str, AbstractSet[str]]:
        """``links(predicate, subject_type)`` turned round: object -> the subjects whose link
        to it counts; kept with the snapshot and brought up to date."""
        def update(old: Inverse, dirty: Dirty) -> Inverse | None:
            if dirty.everything or not isinstance(old, Inverse):
                return None
            return inverse_update(old, self.links(predicate, subject_type),
                                  dirty.touched((predicate,), (subject_type,)))
        return self.memoised(("users", predicate, subject_type),
                             lambda: inverse_of(self.links(predicate, subject_type)), update)

    def classified_users(self) -> Mapping[str, AbstractSet[str]]:
        """``classified()`` turned round: element -> the standards classified in it; kept
        with the snapshot and brought up to date."""
        def update(old: Inverse, dirty: Dirty) -> Inverse | None:
            if dirty.everything or not isinstance(old, Inverse):
                return None
            new = self.classified()
            return inverse_update(old, new, self.classification_changes(dirty, old.source, new))
        return self.memoised("classified-users", lambda: inverse_of(self.classified()), update)

    def instances(self, cls: str = STANDARD) -> set[str]:
        """Every subject typed ``cls``."""
        if self.snapshot is not None:
            return self.snapshot.instances(self.store, cls)
        if cls not in self._instances:
            self._instances[cls] = {str(x) for (x,) in QUERIES.select(
                self.store, "instances", **{"class": URIRef(cls)})}
        return self._instances[cls]

    def parts(self) -> Mapping[str, AbstractSet[str]]:
        """whole -> its parts (``sg:hasPart``, or ``sg:partOf`` read backwards), at this
        level."""
        return self.either(SG + "hasPart", SG + "partOf", STANDARD, STANDARD)

    def classified(self) -> Mapping[str, AbstractSet[str]]:
        """standard -> the elements it is classified in at this level: its own links, and,
        for a series, those of its parts (transitively, each part-of link at this level too)."""
        return self.memoised("classified", self._classified, self._classified_update)

    def _classified(self) -> Classified:
        own = self.links(SG + "classifiedIn")
        parts = self.parts()
        out = {}
        for s in set(own) | set(parts):
            elems = elements_of(s, own, parts)
            if elems:
                out[s] = frozenset(elems)
        return Classified.of(layered(out), _wholes(parts), parts)

    def classification_changes(self, dirty: Dirty, old: Mapping[str, AbstractSet[str]],
                               new: Mapping[str, AbstractSet[str]]) -> set[str]:
        """The standards whose ``classified`` entry may differ between ``old`` and ``new``
        (two values of it) after the writes ``dirty`` describes: those whose classification,
        part-of links or typing changed, and the series they are part of, before or after."""
        changed = dirty.touched((SG + "classifiedIn", SG + "partOf", SG + "hasPart"),
                                (STANDARD,))
        if not changed:
            return changed
        return (_with_wholes(changed, getattr(old, "wholes", {}))
                | _with_wholes(changed, getattr(new, "wholes", {})))

    def _classified_update(self, old: Mapping[str, AbstractSet[str]], dirty: Dirty
                           ) -> Classified | None:
        """Only the standards whose links (or whose parts' links) changed, recomputed."""
        if dirty.everything or not isinstance(old, Classified):
            return None
        if not dirty.touched((SG + "classifiedIn", SG + "partOf", SG + "hasPart"),
                             (STANDARD,)):
            return old
        own = self.links(SG + "classifiedIn")
        parts = self.parts()
        wholes = _wholes_update(old.wholes, old.parts, parts, dirty)
        out = old.edit()
        for s in self.classification_changes(dirty, old, Classified.of(old, wholes, parts)):
            elems = elements_of(s, own, parts)
            if elems:
                out[s] = frozenset(elems)
            elif s in out:
                out.pop(s)
        return Classified.of(out.done(), wholes, parts)

    def counted(self, rows: Iterable[tuple[str, str, str, _T]], subject_type: str = STANDARD
                ) -> list[tuple[str, str, str, _T]]:
        """Those of ``rows`` ``(a, property, b, graph)`` whose link ``a property b`` counts at
        this level (``a`` typed ``subject_type``): a counted link keeps every row (each graph
        holding it, the inferred one too), a link that does not count loses all of its. A
        link only the inferred graph holds counts only through a record, as in ``links``:
        whoever reads relations or mappings reads their other directions itself."""
        views: dict[str, Mapping[str, AbstractSet[str]]] = {}
        out = []
        for a, p, b, g in rows:
            view = views.get(p)
            if view is None:
                view = views[p] = self.links(p, subject_type)
            if b in view.get(a, ()):
                out.append((a, p, b, g))
        return out

    def mappings(self) -> set[tuple[str, str, str]]:
        """``(a, property, b)`` of every architecture mapping (a SKOS mapping property,
        ``MAPPING_PROPS``, from an ``sg:ArchitectureElement``) that counts at this level: its
        ``sg:ArchitectureMapping`` record (mappingSubject/Relation/Object) is of an accepted
        kind, or it has none and a graph holding it states it."""
        return self.memoised("mappings", lambda: {
            (a, p, b) for p in MAPPING_PROPS for a, bs in self.links(p, ELEMENT).items()
            for b in bs})

    def mapping_coverage(self) -> dict:
        """The coverage entry of the architecture mappings: how many architecture elements
        are mapped to another one (either end of a counted mapping between two) out of every
        one. (An element's exactMatch to its I40KG twin is no such mapping.)"""
        elements = self.instances(ELEMENT)
        ends = {x for a, _p, b in self.mappings() if a in elements and b in elements
                for x in (a, b)}
        return self.coverage(SKOS + "mappingRelation", ends, elements, "architecture elements")

    def relation_coverage(self, references: Iterable[str] = ()) -> list[dict]:
        """The coverage entries of the relations between standards that make an overlap
        ``related`` (``RELATION_KINDS``; ``references``: the sub-properties of sg:references
        the store declares, read with it), over every standard: part-of, supersession and
        sg:relatedTo count both ends, a reference its referrer."""
        scope = self.instances()
        out = []
        for kind, props in RELATION_KINDS.items():
            if kind == SG + "references":
                props = tuple(sorted(set(props) | set(references)))
            ends: set[str] = set()
            for p in props:
                for a, bs in self.links(p).items():
                    ends.add(a)
                    if kind != SG + "references":
                        ends |= bs
            out.append(self.coverage(kind, ends, scope))
        return out

    def statuses(self) -> Mapping[str, AbstractSet[str]]:
        """standard -> its statuses (``sg:status``) at this level."""
        return self.links(SG + "status")

    def with_status(self, statuses: Iterable[str]) -> set[str]:
        """The standards with one of ``statuses`` (``sg:status`` at this level; a standard
        with several counts when any of them is one), from the kept index status ->
        standards."""
        by_status = self.users(SG + "status")
        standards = self.instances()
        out: set[str] = set()
        for st in set(statuses):
            out |= {s for s in by_status.get(st, ()) if s in standards}
        return out

    def current(self) -> set[str]:
        """The standards not withdrawn or superseded at this level (unknown counts)."""
        return self.memoised("current", self._current, self._current_update)

    def _current(self) -> set[str]:
        st = self.statuses()
        return {s for s in self.instances() if not st.get(s, set()) & set(RETIRED)}

    def _current_update(self, old: set[str], dirty: Dirty) -> set[str] | None:
        if dirty.everything:
            return None
        changed = dirty.touched((SG + "status",), (STANDARD,))
        if not changed:
            return old
        st, standards = self.statuses(), self.instances()
        out = set(old)
        for s in changed:
            if s in standards and not st.get(s, set()) & set(RETIRED):
                out.add(s)
            else:
                out.discard(s)
        return out

    def coverage(self, link: str, with_link: Iterable[str], in_scope: set[str] | frozenset[str],
                 what: str = "standards") -> dict:
        """The coverage entry of ``link``: how many of ``in_scope`` are in ``with_link``
        (counted once per store version for the same two collections: kept with the
        snapshot, which the analyses share)."""
        label, phrase = LINKS.get(link, (link.rsplit("#", 1)[-1], "{have} such a link"))
        def count() -> tuple[Any, Any, int]:
            if isinstance(with_link, Layered):
                return with_link, in_scope, with_link.count_in(in_scope)
            return with_link, in_scope, len(in_scope.intersection(with_link))
        key = ("coverage-count", link, id(with_link), id(in_scope))
        # (kept for what lasts the version: a kept mapping or its key set)
        held = (self.snapshot.once(key, count) if self.snapshot is not None
                and isinstance(with_link, Layered | frozenset) else count())
        n = held[2]
        if held[0] is not with_link or held[1] is not in_scope:
            n = count()[2]  # (other collections that had the same ids)
        return {"link": link, "label": label, "with_link": n, "in_scope": len(in_scope),
                "text": coverage_text(n, len(in_scope), phrase, what)}

    def status_coverage(self, in_scope: set[str] | frozenset[str]) -> dict:
        """The coverage entry of ``sg:status`` over ``in_scope``; its text says how many have
        no known status."""
        statuses = self.statuses()
        # (a view holds the subjects with a status only)
        known = (statuses if isinstance(statuses, Layered)
                 else {s for s, v in statuses.items() if v})
        entry = self.coverage(SG + "status", known, in_scope)
        unknown = entry["in_scope"] - entry["with_link"]
        entry["text"] = (f"{unknown} of {entry['in_scope']} standards have no known status "
                         "(counted as current)") if unknown != 1 else (
            f"1 of {entry['in_scope']} standards has no known status (counted as current)")
        return entry
