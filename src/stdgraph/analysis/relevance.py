"""The relevance finder: standards ranked by how much of an organisation's profile they match.

A *profile* is a set of items of four kinds, each matched through one property of a standard:

=============  ================================  =============================================
kind           property of the standard          slug form (under the base IRI)
=============  ================================  =============================================
technology     ``sg:concernsTechnology``         ``technology/{slug}``
barrier        ``sg:addressesBarrier``           ``barrier/{slug}``
theme          ``sg:supportsTheme``              ``theme/{slug}``
element        ``sg:classifiedIn``               ``architecture/{arch}/{slug}``
stakeholder    ``sg:relevantToStakeholder``      ``stakeholder/{slug}``
=============  ================================  =============================================

A standard's *score* is the number of profile items it matches, plus one when it is among the
standards a free-text description suggests (``suggested``: computed by the caller, e.g. the web
page from stdgraph.suggest; a suggestion, not a link). Ties are broken by the number of its
matches that are stated links, then by the text suggestion's score, then by status (published,
under development, proposed, unknown, superseded, withdrawn), then by identifier (else label),
then IRI (:data:`RANKING` says so in plain words). Every item carries the reason: the profile
items it matched, each with the kind of evidence of the link (``stated``, ``reading`` or
``suggested``: the weakest level at which it counts). The profile items no standard matched
are listed in ``unmatched``, each with why (``why``): only withdrawn or superseded standards
are linked to it, or only links that do not count at the level, or none at all (with how
many standards have a link of that kind).

Standards whose status is ``sg:Withdrawn`` or ``sg:Superseded`` are left out unless
``include_withdrawn`` is set; either way the answer names them with the standards that
supersede them (``sg:supersededBy``, or ``sg:supersedes`` read backwards, at the evidence
level) as suggestions.

Links and statuses count at the evidence level (``evidence``: stdgraph.analysis.evidence; a
series matches an element through its parts), and the answer's ``coverage`` says, for each kind
in the profile, how many of the standards ranked (all, or those not withdrawn or superseded) have
any link of that kind, and how many of them have no known status.

Library code only (no HTTP): ``GET /relevance`` calls :func:`relevance`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from decimal import Decimal

from rdflib import URIRef

from stdgraph.analysis.common import PROLOGUE, SG, Labels
from stdgraph.analysis.evidence import LEVELS, STANDARD, Evidence, LinkReader
from stdgraph.sparql.named import ParameterError, sparql_term
from stdgraph.store.base import Store

__all__ = ["EVIDENCE_WORDS", "KINDS", "RANKING", "RETIRED", "STATUS_ORDER", "relevance", "resolve"]

#: kind -> (property IRI, slug prefix under the base IRI, label for messages)
KINDS: dict[str, tuple[str, str, str]] = {
    "technology": (SG + "concernsTechnology", "technology/", "technology"),
    "barrier": (SG + "addressesBarrier", "barrier/", "barrier"),
    "theme": (SG + "supportsTheme", "theme/", "theme"),
    "element": (SG + "classifiedIn", "architecture/", "architecture element"),
    "stakeholder": (SG + "relevantToStakeholder", "stakeholder/", "stakeholder type"),
}
#: statuses left out unless asked for
RETIRED = (SG + "Withdrawn", SG + "Superseded")
#: the ranking's tie-break by status, best first (no known status ranks between proposed and
#: superseded)
STATUS_ORDER = (SG + "Published", SG + "UnderDevelopment", SG + "Proposed", None,
                SG + "Superseded", SG + "Withdrawn")
#: how the ranking is made, in plain words (the page shows it)
RANKING = ("A standard scores one point for each item of the profile it is linked to (a stated "
           "link, a curator's reading, or a suggestion when evidence 'all' is chosen), and one "
           "point when it is among the standards suggested by the description in words. "
           "Standards with the same score are ordered by how many of their matches are stated "
           "links, then by the text suggestion's score, then by status (published before under "
           "development, proposed, unknown, superseded, withdrawn), then by identifier.")
#: the evidence kinds of a matched link, by the weakest level at which it counts
EVIDENCE_WORDS = {"stated": "stated link", "reading": "reading (a curator's)",
                  "suggested": "suggested link", "text": "suggested by your description"}
_SLUG = re.compile(r"[a-z0-9][a-z0-9.-]*(/[a-z0-9][a-z0-9.-]*)*")


def resolve(kind: str, value: str, base_iri: str) -> str:
    """The IRI of a profile item given as an IRI or as a slug (``robotics``,
    ``rami40/layer-asset``); a bad value raises ``ParameterError`` naming ``kind``."""
    value = value.strip()
    if kind not in KINDS:
        raise ParameterError(kind, "unknown kind (known: " + ", ".join(KINDS) + ")")
    if value.startswith(("http://", "https://")):
        iri = value
    else:
        prefix = KINDS[kind][1]
        if value.startswith(prefix):
            value = value[len(prefix):]
        if not _SLUG.fullmatch(value):
            raise ParameterError(kind, f"{value!r} is neither an IRI nor a slug")
        iri = base_iri + prefix + value
    try:
        sparql_term(URIRef(iri))
    except ValueError:
        raise ParameterError(kind, f"{value!r} is not a valid IRI") from None
    return iri


def relevance(
    store: Store,
    profile: Mapping[str, Sequence[str]],
    *,
    include_withdrawn: bool = False,
    base_iri: str = "https://w3id.org/stdgraph/id/",
    limit: int = 0,
    evidence: Evidence | None = None,
    suggested: Sequence[Mapping] = (),
) -> dict:
    """Rank the standards for ``profile`` (kind -> IRIs or slugs) and the standards a text
    ``suggested`` (``{"iri", "score", "terms", "via"}``: a free-text profile's suggestions,
    best first). Returns ``{"profile": [...], "count", "items": [...], "left_out": [...],
    "unmatched": [...], "ranking", "include_withdrawn", "parameters", "coverage"}``.

    An item is ``{"iri", "label", "identifier", "status", "score", "of", "stated", "matched":
    [{"kind", "iri", "label", "evidence"}], "text": {"score", "terms", "via"} or None,
    "reason", "superseded_by": [{"iri", "label"}]}``; ``left_out`` lists the withdrawn or
    superseded standards that matched (when not included) in the same form; ``unmatched``
    the profile items no standard in the ranking matched, ``{"kind", "iri", "label", "why"}``;
    ``parameters`` echoes ``evidence``, ``min_score`` and ``include_withdrawn``, and
    ``coverage`` lists the coverage entries of the profile's link kinds and of sg:status."""
    evidence = evidence or Evidence()
    reader = LinkReader(store, evidence)
    parameters = {**evidence.describe(), "include_withdrawn": include_withdrawn}
    unknown = sorted(set(profile) - set(KINDS))
    if unknown:
        raise ParameterError(unknown[0], "unknown parameter (known: " + ", ".join(KINDS) + ")")
    wanted: list[tuple[str, str]] = []  # (kind, iri) in request order, no repeats
    for kind in KINDS:
        for value in profile.get(kind, ()):
            if not value or not value.strip():
                continue
            iri = resolve(kind, value, base_iri)
            if (kind, iri) not in wanted:
                wanted.append((kind, iri))
    texts = {str(x["iri"]): x for x in suggested}
    lab = Labels(store)
    lab.fetch([iri for _k, iri in wanted])
    doc_profile = [{"kind": k, "iri": i, "label": lab(i)} for k, i in wanted]
    empty = {"profile": doc_profile, "include_withdrawn": include_withdrawn,
             "parameters": parameters, "ranking": RANKING, "count": 0, "items": [],
             "left_out": [], "unmatched": [], "coverage": []}
    if not wanted and not texts:
        return empty

    # profile items that the graph does not hold are a mistake worth naming
    if wanted:
        q_known = (PROLOGUE + "SELECT DISTINCT ?x WHERE { VALUES ?x { "
                   + " ".join(sparql_term(URIRef(i)) for _k, i in wanted)
                   + " } ?x ?p ?o }")
        known = {str(x) for (x,) in store.query(q_known).rows}
        for kind, iri in wanted:
            if iri not in known:
                raise ParameterError(kind, f"{iri} is not in the graph")

    def read(r: LinkReader, kind: str) -> Mapping[str, AbstractSet[str]]:
        return r.classified() if kind == "element" else r.links(KINDS[kind][0])

    kinds = [kind for kind in KINDS if any(k == kind for k, _i in wanted)]
    links = {kind: read(reader, kind) for kind in kinds}
    # the weakest level at which each link counts: stated, then stated+reading, then all
    levels = [lv for lv in LEVELS if LEVELS.index(lv) <= LEVELS.index(evidence.level)]
    by_level = {lv: reader if lv == evidence.level else LinkReader(
        store, Evidence(lv, evidence.min_score)) for lv in levels}
    statuses = reader.statuses()
    in_scope = reader.instances() if include_withdrawn else reader.current()
    coverage = [reader.coverage(KINDS[kind][0], found, in_scope) for kind, found in links.items()]
    coverage.append(reader.status_coverage(in_scope))
    coverage[-1]["text"] = coverage[-1]["text"].replace(" (counted as current)", "")
    wanted_set = set(wanted)
    matched: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for kind, found in links.items():
        for s, xs in found.items():
            for x in xs:
                if (kind, x) in wanted_set:
                    matched[s].add((kind, x))
    standards = sorted(set(matched) | (set(texts) & reader.instances()))
    if not standards:
        return {**empty, "coverage": coverage,
                "unmatched": _unmatched(store, wanted, {}, links, coverage, evidence, lab,
                                        in_scope)}

    def kind_of(s: str, kind: str, x: str) -> str:
        for lv in levels:
            if x in read(by_level[lv], kind).get(s, ()):
                return {"stated": "stated", "stated+reading": "reading"}.get(lv, "suggested")
        return "suggested"  # pragma: no cover - it counts at the level itself

    block = " ".join(sparql_term(URIRef(s)) for s in standards)
    q_info = (PROLOGUE + "SELECT DISTINCT ?s ?id WHERE { VALUES ?s { " + block
              + " } OPTIONAL { ?s sg:identifier ?id } }")
    status: dict[str, str | None] = {s: min(statuses.get(s, ()), default=None)
                                     for s in standards}
    ident: dict[str, str | None] = {}
    for s, i in store.query(q_info).rows:
        if i is not None:
            ident[str(s)] = min(str(i), ident.get(str(s)) or str(i))
    # what supersedes each, at the level (sg:supersededBy, or sg:supersedes read backwards)
    later = reader.either(SG + "supersededBy", SG + "supersedes", STANDARD, STANDARD)
    successors = {s: later[s] for s in standards if s in later}
    lab.fetch([*standards, *(v for v in status.values() if v),
               *(n for v in successors.values() for n in v)])

    order = {key: n for n, key in enumerate(wanted)}
    of = len(wanted) + (1 if texts else 0)

    def item(s: str) -> dict:
        hits = sorted(matched[s], key=lambda kx: order[kx])
        refs = [{"kind": k, "iri": x, "label": lab(x), "evidence": kind_of(s, k, x)}
                for k, x in hits]
        text = texts.get(s)
        parts = [f"{KINDS[r['kind']][2]} {r['label']} ({EVIDENCE_WORDS[r['evidence']]})"
                 for r in refs]
        if text is not None:
            parts.append(f"your description (suggestion, score {float(text['score']):.3f})")
        st = status.get(s)
        return {"iri": s, "label": lab(s), "identifier": ident.get(s),
                "status": st, "status_label": lab(st) if st else None,
                "score": len(hits) + (1 if text is not None else 0), "of": of,
                "stated": sum(1 for r in refs if r["evidence"] == "stated"),
                "matched": refs,
                "text": None if text is None else {
                    "score": float(text["score"]), "terms": list(text.get("terms") or ()),
                    "via": text.get("via")},
                "reason": "matches " + "; ".join(parts),
                "superseded_by": lab.refs(sorted(successors.get(s, ())))}

    def retired(s: str) -> bool:
        return bool(statuses.get(s, set()) & set(RETIRED))

    items_all = [item(s) for s in standards]
    items_all.sort(key=lambda i: (-i["score"], -i["stated"],
                                  -(i["text"]["score"] if i["text"] else 0.0),
                                  STATUS_ORDER.index(i["status"])
                                  if i["status"] in STATUS_ORDER else STATUS_ORDER.index(None),
                                  (i["identifier"] or i["label"]).casefold(), i["iri"]))
    items = [i for i in items_all if include_withdrawn or not retired(i["iri"])]
    left_out = [] if include_withdrawn else [i for i in items_all if retired(i["iri"])]
    ranked = {i["iri"] for i in items}
    if limit:
        items = items[:limit]
    return {**empty, "count": len(items), "items": items, "left_out": left_out,
            "coverage": coverage,
            "unmatched": _unmatched(store, wanted, {s: matched[s] for s in ranked}, links,
                                    coverage, evidence, lab, in_scope)}


