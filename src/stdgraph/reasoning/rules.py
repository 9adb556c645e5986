"""OWL 2 RL inference compiled to rules and run to a fixpoint, in batch and incrementally.

owlrl (``reasoning.infer.owlrl_closure``) is the reference: it re-applies every OWL 2 RL rule
to every triple until nothing changes, which takes seconds for thousands of triples and hours
for millions. This module computes the same entailments for the OWL constructs stdgraph's
ontology, STO and the I40KG actually use, in time linear in the size of the closure:

1. **Schema, in Python.** The schema triples of the graph (``rdfs:subClassOf``,
   ``owl:equivalentClass``, ``owl:unionOf``, ``owl:intersectionOf``, ``owl:oneOf``,
   ``owl:hasValue`` restrictions, ``rdfs:subPropertyOf``, ``owl:equivalentProperty``,
   ``owl:inverseOf``, ``rdfs:domain``, ``rdfs:range``, ``owl:propertyChainAxiom`` and the
   property characteristics symmetric, transitive, functional and inverse-functional) are closed
   as the scm-* rules close them: super-classes and super-properties reflexive-transitively with
   the equivalences, domains and ranges inherited down the property hierarchy and up the class
   hierarchy (scm-dom1/2, scm-rng1/2), scm-uni, scm-int, scm-hv, cls-oo. The result is both a
   set of schema triples (they are entailments too, e.g. ``sto:isPartOf rdfs:domain
   sg:Standard``) and per-property and per-class rule tables.
2. **Instance rules, semi-naive.** Every triple is encoded as three integers and kept in two
   per-predicate indexes (subject -> objects, object -> subjects; the asserted triples once
   more in a third, ``FactSet``), whose values are shared 1-tuples, small tuples or sets, by
   size, to keep the memory down (``Values``). A triple is processed once,
   when it is first derived, by the rules the schema compiled for its predicate: prp-dom,
   prp-rng, prp-spo1, prp-eqp1/2, prp-inv1/2, prp-symp, prp-trp, prp-spo2 (chains of any
   length), prp-fp, prp-ifp, cax-sco, cax-eqc1/2, cls-uni, cls-int1/2, cls-hv1/2, and the
   equality rules eq-sym, eq-trans, eq-rep-s, eq-rep-p, eq-rep-o. Rules with two premises join
   the new triple against the indexes in both premise positions, so the fixpoint is reached in
   one pass over the derived triples.
3. **Meta-modelling.** If the instance rules derive a schema triple (a sub-property of
   ``rdfs:subClassOf``, an ``owl:sameAs`` between classes, ...), the schema is compiled again
   from the closure and the rules are re-run until the schema is stable, so such graphs still
   get the closure owlrl computes.
4. **Incremental updates** (``Reasoner.update``, ``infer_delta``): an addition derives forward
   from the new triples only; a removal runs DRed (delete and rederive): everything derivable
   from the removed triples is over-deleted, then each over-deleted triple that still has a
   one-step derivation from what is left is put back and derivation resumes from it. A change
   that touches the schema recomputes the closure. The result is tested to be identical to a
   full recomputation (tests/reasoning/test_rules.py).

What is *not* reproduced, on purpose, because it never yields an informative triple
(``stdgraph.reasoning.informative.is_informative``) for graphs that do not make axioms about
the built-in vocabulary (``rdf:``, ``rdfs:``, ``owl:``, ``xsd:`` terms as subjects of axioms, or
``owl:Thing``/``owl:Nothing`` in class axioms): eq-ref (``x owl:sameAs x`` for every term), the
``owl:Thing``/``owl:Nothing`` half of scm-cls (``C rdfs:subClassOf owl:Thing``), cls-thing,
cls-nothing1, prp-ap, dt-type1, and dt-type2 for literals (``"1"^^xsd:int rdf:type xsd:int``),
which is done here only for literals that take part in ``owl:sameAs``, the one way it can reach
a resource. The reflexive half of scm-cls, scm-op and scm-dp (``C rdfs:subClassOf C``, ``P
rdfs:subPropertyOf P`` for declared classes and properties) *is* kept, since ``owl:sameAs``
between classes or properties copies it onto other terms. The consistency checks (cax-dw,
prp-irp, prp-asyp, eq-diff*, cls-nothing2, cls-com, ...) only make owlrl add error messages on
blank nodes, which the filter drops; they are not run. Graphs that use ``owl:someValuesFrom``,
``owl:allValuesFrom``, ``owl:maxCardinality``, ``owl:maxQualifiedCardinality`` or
``owl:hasKey`` raise ``UnsupportedConstruct`` (``stdgraph.reasoning.infer.infer`` then falls back to
owlrl).

Why Python rather than SPARQL updates inside the store: the same rules as ``INSERT ... WHERE``
updates run to a fixpoint in an in-memory pyoxigraph store take about 3 times as long as the
closure here at 10k and 100k standards (``benchmarks/inference.py``), need the same schema
compilation in Python anyway, and give no cheap way to keep the support of the
non-informative intermediate triples (blank-node and literal subjects) that the exact closure
depends on. The store receives the result: ``write_delta`` applies an update's delta to the
inferred graph of any stdgraph store with one SPARQL update.

A ``Reasoner`` holds the whole closure in memory: about 320 MiB at 100k synthetic standards
(1.6M triples, 400k terms; ``benchmarks/inference_memory.py``), of which the rdflib terms and
their ids take about a third. It is not thread-safe: serialise writes, as ``change.guard`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from stdgraph.errors import StdgraphError
from stdgraph.rdf.io import to_oxigraph
from stdgraph.rdf.namespaces import INFERRED_GRAPH, META_GRAPH
from stdgraph.rdf.results import Triple
from stdgraph.reasoning.informative import REFLEXIVE, informative_statement, informative_subject
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store

Fact = tuple[int, int, int]
Out = Callable[[int, int, int], None]
#: the objects of a subject (or subjects of an object) under one predicate: a tuple while there
#: are at most ``SMALL`` of them (``in`` and adding are linear in a tuple, cheap at that size),
#: then a set. Both answer ``in`` and iterate, so readers need not tell them apart. Most keys have
#: one value, and its 1-tuple is shared (``Reasoner._one``): a set per key, even of one, takes
#: 216 bytes, which made the indexes most of the reasoner's memory. ``type(v) is tuple`` tells
#: them apart (on a set, three times faster than ``isinstance``); mypy narrows only the branch
#: where it holds, so the set branches carry ``type: ignore[union-attr]``.
Values = tuple[int, ...] | set[int]
SMALL = 8

#: predicates whose triples make up the schema the rules are compiled from
SCHEMA_PREDICATES = (
    RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
    OWL.inverseOf, RDFS.domain, RDFS.range, OWL.propertyChainAxiom, OWL.onProperty,
    OWL.hasValue, OWL.oneOf, OWL.unionOf, OWL.intersectionOf,
    # not supported (raise UnsupportedConstruct), listed so that deriving one is noticed
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.maxCardinality, OWL.maxQualifiedCardinality,
    OWL.hasKey,
)
UNSUPPORTED_PREDICATES = (
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.maxCardinality, OWL.maxQualifiedCardinality,
    OWL.hasKey,
)
#: ``P rdf:type X`` triples that change the rules
SCHEMA_TYPES = (
    OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    # scm-op / scm-dp / scm-cls: reflexive sub-property and sub-class triples (scm-hv looks
    # for the former; owl:sameAs can copy both onto other terms)
    OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.Class,
)
_DATATYPES = frozenset(OWL_RL_Datatypes)

IRI, BLANK, LITERAL = 0, 1, 2
UNKNOWN, YES, NO = 0, 1, 2


class UnsupportedConstruct(StdgraphError):
    """The graph uses an OWL 2 RL construct the compiled rules do not implement."""


@dataclass
class InferenceDelta:
    """How the inferred (informative, not asserted) triples changed."""

    added: set[Triple] = field(default_factory=set)
    removed: set[Triple] = field(default_factory=set)
    #: True when the change touched the schema and the closure was recomputed
    recomputed: bool = False

    def then(self, later: InferenceDelta) -> InferenceDelta:
        """This change followed by ``later``, as one change."""
        return InferenceDelta(
            (self.added - later.removed) | (later.added - self.removed),
            (self.removed - later.added) | (later.removed - self.added),
            self.recomputed or later.recomputed,
        )


@dataclass
class Schema:
    """The schema closure and the rule tables compiled from it (all terms as integer ids)."""

    sup_p: dict[int, tuple[int, ...]] = field(default_factory=dict)  # strict super-properties
    sub_p: dict[int, tuple[int, ...]] = field(default_factory=dict)
    inv: dict[int, tuple[int, ...]] = field(default_factory=dict)
    sym: frozenset[int] = frozenset()
    trans: frozenset[int] = frozenset()
    func: frozenset[int] = frozenset()
    ifp: frozenset[int] = frozenset()
    dom: dict[int, tuple[int, ...]] = field(default_factory=dict)  # closed (scm-dom1/2)
    rng: dict[int, tuple[int, ...]] = field(default_factory=dict)
    dom_rev: dict[int, tuple[int, ...]] = field(default_factory=dict)
    rng_rev: dict[int, tuple[int, ...]] = field(default_factory=dict)
    sup_c: dict[int, tuple[int, ...]] = field(default_factory=dict)  # strict super-classes
    sub_c: dict[int, tuple[int, ...]] = field(default_factory=dict)
    hv_by_class: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    hv_by_p: dict[int, dict[int, tuple[int, ...]]] = field(default_factory=dict)
    int_lists: dict[int, tuple[tuple[int, ...], ...]] = field(default_factory=dict)
    int_by_member: dict[int, tuple[int, ...]] = field(default_factory=dict)
    chain_at: dict[int, tuple[tuple[tuple[int, ...], int, int], ...]] = field(default_factory=dict)
    chains_to: dict[int, tuple[tuple[int, ...], ...]] = field(default_factory=dict)
    list_nodes: frozenset[int] = frozenset()
    #: schema triples the tables were compiled from, plus those the compilation derived
    known: set[Fact] = field(default_factory=set)
    #: triples the compilation derived (scm-*, cls-oo, datatype subsumptions): always true
    axioms: set[Fact] = field(default_factory=set)


def _discard(index: dict[int, Values], key: int, value: int) -> None:
    """Remove ``value`` from the values of ``key`` in a per-predicate index."""
    values = index[key]
    if type(values) is tuple:
        if len(values) == 1:
            del index[key]
        else:
            i = values.index(value)
            index[key] = values[:i] + values[i + 1:]
    else:
        values.discard(value)  # type: ignore[union-attr]  # a set: see Values
        if not values:
            del index[key]


class FactSet:
    """A set of facts held as predicate -> subject -> objects, like the closure's own index:
    about a quarter of the memory of a set of 3-tuples (and the asserted triples are most of the
    closure). Supports what ``Reasoner`` asks of its asserted triples: ``in``, adding and
    discarding (telling which facts were new or present), iteration, ``len`` and copies with
    facts added or taken away."""

    __slots__ = ("by_p", "_one", "_len")

    def __init__(self, one: list[tuple[int]], facts: Iterable[Fact] = ()) -> None:
        self.by_p: dict[int, dict[int, Values]] = {}
        self._one = one  # the reasoner's shared 1-tuples
        self._len = 0
        self.update(facts)

    def __contains__(self, f: Fact) -> bool:
        d = self.by_p.get(f[1])
        if d is None:
            return False
        os_ = d.get(f[0])
        return os_ is not None and f[2] in os_

    def update(self, facts: Iterable[Fact], added: set[Fact] | None = None) -> None:
        """Add ``facts``; those not already in the set are also put in ``added``, if given."""
        by_p, one, n = self.by_p, self._one, self._len
        for f in facts:
            s, p, o = f
            d = by_p.get(p)
            if d is None:
                d = by_p[p] = {}
            os_ = d.get(s)
            if os_ is None:
                d[s] = one[o]
            elif o in os_:
                continue
            elif type(os_) is tuple:
                d[s] = os_ + (o,) if len(os_) < SMALL else {*os_, o}
            else:
                os_.add(o)  # type: ignore[union-attr]  # a set: see Values
            n += 1
            if added is not None:
                added.add(f)
        self._len = n

    def difference_update(self, facts: Iterable[Fact], removed: set[Fact] | None = None) -> None:
        """Take ``facts`` away; those that were in the set are also put in ``removed``."""
        by_p = self.by_p
        for f in facts:
            s, p, o = f
            d = by_p.get(p)
            if d is None or o not in d.get(s, ()):
                continue
            _discard(d, s, o)
            if not d:
                del by_p[p]
            self._len -= 1
            if removed is not None:
                removed.add(f)

    def __iter__(self) -> Iterator[Fact]:
        for p, d in self.by_p.items():
            for s, os_ in d.items():
                for o in os_:
                    yield s, p, o

    def __len__(self) -> int:
        return self._len

    def union(self, facts: Iterable[Fact]) -> FactSet:
        out = FactSet(self._one, self)
        out.update(facts)
        return out

    def difference(self, facts: Iterable[Fact]) -> FactSet:
        out = FactSet(self._one, self)
        out.difference_update(facts)
        return out


def _closure(edges: dict[int, set[int]]) -> dict[int, tuple[int, ...]]:
    """Nodes reachable from each node in one or more steps, without the node itself."""
    out: dict[int, tuple[int, ...]] = {}
    for start in edges:
        seen: set[int] = set()
        todo = list(edges[start])
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(edges.get(n, ()))
        seen.discard(start)
        if seen:
            out[start] = tuple(seen)
    return out


def _reverse(m: dict[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    rev: dict[int, list[int]] = {}
    for k, vs in m.items():
        for v in vs:
            rev.setdefault(v, []).append(k)
    return {k: tuple(v) for k, v in rev.items()}


def _hierarchy(edges: dict[int, set[int]], sub: int, eq: int,
               axioms: set) -> tuple[dict[int, tuple[int, ...]], dict[int, tuple[int, ...]]]:
    """Super- and sub-terms of a sub-class or sub-property hierarchy, and the axioms it entails:
    ``X sub Y`` for every pair, ``X eq Y`` where each is below the other (scm-sco / scm-eqc2,
    scm-spo / scm-eqp2)."""
    sup = _closure(edges)
    for x, ups in sup.items():
        for y in ups:
            axioms.add((x, sub, y))
            if x in sup.get(y, ()):
                axioms.add((x, eq, y))
    return sup, _reverse(sup)


class Reasoner:
    """The OWL 2 RL closure of a set of asserted triples, kept up to date under changes.

    ``Reasoner(triples)`` computes the closure; ``inferred()`` yields the informative entailments
    that are not asserted (what ``stdgraph.reasoning.infer.infer`` returns); ``update(added,
    removed)`` changes the asserted triples and returns how the inferred triples changed.
    """

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.ids: dict[Node, int] = {}
        self.terms: list[Node] = []
        self._one: list[tuple[int]] = []  # (i,) for term id i, shared by the indexes
        self.kind = bytearray()
        #: per term id, whether it may be the subject of an informative triple (0: not known yet)
        self._subject_ok = bytearray()
        self.base = FactSet(self._one, map(self._encode, triples))  # asserted
        c = self._id
        self.TYPE, self.SAME = c(RDF.type), c(OWL.sameAs)
        self.FIRST, self.REST, self.NIL = c(RDF.first), c(RDF.rest), c(RDF.nil)
        self._schema_p = frozenset(c(t) for t in SCHEMA_PREDICATES)
        self._unsupported_p = frozenset(c(t) for t in UNSUPPORTED_PREDICATES)
        self._schema_types = frozenset(c(t) for t in SCHEMA_TYPES)
        self._datatypes = frozenset(c(t) for t in _DATATYPES)
        self._watch = self._schema_p | {self.TYPE, self.FIRST, self.REST}
        self._reflexive = frozenset(c(t) for t in REFLEXIVE)
        self._statement_ok: dict[tuple[int, int], bool] = {}
        self._rebuild()

    @classmethod
    def from_store(cls, store: Store) -> Reasoner:
        """The closure of what a stdgraph store asserts: every named graph except the inferred
        graph and the build record (a triple held by several graphs counts once)."""
        skip = {INFERRED_GRAPH, META_GRAPH}

        def asserted() -> Iterator[Triple]:
            for g in store.graph_names():
                if g not in skip:
                    yield from store.triples(g)

        return cls(asserted())

    # -- terms ------------------------------------------------------------------------------------
    def _id(self, term: Node) -> int:
        i = self.ids.get(term)
        if i is None:
            i = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self._one.append((i,))
            self.kind.append(LITERAL if isinstance(term, Literal)
                             else BLANK if isinstance(term, BNode) else IRI)
            self._subject_ok.append(UNKNOWN)
        return i

    def _encode(self, t: Triple) -> Fact:
        get = self.ids.get
        s, p, o = get(t[0]), get(t[1]), get(t[2])
        if s is None or p is None or o is None:  # a term not seen before
            return self._id(t[0]), self._id(t[1]), self._id(t[2])
        return s, p, o

    def _decode(self, f: Fact) -> Triple:
        t = self.terms
        return t[f[0]], t[f[1]], t[f[2]]

    # -- facts ------------------------------------------------------------------------------------
    def __contains__(self, t: Triple) -> bool:
        ids = self.ids
        try:
            s, p, o = ids[t[0]], ids[t[1]], ids[t[2]]
        except KeyError:
            return False
        return self._has(s, p, o)

    def asserts(self, t: Triple) -> bool:
        """``t`` is one of the asserted triples (not only entailed)."""
        ids = self.ids
        try:
            return (ids[t[0]], ids[t[1]], ids[t[2]]) in self.base
        except KeyError:
            return False

    def _has(self, s: int, p: int, o: int) -> bool:
        d = self.sp.get(p)
        if d is None:
            return False
        os_ = d.get(s)
        return os_ is not None and o in os_

    def _objects(self, s: int, p: int) -> Iterable[int]:
        d = self.sp.get(p)
        return d.get(s, ()) if d else ()

    def _subjects(self, p: int, o: int) -> Iterable[int]:
        d = self.op.get(p)
        return d.get(o, ()) if d else ()

    def __len__(self) -> int:
        return sum(len(v) for d in self.sp.values() for v in d.values())

    def facts(self) -> Iterator[Fact]:
        for p, d in self.sp.items():
            for s, os_ in d.items():
                for o in os_:
                    yield s, p, o

    def closure(self) -> Iterator[Triple]:
        """Every triple of the closure, asserted ones included (no tautologies, see above)."""
        for f in self.facts():
            yield self._decode(f)

    def _informative_subject(self, s: int) -> bool:
        """``informative_subject`` of term ``s``, computed once per term."""
        ok = self._subject_ok[s]
        if ok == UNKNOWN:
            ok = self._subject_ok[s] = YES if informative_subject(self.terms[s]) else NO
        return ok == YES

    def _is_informative(self, f: Fact) -> bool:
        """``reasoning.informative.is_informative`` of the decoded triple, from cached parts."""
        s, p, o = f
        kind = self.kind
        if kind[p] == BLANK:  # generalized triple: owlrl removes them at the end
            return False
        ok = self._subject_ok[s]
        if ok == NO or (ok == UNKNOWN and not self._informative_subject(s)):
            return False
        if s == o and p in self._reflexive:
            return False
        if kind[o] == LITERAL:
            return informative_statement(self.terms[p], self.terms[o])
        key = (p, o)
        known = self._statement_ok.get(key)
        if known is None:
            known = self._statement_ok[key] = informative_statement(self.terms[p], self.terms[o])
        return known

    def inferred(self) -> Iterator[Triple]:
        """The informative entailments that are not asserted (``_is_informative``, unrolled)."""
        base, kind, terms = self.base, self.kind, self.terms
        subject_ok, statement_ok = self._subject_ok, self._statement_ok
        for p, d in self.sp.items():
            if kind[p] == BLANK:
                continue
            tp, refl = terms[p], p in self._reflexive
            asserted = base.by_p.get(p, {})
            for s, os_ in d.items():
                ok = subject_ok[s]
                if ok == NO or (ok == UNKNOWN and not self._informative_subject(s)):
                    continue
                ts = terms[s]
                told = asserted.get(s, ())
                for o in os_:
                    if o in told or (refl and s == o):
                        continue
                    if kind[o] == LITERAL:
                        if not informative_statement(tp, terms[o]):
                            continue
                    else:
                        stmt_ok = statement_ok.get((p, o))
                        if stmt_ok is None:
                            stmt_ok = statement_ok[(p, o)] = informative_statement(tp, terms[o])
                        if not stmt_ok:
                            continue
                    yield ts, tp, terms[o]

    def inferred_graph(self) -> Graph:
        g = Graph()
        for t in self.inferred():
            g.add(t)
        return g

    # -- insertion and the fixpoint ---------------------------------------------------------------
    def _insert(self, s: int, p: int, o: int) -> None:
        """Add a derived (or asserted) fact; it is queued for the rules if it is new."""
        d = self.sp.get(p)
        if d is None:
            d = self.sp[p] = {}
            self.op[p] = {}
        os_ = d.get(s)
        if os_ is None:
            d[s] = self._one[o]
        elif o in os_:
            return
        elif type(os_) is tuple:
            d[s] = os_ + (o,) if len(os_) < SMALL else {*os_, o}
        else:
            os_.add(o)  # type: ignore[union-attr]  # a set: see Values
        r = self.op[p]
        ss = r.get(o)
        if ss is None:
            r[o] = self._one[s]
        elif type(ss) is tuple:
            r[o] = ss + (s,) if len(ss) < SMALL else {*ss, s}
        else:
            ss.add(s)  # type: ignore[union-attr]  # a set: see Values
        f = (s, p, o)
        self._stack.append(f)
        if self._log is not None:
            self._log.append(f)
        if p in self._watch and f not in self.schema.known and self._is_schema_fact(f):
            self._schema_dirty = True

    def _delete(self, f: Fact) -> None:
        s, p, o = f
        _discard(self.sp[p], s, o)
        _discard(self.op[p], o, s)

    def _saturate(self) -> None:
        stack, fire, out = self._stack, self._fire, self._insert
        while stack:
            s, p, o = stack.pop()
            fire(s, p, o, out)

    def _rebuild(self) -> None:
        """Compute the closure of ``base`` from scratch."""
        self.sp: dict[int, dict[int, Values]] = {}  # predicate -> subject -> objects
        self.op: dict[int, dict[int, Values]] = {}  # predicate -> object -> subjects
        self.schema = Schema()
        self._stack: list[Fact] = []
        self._log: list[Fact] | None = None
        self._schema_dirty = False
        self._literal_axioms: set[Fact] = set()
        stack, insert = self._stack, self._insert
        for s, p, o in self.base:
            insert(s, p, o)
            stack.clear()  # fired below, straight from ``base``
        first = True
        while True:
            self.schema = self._compile()
            self._schema_dirty = False
            for f in self.schema.axioms:
                self._insert(*f)
            self._saturate()
            # every fact meets the (new) rules; the asserted ones are fired straight from
            # ``base`` rather than queued, which would hold a second tuple for each
            for s, p, o in self.base if first else list(self.facts()):
                self._fire(s, p, o, self._insert)
                self._saturate()
            first = False
            if not self._schema_dirty:
                return

    # -- the schema -------------------------------------------------------------------------------
    def _list(self, head: int) -> list[int]:
        """The members of an RDF list, as rdflib's ``Graph.items`` reads them."""
        items: list[int] = []
        seen = {head}
        node: int | None = head
        while node is not None:
            first = next(iter(self._objects(node, self.FIRST)), None)
            if first is not None:
                items.append(first)
            node = next(iter(self._objects(node, self.REST)), None)
            if node is None or node in seen:
                break
            seen.add(node)
        self._list_nodes.update(seen)
        return items

    def _pairs(self, p: int) -> Iterator[tuple[int, int]]:
        for s, os_ in self.sp.get(p, {}).items():
            for o in os_:
                yield s, o

    def _compile(self) -> Schema:
        c = self._id
        for p in self._unsupported_p:
            if self.sp.get(p):
                raise UnsupportedConstruct(
                    f"the graph uses {self.terms[p]}, which the compiled OWL 2 RL rules do not "
                    "implement; use the owlrl engine")
        self._list_nodes: set[int] = set()
        sch = Schema()
        axioms: set[Fact] = set()
        T = self.TYPE
        SUBC, SUBP = c(RDFS.subClassOf), c(RDFS.subPropertyOf)
        EQC, EQP = c(OWL.equivalentClass), c(OWL.equivalentProperty)

        # properties: hierarchy, equivalences, characteristics
        pedges: dict[int, set[int]] = {}
        refl_p: set[int] = set()
        for s, o in self._pairs(SUBP):
            if s != o:
                pedges.setdefault(s, set()).add(o)
            else:
                refl_p.add(s)
        for s, o in self._pairs(EQP):
            if s != o:
                pedges.setdefault(s, set()).add(o)
                pedges.setdefault(o, set()).add(s)
        # scm-op / scm-dp: P rdfs:subPropertyOf P, P owl:equivalentProperty P. Tautologies, but
        # owl:sameAs can copy them onto other terms (eq-rep-*), so they are facts here too.
        for t in (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property):
            for p in self._subjects(T, c(t)):
                refl_p.add(p)
                axioms.add((p, SUBP, p))
                axioms.add((p, EQP, p))
        # scm-cls, the reflexive part (C rdfs:subClassOf owl:Thing is left out, see above)
        for cls in self._subjects(T, c(OWL.Class)):
            axioms.add((cls, SUBC, cls))
            axioms.add((cls, EQC, cls))
        sch.sup_p, sch.sub_p = _hierarchy(pedges, SUBP, EQP, axioms)
        inv: dict[int, set[int]] = {}
        for s, o in self._pairs(c(OWL.inverseOf)):
            inv.setdefault(s, set()).add(o)
            inv.setdefault(o, set()).add(s)
        sch.inv = {k: tuple(v) for k, v in inv.items()}
        sch.sym = frozenset(self._subjects(T, c(OWL.SymmetricProperty)))
        sch.trans = frozenset(self._subjects(T, c(OWL.TransitiveProperty)))
        sch.func = frozenset(self._subjects(T, c(OWL.FunctionalProperty)))
        sch.ifp = frozenset(self._subjects(T, c(OWL.InverseFunctionalProperty)))

        # property chains (prp-spo2)
        chain_at: dict[int, list[tuple[tuple[int, ...], int, int]]] = {}
        chains_to: dict[int, list[tuple[int, ...]]] = {}
        for q, head in self._pairs(c(OWL.propertyChainAxiom)):
            chain = tuple(self._list(head))
            if not chain or self.kind[q] == LITERAL:
                continue
            chains_to.setdefault(q, []).append(chain)
            for i, p in enumerate(chain):
                chain_at.setdefault(p, []).append((chain, i, q))
        sch.chain_at = {k: tuple(v) for k, v in chain_at.items()}
        sch.chains_to = {k: tuple(v) for k, v in chains_to.items()}

        # hasValue restrictions (cls-hv1/2): every onProperty x every hasValue of a class
        hv: dict[int, list[tuple[int, int]]] = {}
        for r, v in self._pairs(c(OWL.hasValue)):
            for p in self._objects(r, c(OWL.onProperty)):
                hv.setdefault(r, []).append((p, v))
        sch.hv_by_class = {k: tuple(v) for k, v in hv.items()}
        hv_by_p: dict[int, dict[int, list[int]]] = {}
        for r, pvs in hv.items():
            for p, v in pvs:
                hv_by_p.setdefault(p, {}).setdefault(v, []).append(r)
        sch.hv_by_p = {p: {v: tuple(rs) for v, rs in m.items()} for p, m in hv_by_p.items()}

        # classes: hierarchy from subClassOf, equivalentClass, unionOf, intersectionOf, scm-hv
        cedges: dict[int, set[int]] = {}

        def edge(a: int, b: int) -> None:
            if a != b:
                cedges.setdefault(a, set()).add(b)

        for s, o in self._pairs(SUBC):
            edge(s, o)
        for s, o in self._pairs(EQC):
            edge(s, o)
            edge(o, s)
        for cls, head in self._pairs(c(OWL.unionOf)):
            for member in self._list(head):
                edge(member, cls)
        int_lists: dict[int, list[tuple[int, ...]]] = {}
        for cls, head in self._pairs(c(OWL.intersectionOf)):
            members = tuple(self._list(head))
            for member in members:
                edge(cls, member)
            if members:  # owlrl applies cls-int1 to every list a class is the intersection of
                int_lists.setdefault(cls, []).append(members)
        sch.int_lists = {k: tuple(v) for k, v in int_lists.items()}
        int_by_member: dict[int, set[int]] = {}
        for cls, lists in int_lists.items():
            for members in lists:
                for m in members:
                    int_by_member.setdefault(m, set()).add(cls)
        sch.int_by_member = {k: tuple(v) for k, v in int_by_member.items()}
        for c1, pvs1 in hv.items():  # scm-hv
            for p1, v1 in pvs1:
                for c2, pvs2 in hv.items():
                    for p2, v2 in pvs2:
                        if v1 == v2 and (p2 in sch.sup_p.get(p1, ())
                                         or (p1 == p2 and p1 in refl_p)):
                            edge(c1, c2)
        sch.sup_c, sch.sub_c = _hierarchy(cedges, SUBC, EQC, axioms)

        # domains and ranges, closed as scm-dom1/2 and scm-rng1/2 close them
        for pred, table, rev in ((c(RDFS.domain), "dom", "dom_rev"),
                                 (c(RDFS.range), "rng", "rng_rev")):
            direct: dict[int, set[int]] = {}
            for p, cls in self._pairs(pred):
                direct.setdefault(p, set()).add(cls)
            closed: dict[int, set[int]] = {}
            for p2 in direct:
                for p in (p2, *sch.sub_p.get(p2, ())):
                    for cls in direct[p2]:
                        closed.setdefault(p, set()).add(cls)
                        closed[p].update(sch.sup_c.get(cls, ()))
            tab = {p: tuple(cs) for p, cs in closed.items()}
            setattr(sch, table, tab)
            setattr(sch, rev, _reverse(tab))
            for p, cs in tab.items():
                for cls in cs:
                    axioms.add((p, pred, cls))

        # cls-oo: the members of an enumeration are instances of it
        for cls, head in self._pairs(c(OWL.oneOf)):
            for member in self._list(head):
                axioms.add((member, T, cls))
        # dt-type2 for resources typed with a datatype in the asserted graph (one-time in owlrl)
        for dt in self._datatypes:
            supers = OWL_Datatype_Subsumptions.get(self.terms[dt], ())
            if supers:
                for x in self._subjects(T, dt):
                    if self.kind[x] != LITERAL and (x, T, dt) in self.base:
                        for sup in supers:
                            axioms.add((x, T, c(sup)))

        sch.list_nodes = frozenset(self._list_nodes)
        known = set(axioms)
        for p in self._schema_p:
            for s, o in self._pairs(p):
                known.add((s, p, o))
        for ty in self._schema_types:
            for s in self._subjects(T, ty):
                known.add((s, T, ty))
        for n in sch.list_nodes:
            for p in (self.FIRST, self.REST):
                for o in self._objects(n, p):
                    known.add((n, p, o))
        sch.known = known
        sch.axioms = axioms
        return sch

    # -- the instance rules -----------------------------------------------------------------------
    def _fire(self, s: int, p: int, o: int, out: Out) -> None:
        """Apply every rule with (s, p, o) as one premise, joined with the current facts."""
        sch = self.schema
        sp, op = self.sp, self.op
        for q in sch.sup_p.get(p, ()):  # prp-spo1, prp-eqp1/2
            out(s, q, o)
        for q in sch.inv.get(p, ()):  # prp-inv1/2
            out(o, q, s)
        if p in sch.sym:  # prp-symp
            out(o, p, s)
        T = self.TYPE
        for cls in sch.dom.get(p, ()):  # prp-dom (+ scm-dom1/2)
            out(s, T, cls)
        for cls in sch.rng.get(p, ()):  # prp-rng (+ scm-rng1/2)
            out(o, T, cls)
        if p in sch.trans:  # prp-trp, the fact as either premise
            for z in tuple(sp[p].get(o, ())):
                out(s, p, z)
            for w in tuple(op[p].get(s, ())):
                out(w, p, o)
        chains = sch.chain_at.get(p)
        if chains:  # prp-spo2
            for chain, i, q in chains:
                lefts = {s}
                for j in range(i - 1, -1, -1):
                    idx = op.get(chain[j], {})
                    lefts = {x for y in lefts for x in idx.get(y, ())}
                    if not lefts:
                        break
                if not lefts:
                    continue
                rights = {o}
                for j in range(i + 1, len(chain)):
                    idx = sp.get(chain[j], {})
                    rights = {z for y in rights for z in idx.get(y, ())}
                    if not rights:
                        break
                for x in lefts:
                    for z in rights:
                        out(x, q, z)
        SAME = self.SAME
        if p in sch.func:  # prp-fp
            for y2 in tuple(sp[p].get(s, ())):
                if y2 != o:
                    out(o, SAME, y2)
                    out(y2, SAME, o)
        if p in sch.ifp:  # prp-ifp
            for x2 in tuple(op[p].get(o, ())):
                if x2 != s:
                    out(s, SAME, x2)
                    out(x2, SAME, s)
        hvp = sch.hv_by_p.get(p)
        if hvp:  # cls-hv2
            for r in hvp.get(o, ()):
                out(s, T, r)
        if p == T:
            for d in sch.sup_c.get(o, ()):  # cax-sco, cax-eqc1/2, cls-uni, cls-int2
                out(s, T, d)
            for q, v in sch.hv_by_class.get(o, ()):  # cls-hv1
                out(s, q, v)
            ints = sch.int_by_member.get(o)
            if ints:  # cls-int1
                types = sp[T].get(s, ())
                for cls in ints:
                    if any(all(m in types for m in members) for members in sch.int_lists[cls]):
                        out(s, T, cls)
        kind = self.kind
        if p == SAME:
            if out == self._insert:
                self._literal_types(s, o)
            out(o, SAME, s)  # eq-sym
            for z in tuple(sp[SAME].get(o, ())):  # eq-trans, the fact as first premise
                out(s, SAME, z)
            for w in tuple(op[SAME].get(s, ())):  # eq-trans, the fact as second premise
                out(w, SAME, o)
            for pp, idx in tuple(sp.items()):  # eq-rep-s: (s pp oo) -> (o pp oo)
                for oo in tuple(idx.get(s, ())):
                    out(o, pp, oo)
            if kind[o] != LITERAL:  # eq-rep-p: (ss s oo) -> (ss o oo)
                for ss, oos in tuple(sp.get(s, {}).items()):
                    for oo in tuple(oos):
                        out(ss, o, oo)
            for pp, ridx in tuple(op.items()):  # eq-rep-o: (ss pp o) -> (ss pp s)
                for ss in tuple(ridx.get(o, ())):
                    out(ss, pp, s)
        same = sp.get(SAME)
        if same:  # eq-rep-s/p/o with (s p o) as the other premise
            for y in tuple(same.get(s, ())):
                out(y, p, o)
            for y in tuple(same.get(p, ())):
                if kind[y] != LITERAL:
                    out(s, y, o)
            for y in tuple(op[SAME].get(o, ())):
                out(s, p, y)

    def _literal_types(self, *nodes: int) -> None:
        """dt-type2 for literals in an owl:sameAs: owlrl types every literal with its datatype
        (and the datatypes above it) at the start; only through owl:sameAs can that reach a
        resource, so it is done here, when a literal first meets owl:sameAs."""
        for n in nodes:
            if self.kind[n] != LITERAL:
                continue
            dt = self.terms[n].datatype  # type: ignore[attr-defined]
            if dt not in _DATATYPES:
                continue
            for d in (dt, *OWL_Datatype_Subsumptions.get(dt, ())):
                f = (n, self.TYPE, self._id(d))
                if f not in self._literal_axioms:
                    self._literal_axioms.add(f)
                    self._insert(*f)

    # -- DRed: one-step derivability --------------------------------------------------------------
    def _derivable(self, f: Fact) -> bool:
        """Whether ``f`` follows in one rule application from the current facts (the backward
        reading of ``_fire``, rule by rule)."""
        s, p, o = f
        told = self.base.by_p.get(p)  # f in self.base, inlined
        if told is not None and o in told.get(s, ()):
            return True
        if f in self.schema.axioms or f in self._literal_axioms:
            return True
        sch, has, sp, op = self.schema, self._has, self.sp, self.op
        T, SAME = self.TYPE, self.SAME
        if any(has(s, q, o) for q in sch.sub_p.get(p, ())):
            return True
        if any(has(o, q, s) for q in sch.inv.get(p, ())):
            return True
        if p in sch.sym and has(o, p, s):
            return True
        if p in sch.trans:
            d = sp.get(p, {})
            if any(o in d.get(y, ()) for y in d.get(s, ())):
                return True
        for chain in sch.chains_to.get(p, ()):
            nodes = {s}
            for q in chain:
                idx = sp.get(q, {})
                nodes = {z for y in nodes for z in idx.get(y, ())}
                if not nodes:
                    break
            if o in nodes:
                return True
        if p == T:
            if any(has(s, T, d) for d in sch.sub_c.get(o, ())):
                return True
            if any(sp.get(q, {}).get(s) for q in sch.dom_rev.get(o, ())):
                return True
            if any(op.get(q, {}).get(s) for q in sch.rng_rev.get(o, ())):
                return True
            if any(has(s, q, v) for q, v in sch.hv_by_class.get(o, ())):  # cls-hv2
                return True
            lists = sch.int_lists.get(o, ())
            if any(all(has(s, T, m) for m in members) for members in lists):
                return True
        hvp = sch.hv_by_p.get(p)
        if hvp and any(has(s, T, r) for r in hvp.get(o, ())):  # cls-hv1
            return True
        if p == SAME:
            if has(o, SAME, s):
                return True
            d = sp.get(SAME, {})
            if any(o in d.get(y, ()) for y in d.get(s, ())):
                return True
            if s != o:
                for q in sch.func:
                    if any(has(x, q, o) for x in op.get(q, {}).get(s, ())):
                        return True
                for q in sch.ifp:
                    if any(has(o, q, y) for y in sp.get(q, {}).get(s, ())):
                        return True
        if sp.get(SAME):  # eq-rep-s/p/o
            if any(has(x, p, o) for x in op[SAME].get(s, ())):
                return True
            if any(has(s, x, o) for x in op[SAME].get(p, ())):
                return True
            if any(has(s, p, y) for y in sp[SAME].get(o, ())):
                return True
        return False

    # -- updates ----------------------------------------------------------------------------------
    def _is_schema_fact(self, f: Fact) -> bool:
        """Whether the rules are compiled from this triple."""
        s, p, o = f
        return (p in self._schema_p or (p == self.TYPE and o in self._schema_types)
                or (p in (self.FIRST, self.REST) and s in self.schema.list_nodes))

    def _base_touches_schema(self, f: Fact) -> bool:
        """Asserting or retracting this triple changes the rules (or the one-time datatype
        subsumptions owlrl draws from asserted ``x rdf:type xsd:...`` triples)."""
        return self._is_schema_fact(f) or (f[1] == self.TYPE and f[2] in self._datatypes)

    def _replace_base(self, base: FactSet, old_base: FactSet | None = None) -> InferenceDelta:
        """Recompute the closure for ``base``; the delta is against the closure of
        ``old_base`` (default: the current one)."""
        if old_base is not None:
            self.base = old_base
            self._rebuild()
        before = set(self.inferred())
        previous, self.base = self.base, base
        try:
            self._rebuild()
        except UnsupportedConstruct:
            self.base = previous  # leave the reasoner as it was
            self._rebuild()
            raise
        after = set(self.inferred())
        return InferenceDelta(after - before, before - after, recomputed=True)

    def add(self, triples: Iterable[Triple]) -> InferenceDelta:
        """Assert triples; returns how the inferred triples changed."""
        base = self.base
        new: set[Fact] = set()
        base.update(map(self._encode, triples), new)
        if not new:
            return InferenceDelta()
        if any(self._base_touches_schema(f) for f in new):
            base.difference_update(new)
            return self._replace_base(base.union(new))
        delta = InferenceDelta()
        stack = self._stack
        for f in new:
            queued = len(stack)
            self._insert(*f)
            if len(stack) == queued:  # not new to the closure: was derived, is now asserted too
                if self._is_informative(f):
                    delta.removed.add(self._decode(f))
        self._log = []
        try:
            self._saturate()
            log = self._log
        finally:
            self._log = None
        if self._schema_dirty:  # the new triples entail schema triples: start again
            return self._replace_base(self.base, self.base.difference(new))
        for f in log:  # new to the closure, so asserted only if it is one of ``new``
            if f not in new and self._is_informative(f):
                delta.added.add(self._decode(f))
        return delta

    def remove(self, triples: Iterable[Triple]) -> InferenceDelta:
        """Retract asserted triples (DRed); returns how the inferred triples changed."""
        ids = self.ids
        facts = []
        for t in triples:
            try:
                facts.append((ids[t[0]], ids[t[1]], ids[t[2]]))
            except KeyError:
                continue
        gone: set[Fact] = set()
        self.base.difference_update(facts, gone)
        if not gone:
            return InferenceDelta()
        if any(self._base_touches_schema(f) for f in gone):
            self.base.update(gone)
            return self._replace_base(self.base.difference(gone))
        # 1. over-delete: everything with a derivation that uses a removed fact
        dead: set[Fact] = set(gone)
        stack = list(gone)
        keep = self.base.by_p  # still asserted, so not deleted: no need to follow them
        has = self._has

        def overdelete(s: int, p: int, o: int) -> None:
            f = (s, p, o)
            if f in dead:
                return
            told = keep.get(p)
            if (told is not None and o in told.get(s, ())) or not has(s, p, o):
                return
            dead.add(f)
            stack.append(f)

        while stack:
            self._fire(*stack.pop(), overdelete)
        if any(self._is_schema_fact(f) for f in dead):  # schema triples lose support
            self.base.update(gone)  # the closure before the change is still in the indexes
            before = set(self.inferred())
            self.base.difference_update(gone)
            self._rebuild()
            after = set(self.inferred())
            return InferenceDelta(after - before, before - after, recomputed=True)
        was = {f for f in dead if f not in gone and self._is_informative(f)}
        for f in dead:
            self._delete(f)
        # 2. rederive what still has a derivation, and everything that follows from it
        self._log = []
        try:
            for f in dead:
                if self._derivable(f):
                    self._insert(*f)
            self._saturate()
            back = set(self._log)
        finally:
            self._log = None
        delta = InferenceDelta()
        for f in was - back:
            delta.removed.add(self._decode(f))
        for f in gone & back:  # no longer asserted but still entailed: now inferred
            if self._is_informative(f):
                delta.added.add(self._decode(f))
        return delta

    def update(
        self, added: Iterable[Triple] = (), removed: Iterable[Triple] = ()
    ) -> InferenceDelta:
        """Retract ``removed``, then assert ``added``; returns how the inferred triples changed."""
        return self.remove(removed).then(self.add(added))


