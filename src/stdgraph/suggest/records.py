"""Suggestions in the store, and a reviewer's decisions on them (docs/suggestions.md,
"Stored apart").

A suggestion is a link of evidence kind ``sg:Suggested`` (docs/model.md, Evidence of links):
the plain triple and its statement record, ``sgid:suggestion/{key}`` (``key``: a hash of the
link, ``corpus.record_iri``, so a re-run names the same link the same way), with ``sg:method``
(the kind, the model with its settings, the versions of scikit-learn and stdgraph),
``sg:score``, ``dcterms:created`` and the evidence in one line (``rdfs:comment``), in the graph
of suggestions (``SUGGESTED_GRAPH``). Nothing else is there: a run replaces the suggestions of
its kind whole.

A decision moves the suggestion to the graph of decisions (``DECISIONS_GRAPH``):

- **accept**: the triple, the suggestion's record as it was, and a record of kind
  ``sg:Reading`` (``{record}/accepted``) with the reviewer (``dcterms:creator``), the time
  (``dcterms:created``), ``prov:wasDerivedFrom`` the suggestion and a one-sentence
  ``sg:rationale``: the link now counts at ``evidence=stated+reading``;
- **reject**: no triple; the record becomes a ``prov:Entity`` invalidated at the time of the
  decision (``prov:invalidatedAtTime``) by the reviewer (``dcterms:creator``), keeping its
  method, score and evidence and labelled with the link: since its IRI is the hash of the link,
  the link is never suggested again (``suggest.corpus``: rejected links are skipped).

Every write goes through the change protocol (a ``change.guard.Change``): all or nothing. Both
graphs are kept as written (``rdf.graphs.is_as_written``): a suggestion entails nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from stdgraph.change.guard import Change
from stdgraph.errors import NotFound, UsageError
from stdgraph.rdf.io import to_oxigraph as to_ox
from stdgraph.rdf.namespaces import DECISIONS_GRAPH, SG, SUGGESTED_GRAPH
from stdgraph.store.base import Store
from stdgraph.suggest.corpus import QUERIES, RECORD_PREFIX, RELATED, record_iri
from stdgraph.suggest.methods import Suggestion

__all__ = ["accept", "reject", "stored", "suggestion_quads", "write"]

PREFIX = RECORD_PREFIX
_SUGGESTED = ox.NamedNode(SUGGESTED_GRAPH)
_DECISIONS = ox.NamedNode(DECISIONS_GRAPH)


def _ends(s: str, p: str, o: str) -> tuple[str, str]:
    """A symmetric relation is one link whichever end comes first."""
    return (min(s, o), max(s, o)) if p == RELATED else (s, o)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _quad(s: Any, p: Any, o: Any, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)


def suggestion_quads(x: Suggestion, model: str, when: str) -> list[ox.Quad]:
    """The triple and record of suggestion ``x`` in the graph of suggestions (``model``: the
    model and its versions, written into ``sg:method`` after the kind)."""
    s, o = _ends(x.subject, x.predicate, x.object)
    r = URIRef(record_iri(s, x.predicate, o))
    g = _SUGGESTED
    score = Decimal(str(round(min(max(x.score, 0.0), 1.0), 4)))
    return [
        _quad(URIRef(s), URIRef(x.predicate), URIRef(o), g),
        _quad(r, RDF.type, RDF.Statement, g),
        _quad(r, RDF.subject, URIRef(s), g),
        _quad(r, RDF.predicate, URIRef(x.predicate), g),
        _quad(r, RDF.object, URIRef(o), g),
        _quad(r, SG.evidence, SG.Suggested, g),
        _quad(r, SG.method, Literal(f"{x.method}; {model}"), g),
        _quad(r, SG.score, Literal(score, datatype=XSD.decimal), g),
        _quad(r, DCTERMS.created, Literal(when, datatype=XSD.date), g),
        _quad(r, RDFS.comment, Literal(x.sentence(), lang="en"), g),
    ]


def write(change: Change, suggestions: Iterable[Suggestion], predicates: Iterable[str],
          model: str, when: str | None = None, about: str | None = None) -> int:
    """Replace the stored suggestions of ``predicates`` by ``suggestions`` (those of other
    properties stay; with ``about``, only those whose subject is ``about``, or either end for
    ``sg:relatedTo``); the number written. A suggestion decided in the meantime (its record
    in the graph of decisions: computed before a reviewer accepted or rejected it) is not
    written again."""
    when = when or datetime.now(UTC).date().isoformat()
    props = {_n(p) for p in predicates}
    old = change.quads(_SUGGESTED)
    fields: dict[Any, dict[str, Any]] = {}
    for q in old:
        fields.setdefault(q.subject, {})[q.predicate.value] = q.object
    ends = (str(RDF.subject), str(RDF.object))
    records = {r for r, f in fields.items() if f.get(str(RDF.predicate)) in props and (
        about is None or _n(about) == f.get(ends[0]) or (
            f[str(RDF.predicate)].value == RELATED and _n(about) == f.get(ends[1])))}
    if about is None:
        change.delete([q for q in old if q.subject in records or q.predicate in props])
    else:
        triples = {ox.Quad(fields[r][ends[0]], fields[r][str(RDF.predicate)], fields[r][ends[1]],
                           _SUGGESTED) for r in records}
        change.delete([q for q in old if q.subject in records or q in triples])
    decided = {q.subject.value for q in change.quads(_DECISIONS)
               if isinstance(q.subject, ox.NamedNode)}
    new: list[ox.Quad] = []
    count = 0
    for x in suggestions:
        if x.predicate not in {p.value for p in props}:
            raise UsageError(f"a suggestion of {x.predicate} is not of the kinds written")
        if about is not None and about not in (x.subject, x.object):
            raise UsageError(f"a suggestion about {x.subject} is not about {about}")
        if record_iri(x.subject, x.predicate, x.object) in decided:
            continue
        new += suggestion_quads(x, model, when)
        count += 1
    change.insert(new)
    return count


def _record(change: Change, record: str) -> tuple[list[ox.Quad], dict[str, Any]]:
    if not record.startswith(PREFIX):
        raise UsageError(f"{record!r} is not a suggestion (they start with {PREFIX})")
    quads = [q for q in change.quads(_SUGGESTED) if q.subject == _n(record)]
    if not quads:
        raise NotFound(f"no stored suggestion {record} (decided already, or replaced by a "
                       "later run)")
    fields = {q.predicate.value: q.object for q in quads}
    return quads, fields


def _decision(reviewer: str) -> tuple[str, str]:
    reviewer = " ".join(reviewer.split())
    if not reviewer or len(reviewer) > 200:
        raise UsageError("name the reviewer (1 to 200 characters)")
    return reviewer, datetime.now(UTC).isoformat(timespec="seconds")


def accept(change: Change, record: str, reviewer: str) -> dict[str, str]:
    """The suggestion ``record`` becomes a reading (module docstring); what was written."""
    quads, f = _record(change, record)
    reviewer, when = _decision(reviewer)
    s, p, o = (f[str(RDF.subject)], f[str(RDF.predicate)], f[str(RDF.object)])
    triple = ox.Quad(s, p, o, _SUGGESTED)
    change.delete([*quads, triple])
    d = _DECISIONS
    reading = _n(record + "/accepted")
    score = f.get(str(SG.score))
    method = f.get(str(SG.method))
    rationale = (f"A reviewer ({reviewer}) accepted this link, suggested by the method "
                 f"{method.value if isinstance(method, ox.Literal) else 'unknown'}"
                 + (f" with score {score.value}" if isinstance(score, ox.Literal) else "")
                 + ", on reading the evidence it gave.")
    change.insert([
        ox.Quad(s, p, o, d),
        *(ox.Quad(q.subject, q.predicate, q.object, d) for q in quads),
        ox.Quad(reading, to_ox(RDF.type), to_ox(RDF.Statement), d),
        ox.Quad(reading, to_ox(RDF.subject), s, d),
        ox.Quad(reading, to_ox(RDF.predicate), p, d),
        ox.Quad(reading, to_ox(RDF.object), o, d),
        ox.Quad(reading, to_ox(SG.evidence), to_ox(SG.Reading), d),
        ox.Quad(reading, to_ox(SG.rationale), ox.Literal(rationale, language="en"), d),
        ox.Quad(reading, to_ox(DCTERMS.creator), ox.Literal(reviewer), d),
        ox.Quad(reading, to_ox(DCTERMS.created),
                ox.Literal(when, datatype=ox.NamedNode(str(XSD.dateTime))), d),
        ox.Quad(reading, to_ox(PROV.wasDerivedFrom), _n(record), d),
    ])
    return {"record": record, "reading": reading.value, "subject": _value(s),
            "predicate": _value(p), "object": _value(o), "reviewer": reviewer, "time": when}


def reject(change: Change, record: str, reviewer: str) -> dict[str, str]:
    """The suggestion ``record`` is rejected for good (module docstring); what was written."""
    quads, f = _record(change, record)
    reviewer, when = _decision(reviewer)
    s, p, o = (f[str(RDF.subject)], f[str(RDF.predicate)], f[str(RDF.object)])
    change.delete([*quads, ox.Quad(s, p, o, _SUGGESTED)])
    r, d = _n(record), _DECISIONS
    kept = [ox.Quad(r, q.predicate, q.object, d) for q in quads
            if q.predicate.value in (str(SG.method), str(SG.score), str(RDFS.comment))]
    label = f"Rejected suggestion: <{_value(s)}> <{_value(p)}> <{_value(o)}>"
    change.insert([
        ox.Quad(r, to_ox(RDF.type), to_ox(PROV.Entity), d),
        ox.Quad(r, to_ox(RDFS.label), ox.Literal(label, language="en"), d),
        ox.Quad(r, to_ox(PROV.invalidatedAtTime),
                ox.Literal(when, datatype=ox.NamedNode(str(XSD.dateTime))), d),
        ox.Quad(r, to_ox(DCTERMS.creator), ox.Literal(reviewer), d),
        *kept,
    ])
    return {"record": record, "subject": _value(s), "predicate": _value(p),
            "object": _value(o), "reviewer": reviewer, "time": when}


def _value(term: Any) -> str:
    return str(term.value)


def stored(store: Store, *, subject: str | None = None, predicates: Iterable[str] = (),
           min_score: float = 0.0, limit: int | None = None) -> list[dict[str, Any]]:
    """The stored suggestions, best first (``stored.rq``)."""
    rows = QUERIES.select(
        store, "stored", suggestions=URIRef(SUGGESTED_GRAPH),
        subject=URIRef(subject) if subject else None,
        predicate=[URIRef(p) for p in predicates] or None,
        min_score=Literal(Decimal(str(min_score)), datatype=XSD.decimal))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r, s, p, o, slabel, olabel, method, score, created, evidence in rows:
        if str(r) in seen:  # another label of one end: the first row is kept
            continue
        seen.add(str(r))
        out.append({"record": str(r), "subject": str(s), "subject_label": _text(slabel),
                    "predicate": str(p), "object": str(o), "object_label": _text(olabel),
                    "method": str(method), "score": float(score),
                    "created": _text(created), "evidence": _text(evidence)})
        if limit is not None and len(out) == limit:
            break
    return out


def _text(term: Any) -> str | None:
    return None if term is None else str(term)