def _unmatched(store: Store, wanted: list[tuple[str, str]],
               matched: Mapping[str, AbstractSet[tuple[str, str]]],
               links: Mapping[str, Mapping[str, AbstractSet[str]]], coverage: list[dict],
               evidence: Evidence, lab: Labels, in_scope: set[str]) -> list[dict]:
    """The profile items no ranked standard matched, each with why, in the profile's order."""
    hit = {kx for xs in matched.values() for kx in xs}
    cover = {c["link"]: c for c in coverage}
    loose: LinkReader | None = None
    out = []
    for kind, x in wanted:
        if (kind, x) in hit:
            continue
        what = KINDS[kind][2]
        linked = sorted(s for s, xs in links[kind].items() if x in xs)
        if linked:  # linked, but only by standards out of scope
            n = len(linked)
            why = (f"only withdrawn or superseded standards are linked to this {what} ({n}: "
                   "listed under Left out)")
        else:
            if evidence.level != "all":
                loose = loose or LinkReader(store, Evidence("all", Decimal(0)))
                found = (loose.classified() if kind == "element"
                         else loose.links(KINDS[kind][0]))
                weaker = sorted(s for s, xs in found.items() if x in xs and s in in_scope)
            else:
                weaker = []
            c = cover[KINDS[kind][0]]
            if weaker:
                n = len(weaker)
                weak = "reading or suggestion" if evidence.level == "stated" else "suggestion"
                why = (f"{n} standard{'' if n == 1 else 's'} {'is' if n == 1 else 'are'} linked "
                       f"to this {what} only by a link that does not count at evidence "
                       f"'{evidence.level}' (a {weak}): choose a weaker evidence level to "
                       "count it")
            elif kind == "element":
                why = (f"no standard is classified in this {what} yet: {c['text']}")
            else:
                why = f"no standard is linked to this {what} yet: {c['text']}"
        out.append({"kind": kind, "iri": x, "label": lab(x), "why": why})
    return out