def infer_delta(
    reasoner: Reasoner, added: Iterable[Triple] = (), removed: Iterable[Triple] = ()
) -> InferenceDelta:
    """Update the closure after a write: ``removed`` retracted, then ``added`` asserted."""
    return reasoner.update(added, removed)


def write_delta(target: Store | ox.Store, delta: InferenceDelta,
                reasoner: Reasoner | None = None) -> None:
    """Bring the inferred graph of ``target`` up to date with ``delta``.

    ``target`` is a stdgraph store (changed with one SPARQL update, so any backend, remote ones
    included) or a pyoxigraph store, such as the private copy of a write transaction (or what
    is written like one: a remote write's ``store.overlay.Overlay``). SPARQL
    cannot name a blank node in ``DELETE DATA``, so for a stdgraph store a delta with blank nodes
    replaces the inferred graph with ``reasoner.inferred()`` instead."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    if not isinstance(target, Store):  # a pyoxigraph store, or a view written like one
        for s, p, o in delta.removed:
            # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
            target.remove(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))  # type: ignore[arg-type]
        for s, p, o in delta.added:
            target.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))  # type: ignore[arg-type]
        return
    if not (delta.added or delta.removed):
        return
    if any(isinstance(x, BNode) for t in (*delta.added, *delta.removed) for x in t):
        if reasoner is None:
            raise ValueError("a delta with blank nodes needs the reasoner to rewrite the graph")
        target.replace_graph(INFERRED_GRAPH, reasoner.inferred())
        return

    def block(triples: set[Triple]) -> str:
        return "\n".join(" ".join(str(to_oxigraph(x)) for x in t) + " ." for t in triples)

    g = iri_ref(INFERRED_GRAPH)
    parts = []
    if delta.removed:
        parts.append(f"DELETE DATA {{ GRAPH {g} {{\n{block(delta.removed)}\n}} }}")
    if delta.added:
        parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{block(delta.added)}\n}} }}")
    target.update(" ;\n".join(parts))


def rules_inferred(asserted: Iterable[Triple]) -> Graph:
    """The informative entailments of ``asserted`` that it does not contain, by the rules."""
    return Reasoner(asserted).inferred_graph()
