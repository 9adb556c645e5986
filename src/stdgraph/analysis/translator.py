"""The architecture translator: from one element of a reference architecture (RAMI 4.0, IIRA,
IVRA, ...) to the mapped elements of the others and the standards they reach.

It reads the ``sg:ArchitectureMapping`` records (docs/model.md: every cross-architecture mapping
is a SKOS triple plus a record with its relation, status, evidence and source), in either
direction: a record stated from the other side is turned round (``broadMatch`` <->
``narrowMatch``; the other relations are symmetric). Everything counts at the evidence level
(``evidence``: stdgraph.analysis.evidence): a mapping is listed when its SKOS triple counts
(``LinkReader.mappings``: its record's ``sg:evidence`` is accepted, so ``evidence=stated`` drops
the readings and suggestions), with its evidence kind, status and sources; the standards an
element reaches are those classified in it at the level (a series through its parts). The
answer's ``coverage`` says how many standards are classified anywhere and how many
architecture elements are mapped at that level. Library code only (no HTTP): ``GET
/translate`` calls :func:`translate`.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import URIRef

from stdgraph.analysis.common import PROLOGUE, SG, SKOS, Labels
from stdgraph.analysis.evidence import QUERIES, Evidence, LinkReader
from stdgraph.sparql.named import ParameterError, sparql_term
from stdgraph.store.base import Store

__all__ = ["translate", "mapped_elements"]

_INVERSE = {SKOS + "broadMatch": SKOS + "narrowMatch", SKOS + "narrowMatch": SKOS + "broadMatch"}
#: strongest first, for the order of the answer
_STRENGTH = ["exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"]
#: the SKOS mapping properties by their labels in the SKOS vocabulary (its RDF schema,
#: http://www.w3.org/2004/02/skos/core: rdfs:label "has exact match"@en, ...), which the graph
#: does not hold: what a person reads for the relation
RELATION_LABELS = {SKOS + "exactMatch": "has exact match", SKOS + "closeMatch": "has close match",
                   SKOS + "broadMatch": "has broader match",
                   SKOS + "narrowMatch": "has narrower match",
                   SKOS + "relatedMatch": "has related match"}


def _rank(relation: str) -> int:
    name = relation.rsplit("#", 1)[-1]
    return _STRENGTH.index(name) if name in _STRENGTH else len(_STRENGTH)


def mapped_elements(store: Store) -> list[tuple[dict, list[dict]]]:
    """The elements that take part in a mapping, grouped by scheme: [(scheme, [element])],
    both as ``{"iri", "label"}``, sorted by label."""
    q = (PROLOGUE + "SELECT DISTINCT ?e ?s WHERE { ?m a sg:ArchitectureMapping . "
         "{ ?m sg:mappingSubject ?e } UNION { ?m sg:mappingObject ?e } "
         "OPTIONAL { ?e skos:inScheme ?s } }")
    rows = store.query(q).rows
    lab = Labels(store)
    lab.fetch([str(e) for e, _ in rows] + [str(s) for _, s in rows if s is not None])
    groups: dict[str, set[str]] = defaultdict(set)
    for e, s in rows:
        groups[str(s) if s is not None else ""].add(str(e))
    out = []
    for s in sorted(groups, key=lambda s: lab(s).casefold() if s else "~"):
        els = sorted(lab.refs(groups[s]), key=lambda r: r["label"].casefold())
        out.append(({"iri": s or None, "label": lab(s) if s else "(no scheme)"}, els))
    return out


def translate(store: Store, element: str, evidence: Evidence | None = None) -> dict:
    """``{"element", "scheme", "standards", "mappings": [{"element", "scheme", "relation",
    "relation_label", "relation_words", "status", "evidence", "evidence_kinds", "sources",
    "notes", "record", "standards"}]}`` for one element IRI, and ``left_out``, how many mapping
    records of it do not count; the mappings that count at the evidence level, ordered by
    strength (exact, close, broad, narrow, related), then label; ``relation_label`` is the
    relation's prefixed name (``skos:exactMatch``), ``relation_words`` its SKOS label ("has
    exact match"); ``evidence`` is the record's kinds (``stated``, ``reading``, ``suggested``,
    ``inferred``), ``evidence_kinds`` the same as ``{"iri", "label"}`` with the graph's labels
    of the kinds (``sg:Stated``: "stated"); with ``parameters``
    (``evidence``, ``min_score``) and ``coverage`` (sg:classifiedIn over the standards, the
    mappings over the architecture elements)."""
    evidence = evidence or Evidence()
    reader = LinkReader(store, evidence)
    try:
        term = sparql_term(URIRef(element))
    except ValueError:
        raise ParameterError("element", f"{element!r} is not an IRI") from None
    exists = store.query(PROLOGUE + f"ASK {{ {term} ?p ?o }}").boolean
    if not exists:
        raise ParameterError("element", f"{element} is not in the graph")
    counted = reader.mappings()
    records: dict[tuple[str, str], dict] = {}
    left_out: set[str] = set()
    for m, s, o, rel, status, src, note, kind in QUERIES.select(
            store, "mapping-records", element=URIRef(element)):
        if (str(s), str(rel), str(o)) not in counted:
            left_out.add(str(m))
            continue
        forward = str(s) == element
        other = str(o) if forward else str(s)
        relation = str(rel) if forward else _INVERSE.get(str(rel), str(rel))
        rec = records.setdefault((other, str(m)), {
            "element": other, "relation": relation, "record": str(m),
            "status": str(status) if status is not None else None,
            "sources": set(), "notes": set(), "evidence": set()})
        if kind is not None:
            rec.setdefault("kinds", set()).add(str(kind))
            rec["evidence"].add(str(kind).rsplit("#", 1)[-1].lower())
        if src is not None:
            rec["sources"].add(str(src))
        if note is not None:
            rec["notes"].add(str(note))
    targets = sorted({r["element"] for r in records.values()} | {element})
    classified = reader.classified()
    wanted = set(targets)
    reached: dict[str, set[str]] = defaultdict(set)
    for std, elems in classified.items():
        for e in elems & wanted:
            reached[e].add(std)
    q_scheme = (PROLOGUE + "SELECT ?e ?s WHERE { VALUES ?e { "
                + " ".join(sparql_term(URIRef(t)) for t in targets) + " } ?e skos:inScheme ?s }")
    scheme = {str(e): str(s) for e, s in store.query(q_scheme).rows}
    lab = Labels(store)
    lab.fetch([*targets, *scheme.values(), *(s for v in reached.values() for s in v),
               *(r["relation"] for r in records.values()),
               *(k for r in records.values() for k in r.get("kinds", ())),
               *(s for r in records.values() for s in r["sources"])])

    def stds(e: str) -> list[dict]:
        return sorted(lab.refs(reached.get(e, ())), key=lambda r: r["label"].casefold())

    mappings = []
    for rec in sorted(records.values(),
                      key=lambda r: (_rank(r["relation"]), lab(r["element"]).casefold())):
        e = rec["element"]
        mappings.append({
            "element": lab.ref(e),
            "scheme": lab.ref(scheme[e]) if e in scheme else None,
            "relation": rec["relation"], "relation_label": "skos:" + rec["relation"].rsplit(
                "#", 1)[-1] if rec["relation"].startswith(SKOS) else rec["relation"],
            "relation_words": RELATION_LABELS.get(rec["relation"]) or lab(rec["relation"]),
            "status": rec["status"], "evidence": sorted(rec["evidence"]),
            "evidence_kinds": sorted(lab.refs(rec.get("kinds", ())),
                                     key=lambda r: r["label"].casefold()),
            "sources": lab.refs(sorted(rec["sources"])),
            "notes": sorted(rec["notes"]), "record": rec["record"], "standards": stds(e)})
    coverage = [reader.coverage(SG + "classifiedIn", classified, reader.instances()),
                reader.mapping_coverage()]
    return {"element": lab.ref(element),
            "scheme": lab.ref(scheme[element]) if element in scheme else None,
            "standards": stds(element), "mappings": mappings,
            "left_out": len(left_out - {r["record"] for r in records.values()}),
            "parameters": evidence.describe(), "coverage": coverage}
