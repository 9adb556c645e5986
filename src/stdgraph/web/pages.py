"""Linked data and the web front-end: dereferenceable IRIs and server-rendered pages.

=====================================  ==========================================================
request                                answer
=====================================  ==========================================================
GET ``/id/{path}``                     the resource ``{base_iri}{path}``, negotiated: Turtle
                                       (default), HTML page, JSON-LD (context
                                       ``/context.jsonld``), N-Triples, RDF/XML;
                                       ``?format=turtle|html|jsonld|ntriples|rdfxml`` overrides
                                       Accept; ``Vary: Accept``; ``Link`` to the alternates; 404
                                       (error envelope) when the graph says nothing about it.
                                       Standards, reference architectures, barriers, themes,
                                       recommendations and roadmap items have pages of their
                                       own; anything else the generic page
GET ``/ontology``                      the ontology's terms (``sg:``), negotiated the same way;
                                       each term has the anchor ``#Name``
GET ``/context.jsonld``                the published JSON-LD context
GET ``/``                              landing page: counts, where to start, search box
GET ``/search?q=``                     resources whose label or identifier contains ``q``
GET ``/standards?element=IRI``         standards classified in every given element (repeatable)
GET ``/relevance?technology=...``      the relevance finder (``stdgraph.analysis.relevance``):
                                       JSON (default) or the HTML form and ranking
GET ``/reports/{analysis}?...``        overlaps, clusters, gaps, conflicts as HTML tables with
                                       a filter form (the analysis' parameters) and a link to
                                       the CSV of the same request (``/analysis/...``)
GET ``/roadmap``                       the roadmap items as a timeline 2019-2023 (HTML)
GET ``/translate?element=IRI``         the architecture translator
                                       (``stdgraph.analysis.translator``): mapped elements of
                                       the other architectures, with relation, status and
                                       source, and the standards reached; JSON or HTML form
=====================================  ==========================================================

Every GET route here also answers HEAD: the same status and headers (Content-Type,
Content-Length, Link, Vary), no body. Report rows link every resource they name to its page.

Every query binds IRIs and literals through ``sparql_term`` / ``iri_ref`` (never pasted raw)
and runs off the event loop under the query time limit.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import BNode, Graph, Literal, URIRef

from stdgraph.analysis import ANALYSES
from stdgraph.analysis.common import Labels, values_block
from stdgraph.analysis.gaps import matrix
from stdgraph.analysis.relevance import KINDS as RELEVANCE_KINDS
from stdgraph.analysis.relevance import relevance
from stdgraph.analysis.translator import mapped_elements, translate
from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError
from stdgraph.api.http import public_base, query_params
from stdgraph.api.negotiation import negotiate_name
from stdgraph.errors import QueryTimeout
from stdgraph.rdf.namespaces import PREFIXES, sparql_prologue
from stdgraph.sparql.named import ParameterError, sparql_term
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store

PROLOGUE = sparql_prologue()
SG = PREFIXES["sg"]
SKOS = PREFIXES["skos"]
RDF_TYPE = PREFIXES["rdf"] + "type"
DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
YEARS = list(range(2019, 2024))  # the span of the roadmap's timeline

#: format name -> media types (first: the one answered); the first entry is the default
RESOURCE_MEDIA: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle",),
    "html": ("text/html", "application/xhtml+xml"),
    "jsonld": ("application/ld+json", "application/json"),
    "ntriples": ("application/n-triples",),
    "rdfxml": ("application/rdf+xml",),
}
_RDFLIB = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml"}
_CHARSET = {"turtle", "ntriples", "html"}
JSON_HTML = {"json": ("application/json",), "html": ("text/html", "application/xhtml+xml")}
HTML_JSON = {"html": ("text/html", "application/xhtml+xml"), "json": ("application/json",)}

#: the RAMI 4.0 grid of the coverage heatmap (rows, columns); other schemes list their elements
GRIDS = {"architecture/rami40": ("architecture/rami40/axis-layers",
                                 "architecture/rami40/axis-hierarchy")}

_LINKED = [  # (property, heading) of a standard's page, in order
    ("partOf", "Part of"), ("hasPart", "Parts"), ("supersedes", "Supersedes"),
    ("supersededBy", "Superseded by"), ("normativelyReferences", "Normatively references"),
    ("basedOn", "Based on"), ("references", "References"), ("relatedTo", "Related to"),
    ("conflictsWith", "Declared to conflict with"), ("deliveredBy", "Delivered by roadmap item"),
]
_CONCERNS = [("addressesBarrier", "Barriers addressed"), ("supportsTheme", "Themes supported"),
             ("concernsTechnology", "Technologies"),
             ("relevantToStakeholder", "Relevant to stakeholders")]
_MATCHES = [("exactMatch", "Exact match"), ("closeMatch", "Close match"),
            ("broadMatch", "Broader match"), ("narrowMatch", "Narrower match"),
            ("relatedMatch", "Related match"), ("related", "Related")]
_ITEM_CONCERNS = [("addressesBarrier", "Barriers addressed"),
                  ("supportsTheme", "Themes supported"), ("concernsTechnology", "Technologies"),
                  ("relevantToStakeholder", "Relevant to stakeholders"),
                  ("basedOn", "Based on"), ("references", "References")]

T = TypeVar("T")


def jsonld_context(base_iri: str) -> dict:
    """The published JSON-LD context: the prefixes, ``id:`` for the resource base, and the
    properties of the model with their value types."""
    ctx: dict[str, Any] = dict(PREFIXES)
    ctx["sgid"] = base_iri
    for p in ("publisher", "committee", "status", "partOf", "hasPart", "supersedes",
              "supersededBy", "references", "normativelyReferences", "basedOn", "relatedTo",
              "conflictsWith", "classifiedIn", "addressesBarrier", "supportsTheme",
              "concernsTechnology", "relevantToStakeholder", "proposes", "proposedBy",
              "delivers", "deliveredBy", "specifiedBy", "publishedBy", "mappingSubject",
              "mappingObject", "mappingRelation"):
        ctx[p] = {"@id": SG + p, "@type": "@id"}
    for p in ("identifier", "edition", "sectionNumber", "timeframeLabel", "mappingStatus"):
        ctx[p] = {"@id": SG + p}
    ctx["title"] = {"@id": SG + "title", "@language": "en"}
    ctx["label"] = {"@id": PREFIXES["rdfs"] + "label"}
    ctx["source"] = {"@id": PREFIXES["dcterms"] + "source", "@type": "@id"}
    return ctx


class Pages:
    """The Jinja2 environment (templates inside the package) and link helpers."""

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.env = Environment(loader=PackageLoader("stdgraph.web", "templates"),
                               autoescape=select_autoescape(["html"]), trim_blocks=True,
                               lstrip_blocks=True)

    def local(self, iri: str, root: str) -> str | None:
        """The URL of ``iri`` on this server, or None for a foreign IRI."""
        if iri.startswith(self.base_iri):
            return f"{root}/id/{quote(iri[len(self.base_iri):], safe='/-._~')}"
        if iri.startswith(SG):
            return f"{root}/ontology#{iri[len(SG):]}" if len(iri) > len(SG) else f"{root}/ontology"
        if iri == SG.rstrip("#"):  # the ontology itself
            return f"{root}/ontology"
        return None

    def render(self, request: Request, template: str, status_code: int = 200, **values: Any
               ) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")

        def href(iri: str) -> str:
            return self.local(iri, root) or iri

        text = self.env.get_template(template).render(root=root, href=href, **values)
        return HTMLResponse(text, status_code=status_code, headers={"Vary": "Accept"})


def _label_of(lab: Labels, term) -> str:
    return lab(str(term)) if isinstance(term, URIRef) else str(term)


def _curie(iri: str) -> str:
    """``prefix:name`` for an IRI in a known namespace, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _prop_label(lab: Labels, iri: str) -> str:
    label = lab(iri)
    return _curie(iri) if label == iri else label


def web_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["linked data and pages"])
    settings = ctx.settings
    base = settings.base_iri
    pages = Pages(base)
    store: Store = ctx.store

    async def run(fn: Callable[[], T]) -> T:
        timeout = settings.query_timeout or None
        work = asyncio.to_thread(fn)
        try:
            return await asyncio.wait_for(work, timeout) if timeout else await work
        except TimeoutError:
            raise QueryTimeout(timeout) from None

    def pick(request: Request, table: dict[str, tuple[str, ...]], what: str) -> str:
        fmt = query_params(request).get("format", [None])[0]
        if fmt is not None:
            if fmt not in table:
                raise ParameterError("format", f"{fmt!r} is not one of: " + ", ".join(table))
            return fmt
        return negotiate_name(request.headers.get("accept"), table, what=what)

    # -- data access (sync; run through ``run``) -------------------------------------------
    def describe(iri: str) -> list[tuple]:
        q = f"SELECT DISTINCT ?p ?o WHERE {{ {iri_ref(iri)} ?p ?o }}"
        return [(URIRef(iri), p, o) for p, o in store.query(q).rows]

    def incoming(iri: str) -> list[tuple]:
        q = f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {iri_ref(iri)} FILTER(isIRI(?s)) }} LIMIT 500"
        return [(s, p) for s, p in store.query(q).rows]

    def serialize(triples: list[tuple], fmt: str, request: Request) -> bytes:
        g = Graph()
        for p, ns in PREFIXES.items():
            g.bind(p, ns)
        g.bind("sgid", base)
        for t in triples:
            g.add(t)
        if fmt == "jsonld":
            doc = json.loads(g.serialize(format="json-ld", context=jsonld_context(base),
                                         auto_compact=True))
            doc["@context"] = public_base(request, settings) + "/context.jsonld"
            return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
        return g.serialize(format=_RDFLIB[fmt], encoding="utf-8")

    def alternates(request: Request, path: str) -> str:
        url = public_base(request, settings) + path
        links = [f'<{url}?format={name}>; rel="alternate"; type="{types[0]}"'
                 for name, types in RESOURCE_MEDIA.items()]
        links.append(f'<{public_base(request, settings)}/context.jsonld>; '
                     'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"')
        return ", ".join(links)

    def rdf_response(triples: list[tuple], fmt: str, request: Request, path: str) -> Response:
        media = RESOURCE_MEDIA[fmt][0] + ("; charset=utf-8" if fmt in _CHARSET else "")
        return Response(serialize(triples, fmt, request), media_type=media,
                        headers={"Vary": "Accept", "Link": alternates(request, path)})

    # -- /context.jsonld ----------------------------------------------------------------------
    @router.get("/context.jsonld", summary="The JSON-LD context of the /id/ answers",
                response_class=Response,
                responses={200: {"content": {"application/ld+json": {}}}})
    async def context_jsonld() -> Response:
        body = json.dumps({"@context": jsonld_context(base)}, indent=2)
        return Response(body, media_type="application/ld+json",
                        headers={"Cache-Control": "public, max-age=3600"})

    # -- /id/{path} -----------------------------------------------------------------------------
    @router.get(
        "/id/{path:path}", summary="Dereference a resource IRI (content negotiation)",
        description="The resource `{STDGRAPH_BASE_IRI}{path}`: Turtle (default), an HTML page, "
                    "JSON-LD (context /context.jsonld), N-Triples or RDF/XML by Accept or "
                    "?format=turtle|html|jsonld|ntriples|rdfxml. 404 when the graph holds no "
                    "triple about it. HEAD gives the same status and headers without the body.",
        responses={200: {"description": "The resource's triples or its page.",
                         "content": {t[0]: {} for t in RESOURCE_MEDIA.values()}},
                   404: {"description": "The graph says nothing about this IRI."},
                   406: {"description": "No acceptable media type."}})
    async def dereference(path: str, request: Request) -> Response:
        iri = base + path
        fmt = pick(request, RESOURCE_MEDIA, "a resource")
        try:
            iri_ref(iri)
        except ValueError:
            raise ApiError(404, f"no resource {iri}") from None
        triples = await run(lambda: describe(iri))
        if not triples:
            raise ApiError(404, f"the graph holds nothing about {iri}", iri=iri)
        if fmt != "html":
            return rdf_response(triples, fmt, request, "/id/" + path)
        page = await run(lambda: resource_page(iri, triples))
        resp = pages.render(request, page.pop("template"), **page)
        resp.headers["Link"] = alternates(request, "/id/" + path)
        return resp

    def resource_page(iri: str, triples: list[tuple]) -> dict:
        lab = Labels(store)
        inc = incoming(iri)
        lab.fetch([str(o) for _s, _p, o in triples if isinstance(o, URIRef)]
                  + [str(p) for _s, p, _o in triples] + [str(s) for s, _p in inc]
                  + [str(p) for _s, p in inc] + [iri])
        props: dict[str, list] = defaultdict(list)
        for _s, p, o in triples:
            props[str(p)].append(o)
        types = sorted(str(o) for o in props.get(RDF_TYPE, []))

        def refs(prop: str) -> list[dict]:
            vals = props.get(prop, [])
            return sorted(({"iri": str(v) if isinstance(v, URIRef) else None,
                            "label": _label_of(lab, v)} for v in vals
                           if not isinstance(v, BNode)), key=lambda r: r["label"].casefold())

        rows = []
        for p in sorted(props, key=lambda p: _prop_label(lab, p).casefold()):
            rows.append({"iri": p, "label": _prop_label(lab, p), "values": [
                {"iri": str(v) if isinstance(v, URIRef) else None,
                 "label": _label_of(lab, v),
                 "lang": v.language if isinstance(v, Literal) else None}
                for v in sorted(props[p], key=lambda v: _label_of(lab, v).casefold())]})
        links_in = sorted(({"iri": str(s), "label": lab(str(s)), "prop": _prop_label(lab, str(p))}
                           for s, p in inc), key=lambda r: (r["prop"], r["label"].casefold()))
        page: dict[str, Any] = {"template": "resource.html", "iri": iri, "label": lab(iri),
                                "types": [{"iri": t, "label": _prop_label(lab, t)} for t in types],
                                "rows": rows, "incoming": links_in,
                                "formats": list(RESOURCE_MEDIA),
                                "path": iri[len(base):]}
        if SG + "Standard" in types:
            page.update(standard_page(iri, props, refs, lab))
        elif SG + "ReferenceArchitecture" in types:
            page.update(architecture_page(iri, lab))
        elif SG + "Barrier" in types:
            page.update(concern_page(iri, "barrier", props, refs, lab))
        elif SG + "Theme" in types:
            page.update(concern_page(iri, "theme", props, refs, lab))
        elif SG + "Recommendation" in types:
            page.update(recommendation_page(iri, props, refs, lab))
        elif SG + "RoadmapItem" in types:
            page.update(roadmap_item_page(iri, props, refs, lab))
        return page

    def standard_page(iri: str, props, refs, lab: Labels) -> dict:
        def first(prop: str) -> str | None:
            vals = props.get(SG + prop, [])
            return str(sorted(vals, key=str)[0]) if vals else None

        status = first("status")
        classified = refs(SG + "classifiedIn")
        schemes: dict[str, list] = defaultdict(list)
        if classified:
            q = (PROLOGUE + "SELECT DISTINCT ?e ?s WHERE { VALUES ?e { "
                 + " ".join(sparql_term(URIRef(c["iri"])) for c in classified if c["iri"])
                 + " } ?e skos:inScheme ?s }")
            scheme_of = {str(e): str(s) for e, s in store.query(q).rows}
            lab.fetch(scheme_of.values())
            for c in classified:
                s = scheme_of.get(c["iri"] or "")
                schemes[lab(s) if s else "other"].append(c)
        overlaps = [o for o in cached_analysis("overlaps")["items"] if iri in (o["a"], o["b"])]
        conflicts = [c for c in cached_analysis("conflicts")["items"]
                     if any(s["iri"] == iri for s in c["subjects"])]
        return {
            "template": "standard.html",
            "identifier": first("identifier"), "title": first("title"),
            "status": {"iri": status, "label": lab(status)} if status else None,
            "year": first("publicationYear"), "edition": first("edition"),
            "publisher": refs(SG + "publisher"), "committee": refs(SG + "committee"),
            "classifications": sorted(schemes.items()),
            "relations": [(h, refs(SG + p)) for p, h in _LINKED if refs(SG + p)],
            "concerns": [(h, refs(SG + p)) for p, h in _CONCERNS if refs(SG + p)],
            "overlaps": [{"other": {"iri": o["b"], "label": o["b_label"]} if o["a"] == iri
                          else {"iri": o["a"], "label": o["a_label"]},
                          "score": o["score"], "shared": o["shared"], "related": o["related"]}
                         for o in overlaps],
            "conflicts": conflicts,
            "sources": refs(PREFIXES["dcterms"] + "source")
            + refs(PREFIXES["prov"] + "wasDerivedFrom"),
        }

    # -- barrier, theme, recommendation and roadmap item pages ----------------------------------
    def sources_of(props, lab: Labels) -> dict:
        """``dcterms:source`` and ``prov:wasDerivedFrom`` with, for each source, the document
        it is a section of and its home page (when the graph gives them)."""
        cited = {"source": sorted({str(v) for v in props.get(DCT + "source", [])
                                   if isinstance(v, URIRef)}),
                 "derived": sorted({str(v) for v in props.get(PROV + "wasDerivedFrom", [])
                                    if isinstance(v, URIRef)})}
        every = sorted({*cited["source"], *cited["derived"]})
        within: dict[str, str] = {}
        home: dict[str, str] = {}
        if every:
            q = (PROLOGUE + "SELECT DISTINCT ?s ?doc ?home WHERE { " + values_block("s", every)
                 + " OPTIONAL { ?s dcterms:isPartOf ?doc "
                 "FILTER NOT EXISTS { ?doc dcterms:isPartOf ?up } } "
                 "OPTIONAL { ?s foaf:homepage ?home } }")
            for s, doc, h in store.query(q).rows:
                if doc is not None:
                    within.setdefault(str(s), str(doc))
                if h is not None:
                    home.setdefault(str(s), str(h))
        lab.fetch([*every, *within.values()])

        def entry(i: str) -> dict:
            return {"iri": i, "label": lab(i),
                    "within": lab.ref(within[i]) if i in within else None,
                    "homepage": home.get(i)}

        return {"sources": [entry(i) for i in cited["source"]],
                "derived_from": [entry(i) for i in cited["derived"]]}

    def standards_info(iris: Iterable[str], lab: Labels) -> list[dict]:
        """Identifier, label and status of standards, by identifier."""
        iris = sorted(set(iris))
        if not iris:
            return []
        q = (PROLOGUE + "SELECT ?s (MIN(STR(?i)) AS ?id) (MIN(STR(?t)) AS ?title) "
             "(MIN(?st) AS ?status) WHERE { " + values_block("s", iris)
             + " OPTIONAL { ?s sg:identifier ?i } OPTIONAL { ?s sg:title ?t } "
             "OPTIONAL { ?s sg:status ?st } } GROUP BY ?s")
        rows = store.query(q).rows
        lab.fetch([*iris, *(str(st) for *_x, st in rows if st is not None)])
        out = [{"iri": str(s), "label": lab(str(s)), "identifier": str(i) if i else None,
                "title": str(t) if t else None,
                "status": lab.ref(str(st)) if st is not None else None}
               for s, i, t, st in rows]
        return sorted(out, key=lambda r: ((r["identifier"] or r["label"]).casefold(), r["iri"]))

    def roadmap_items(iris: Iterable[str] | None, lab: Labels) -> list[dict]:
        """Roadmap items (all, or the given ones) with their timeframe, the recommendations
        proposing them and the standards delivering them, in timeline order."""
        restrict = ""
        if iris is not None:
            iris = sorted(set(iris))
            if not iris:
                return []
            restrict = values_block("r", iris)
        q = (PROLOGUE + "SELECT DISTINCT ?r ?start ?end ?tf ?rec ?std WHERE { " + restrict
             + " ?r a sg:RoadmapItem . OPTIONAL { ?r sg:startYear ?start } "
             "OPTIONAL { ?r sg:endYear ?end } OPTIONAL { ?r sg:timeframeLabel ?tf } "
             "OPTIONAL { { ?r sg:proposedBy ?rec } UNION { ?rec sg:proposes ?r } } "
             "OPTIONAL { { ?r sg:delivers ?std } UNION { ?std sg:deliveredBy ?r } } }")
        items: dict[str, dict] = {}
        for r, start, end, tf, rec, std in store.query(q).rows:
            it = items.setdefault(str(r), {"iri": str(r), "start": None, "end": None,
                                           "timeframe": None, "recs": set(),
                                           "standards": set()})
            if start is not None:
                it["start"] = int(str(start)[:4])
            if end is not None:
                it["end"] = int(str(end)[:4])
            if tf is not None:
                it["timeframe"] = str(tf)
            if rec is not None:
                it["recs"].add(str(rec))
            if std is not None:
                it["standards"].add(str(std))
        lab.fetch([*items, *(x for it in items.values() for x in it["recs"] | it["standards"])])
        rows = []
        for it in items.values():
            first = it["start"] or it["end"]
            last = it["end"] or it["start"]
            rows.append({**it, "label": lab(it["iri"]),
                         "recs": sorted(lab.refs(it["recs"]), key=lambda r: r["label"]),
                         "standards": sorted(lab.refs(it["standards"]),
                                             key=lambda r: r["label"]),
                         "active": [first is not None and first <= y <= last
                                    for y in YEARS]})
        rows.sort(key=lambda r: (r["start"] or 9999, r["end"] or 9999, r["label"].casefold()))
        return rows

    def gap_of(iri: str, kind: str) -> dict | None:
        """The gaps analysis' item for ``iri`` (None: the analysis finds it covered)."""
        return next((g for g in cached_analysis("gaps")["items"]
                     if g["subject"] == iri and g["kind"] == kind), None)

    def first_text(props, prop: str) -> str | None:
        """The English (else untagged, else any) literal of ``prop``."""
        vals = [v for v in props.get(prop, []) if isinstance(v, Literal)]
        vals.sort(key=lambda v: (0 if (v.language or "").startswith("en") else
                                 1 if not v.language else 2, str(v)))
        return str(vals[0]) if vals else None

    def definition_of(term: str) -> str | None:
        """A term's English ``skos:definition`` (the ontology's wording, not the page's)."""
        rows = store.query(f"SELECT ?d WHERE {{ {iri_ref(term)} {iri_ref(SKOS + 'definition')}"
                           " ?d }").rows
        return first_text({"d": [d for (d,) in rows]}, "d")

    def texts(props, prop: str) -> list[str]:
        return sorted({str(v) for v in props.get(prop, []) if isinstance(v, Literal)})

    def concern_page(iri: str, kind: str, props, refs, lab: Labels) -> dict:
        """A barrier or a theme: what it is, where it sits, what addresses it."""
        prop = SG + ("addressesBarrier" if kind == "barrier" else "supportsTheme")
        hier = (PROLOGUE + "SELECT DISTINCT ?rel ?x WHERE { "
                f"{{ {iri_ref(iri)} skos:broader ?x BIND(\"broader\" AS ?rel) }} UNION "
                f"{{ ?x skos:narrower {iri_ref(iri)} BIND(\"broader\" AS ?rel) }} UNION "
                f"{{ ?x skos:broader {iri_ref(iri)} BIND(\"narrower\" AS ?rel) }} UNION "
                f"{{ {iri_ref(iri)} skos:narrower ?x BIND(\"narrower\" AS ?rel) }} "
                "FILTER(isIRI(?x)) }")
        near: dict[str, set] = {"broader": set(), "narrower": set()}
        for rel, x in store.query(hier).rows:
            near[str(rel)].add(str(x))
        # who points at it, directly or through a narrower concept (as the gaps analysis counts)
        q = (PROLOGUE + "SELECT DISTINCT ?s ?type ?via WHERE { "
             f"{{ ?s {iri_ref(prop)} {iri_ref(iri)} }} UNION "
             f"{{ ?s {iri_ref(prop)} ?via . ?via (skos:broader|^skos:narrower)+ {iri_ref(iri)} "
             "FILTER(?via != " + iri_ref(iri) + ") } "
             "?s a ?type VALUES ?type { sg:Standard sg:RoadmapItem sg:Recommendation } }")
        found: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        for s, t, via in store.query(q).rows:
            found[str(t)[len(SG):]][str(s)].add(str(via) if via is not None else "")
        lab.fetch([*near["broader"], *near["narrower"],
                   *(v for by in found.values() for vias in by.values() for v in vias if v)])

        def via(kind_: str, s: str) -> list[dict]:
            return sorted(lab.refs(v for v in found[kind_][s] if v),
                          key=lambda r: r["label"].casefold())

        standards = standards_info(found["Standard"], lab)
        for st in standards:
            st["direct"] = "" in found["Standard"][st["iri"]]
            st["via"] = via("Standard", st["iri"])
        items = roadmap_items(found["RoadmapItem"], lab)
        for it in items:
            it["direct"] = "" in found["RoadmapItem"][it["iri"]]
            it["via"] = via("RoadmapItem", it["iri"])
        recs = sorted(({**lab.ref(r), "direct": "" in found["Recommendation"][r],
                        "via": via("Recommendation", r)} for r in found["Recommendation"]),
                      key=lambda r: r["label"].casefold())
        sme = None
        if kind == "theme":
            flags = {str(v).lower() for v in props.get(SG + "relevantToSMEs", [])}
            sme = {"value": "yes" if flags == {"true"} else "no" if flags == {"false"}
                   else None, "definition": definition_of(SG + "relevantToSMEs")}
        return {
            "template": "concern.html", "kind": kind,
            "definition": first_text(props, SKOS + "definition"),
            "scope_notes": texts(props, SKOS + "scopeNote"),
            "alt_labels": texts(props, SKOS + "altLabel"),
            "notation": first_text(props, SKOS + "notation"),
            "schemes": refs(SKOS + "inScheme"),
            "broader": sorted(lab.refs(near["broader"]), key=lambda r: r["label"].casefold()),
            "narrower": sorted(lab.refs(near["narrower"]), key=lambda r: r["label"].casefold()),
            "matches": [(h, refs(SKOS + p)) for p, h in _MATCHES if refs(SKOS + p)],
            "standards": standards, "items": items, "recommendations": recs,
            "years": YEARS, "sme": sme, "gap": gap_of(iri, kind),
            "gaps_url": f"/reports/gaps?kinds={kind}",
            **sources_of(props, lab),
        }

    def recommendation_page(iri: str, props, refs, lab: Labels) -> dict:
        """A recommendation: its text, its roadmap items on the timeline, what they address."""
        q = (PROLOGUE + "SELECT DISTINCT ?r WHERE { "
             f"{{ {iri_ref(iri)} sg:proposes ?r }} UNION {{ ?r sg:proposedBy {iri_ref(iri)} }} }}")
        item_iris = [str(r) for (r,) in store.query(q).rows]
        items = roadmap_items(item_iris, lab)
        concerns: dict[str, dict[str, set]] = {k: defaultdict(set) for k in
                                                ("addressesBarrier", "supportsTheme")}
        for p in concerns:
            for o in props.get(SG + p, []):
                concerns[p][str(o)].add("")
        if item_iris:
            q = (PROLOGUE + "SELECT DISTINCT ?r ?p ?o WHERE { " + values_block("r", item_iris)
                 + " VALUES ?p { sg:addressesBarrier sg:supportsTheme } ?r ?p ?o }")
            for r, p, o in store.query(q).rows:
                concerns[str(p)[len(SG):]][str(o)].add(str(r))
        lab.fetch([o for by in concerns.values() for o in by])
        labels = {it["iri"]: it["label"] for it in items}

        def listing(p: str) -> list[dict]:
            out = []
            for o, by in concerns[p].items():
                out.append({**lab.ref(o), "direct": "" in by,
                            "via": sorted(({"iri": r, "label": labels.get(r, lab(r))}
                                           for r in by if r), key=lambda x: x["label"])})
            return sorted(out, key=lambda r: r["label"].casefold())

        return {
            "template": "recommendation.html",
            "notation": first_text(props, SKOS + "notation"),
            "text": first_text(props, DCT + "description"),
            "stakeholders": refs(SG + "relevantToStakeholder"),
            "items": items, "years": YEARS,
            "barriers": listing("addressesBarrier"), "themes": listing("supportsTheme"),
            **sources_of(props, lab),
        }

    def roadmap_item_page(iri: str, props, refs, lab: Labels) -> dict:
        """A roadmap item: its timeframe, recommendation, what it addresses and delivers."""
        item = (roadmap_items([iri], lab) or [None])[0]
        return {
            "template": "roadmap_item.html", "item": item, "years": YEARS,
            "text": first_text(props, DCT + "description"),
            "notes": texts(props, SKOS + "editorialNote"),
            "delivered": standards_info((s["iri"] for s in item["standards"]) if item else (),
                                        lab),
            "concerns": [(h, refs(SG + p)) for p, h in _ITEM_CONCERNS if refs(SG + p)],
            "gap": gap_of(iri, "roadmap-item"),
            **sources_of(props, lab),
        }

    def cached_analysis(name: str) -> dict:
        return ctx.cached("web-" + name,
                          lambda: ANALYSES[name].run(store, {"limit": "0"}).as_dict())

    def architecture_page(iri: str, lab: Labels) -> dict:
        key = iri[len(base):]
        heatmap = None
        if key in GRIDS:
            rows_axis, cols_axis = (base + x for x in GRIDS[key])
            heatmap = matrix(store, rows_axis, cols_axis, lab)
            heatmap["max"] = max((n for row in heatmap["counts"] for n in row), default=0)
        q = (PROLOGUE + "SELECT ?e ?axis (COUNT(DISTINCT ?s) AS ?n) WHERE { "
             f"?e skos:inScheme {iri_ref(iri)} . OPTIONAL {{ ?e skos:broader ?axis }} "
             "OPTIONAL { ?s sg:classifiedIn ?e ; a sg:Standard } } GROUP BY ?e ?axis")
        by_axis: dict[str, list] = defaultdict(list)
        rows = store.query(q).rows
        lab.fetch([str(e) for e, _a, _n in rows] + [str(a) for _e, a, _n in rows if a])
        for e, axis, n in rows:
            by_axis[lab(str(axis)) if axis is not None else "(top)"].append(
                {"iri": str(e), "label": lab(str(e)), "count": int(n)})
        elements = sorted((a, sorted(v, key=lambda x: x["label"].casefold()))
                          for a, v in by_axis.items())
        return {"template": "architecture.html", "heatmap": heatmap, "elements": elements}

    # -- /ontology ------------------------------------------------------------------------------
    @router.get("/ontology", summary="The stdgraph ontology (sg: terms), negotiated",
                responses={200: {"content": {t[0]: {} for t in RESOURCE_MEDIA.values()},
                                 "description": "The ontology's terms."}})
    async def ontology(request: Request) -> Response:
        fmt = pick(request, RESOURCE_MEDIA, "the ontology")

        def load() -> list[tuple]:
            q = ("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
                 + sparql_term(Literal(SG)) + ")) FILTER(!isBlank(?o)) }")
            return [tuple(r) for r in store.query(q).rows]

        triples = await run(load)
        if fmt != "html":
            return rdf_response(triples, fmt, request, "/ontology")

        def page() -> dict:
            lab = Labels(store)
            terms: dict[str, dict] = {}
            lab.fetch({str(t) for tr in triples for t in tr if isinstance(t, URIRef)})
            for s, p, o in triples:
                t = terms.setdefault(str(s), {"iri": str(s), "name": str(s)[len(SG):],
                                              "label": lab(str(s)), "kinds": set(),
                                              "comment": None})
                if str(p) == RDF_TYPE:
                    t["kinds"].add(lab(str(o)).rsplit("#", 1)[-1])
                elif str(p) in (PREFIXES["rdfs"] + "comment", SKOS + "definition"):
                    t["comment"] = str(o)
            out = []
            for t in sorted(terms.values(), key=lambda t: t["name"].casefold()):
                t["kinds"] = ", ".join(sorted(t["kinds"]))
                out.append(t)
            return {"terms": out}

        values = await run(page)
        resp = pages.render(request, "ontology.html", **values)
        resp.headers["Link"] = alternates(request, "/ontology")
        return resp

    # -- landing page ---------------------------------------------------------------------------
    @router.get("/", summary="Landing page", response_class=HTMLResponse)
    async def landing(request: Request) -> Response:
        def load() -> dict:
            kinds = [("Standard", "standards"),
                     ("ReferenceArchitecture", "reference architectures"),
                     ("ArchitectureElement", "architecture elements"), ("Barrier", "barriers"),
                     ("Theme", "themes"), ("Technology", "technologies"),
                     ("StakeholderType", "stakeholder types"),
                     ("Recommendation", "recommendations"), ("RoadmapItem", "roadmap items"),
                     ("StandardsBody", "standards bodies")]
            q = (PROLOGUE + "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { VALUES ?c { "
                 + " ".join(sparql_term(URIRef(SG + k)) for k, _ in kinds)
                 + " } ?x a ?c } GROUP BY ?c")
            n = {str(c): int(v) for c, v in store.query(q).rows}
            counts = [{"label": name, "count": n.get(SG + k, 0)} for k, name in kinds]
            lab = Labels(store)

            def members(cls: str) -> list[dict]:
                rows = store.query(PROLOGUE + "SELECT DISTINCT ?x WHERE { ?x a "
                                   + sparql_term(URIRef(SG + cls)) + " }").rows
                lab.fetch(str(x) for (x,) in rows)
                return sorted(lab.refs(str(x) for (x,) in rows),
                              key=lambda r: r["label"].casefold())

            return {"counts": counts, "architectures": members("ReferenceArchitecture"),
                    "barriers": members("Barrier"), "themes": members("Theme"),
                    "recommendations": members("Recommendation")}

        return pages.render(request, "index.html", **(await run(load)))

    # -- search -------------------------------------------------------------------------------
    @router.get("/search", summary="Search labels and identifiers (?q=, HTML or JSON)",
                responses={200: {"content": {"text/html": {}, "application/json": {}},
                                 "description": "Matching resources."}})
    async def search(request: Request) -> Response:
        fmt = pick(request, HTML_JSON, "search results")
        q_text = (query_params(request).get("q", [""])[0] or "").strip()[:200]

        def load() -> list[dict]:
            if not q_text:
                return []
            q = (PROLOGUE + "SELECT DISTINCT ?s ?l WHERE { "
                 "?s rdfs:label|skos:prefLabel|skos:altLabel|sg:identifier|skos:notation ?l "
                 "FILTER(isIRI(?s) && STRSTARTS(STR(?s), " + sparql_term(Literal(base)) + ")) "
                 "FILTER(CONTAINS(LCASE(STR(?l)), LCASE(" + sparql_term(Literal(q_text))
                 + "))) } LIMIT 1000")
            found = {str(s) for s, _l in store.query(q).rows}
            lab = Labels(store)
            lab.fetch(found)
            return sorted(lab.refs(found), key=lambda r: (r["label"].casefold(), r["iri"]))[:200]

        results = await run(load)
        if fmt == "json":
            return JSONResponse({"q": q_text, "count": len(results), "items": results},
                                headers={"Vary": "Accept"})
        return pages.render(request, "search.html", q=q_text, results=results)

    # -- standards by element -----------------------------------------------------------------
    @router.get("/standards", summary="Standards classified in every given element",
                responses={200: {"content": {"text/html": {}, "application/json": {}},
                                 "description": "The standards."}})
    async def standards(request: Request) -> Response:
        fmt = pick(request, HTML_JSON, "a list of standards")
        params = query_params(request)
        unknown = sorted(set(params) - {"element", "format"})
        if unknown:
            raise ParameterError(unknown[0], "unknown parameter (known: element, format)")
        elements = [e for e in params.get("element", []) if e]
        for e in elements:
            try:
                sparql_term(URIRef(e))
            except ValueError:
                raise ParameterError("element", f"{e!r} is not an IRI") from None

        def load() -> dict:
            lab = Labels(store)
            pattern = " ".join(f"?s sg:classifiedIn {sparql_term(URIRef(e))} ." for e in elements)
            q = (PROLOGUE + "SELECT DISTINCT ?s ?status WHERE { ?s a sg:Standard . " + pattern
                 + " OPTIONAL { ?s sg:status ?status } }")
            rows = store.query(q).rows
            lab.fetch([str(s) for s, _ in rows] + [str(x) for _, x in rows if x] + elements)
            items = sorted(({"iri": str(s), "label": lab(str(s)),
                             "status": lab(str(st)) if st is not None else None}
                            for s, st in rows), key=lambda r: (r["label"].casefold(), r["iri"]))
            return {"elements": lab.refs(elements), "items": items}

        data = await run(load)
        if fmt == "json":
            return JSONResponse({**data, "count": len(data["items"])},
                                headers={"Vary": "Accept"})
        return pages.render(request, "standards.html", **data)

    # -- relevance finder ---------------------------------------------------------------------
    @router.get(
        "/relevance", summary="Standards ranked by how much of a profile they match",
        description="Repeatable parameters technology, barrier, element, stakeholder (IRIs or "
                    "slugs such as `robotics`, `rami40/layer-asset`); include_withdrawn=true "
                    "keeps withdrawn and superseded standards. JSON (default) or the HTML form.",
        responses={200: {"content": {"application/json": {}, "text/html": {}},
                         "description": "The ranking (stdgraph.analysis.relevance)."},
                   400: {"description": "A bad or unknown parameter (named)."}})
    async def relevance_route(request: Request) -> Response:
        fmt = pick(request, JSON_HTML, "the relevance ranking")
        params = query_params(request)
        known = set(RELEVANCE_KINDS) | {"include_withdrawn", "format"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ParameterError(unknown[0], "unknown parameter (known: "
                                 + ", ".join(sorted(known)) + ")")
        flag = (params.get("include_withdrawn", ["false"])[-1] or "false").lower()
        if flag not in {"true", "false", "1", "0", "on", "yes", "no"}:
            raise ParameterError("include_withdrawn", f"{flag!r} is not a boolean")
        include = flag in {"true", "1", "on", "yes"}
        profile = {k: [v for v in params.get(k, []) if v] for k in RELEVANCE_KINDS}

        def load() -> dict:
            return relevance(store, profile, include_withdrawn=include, base_iri=base)

        if fmt == "json":
            return JSONResponse(await run(load), headers={"Vary": "Accept"})

        def form() -> dict:
            lab = Labels(store)
            options: dict[str, list] = {}
            for kind, cls in (("technology", "Technology"), ("barrier", "Barrier"),
                              ("stakeholder", "StakeholderType")):
                rows = store.query(PROLOGUE + "SELECT DISTINCT ?x WHERE { ?x a "
                                   + sparql_term(URIRef(SG + cls)) + " }").rows
                lab.fetch(str(x) for (x,) in rows)
                options[kind] = sorted(lab.refs(str(x) for (x,) in rows),
                                       key=lambda r: r["label"].casefold())
            rows = store.query(PROLOGUE + "SELECT DISTINCT ?e ?s WHERE { ?e a "
                               "sg:ArchitectureElement ; skos:inScheme ?s "
                               "FILTER NOT EXISTS { ?e skos:topConceptOf ?t } }").rows
            lab.fetch([str(e) for e, _ in rows] + [str(s) for _, s in rows])
            groups: dict[str, list] = defaultdict(list)
            for e, s in rows:
                groups[lab(str(s))].append(lab.ref(str(e)))
            options["element"] = [(g, sorted(v, key=lambda r: r["label"].casefold()))
                                  for g, v in sorted(groups.items())]
            return options

        options = await run(form)
        asked = any(profile.values())
        result = None
        error = None
        if asked:
            try:
                result = await run(load)
            except ParameterError as e:
                error = e.message
        chosen = {v for vals in profile.values() for v in vals}
        query = urlencode([(k, v) for k in RELEVANCE_KINDS for v in profile[k]]
                          + ([("include_withdrawn", "true")] if include else []))
        return pages.render(request, "relevance.html", status_code=400 if error else 200,
                            options=options, chosen=chosen, include=include, result=result,
                            error=error, json_query=query)

    # -- roadmap timeline ---------------------------------------------------------------------
    @router.get("/roadmap", summary="The roadmap as a timeline 2019-2023",
                response_class=HTMLResponse)
    async def roadmap(request: Request) -> Response:
        def load() -> dict:
            return {"years": YEARS, "rows": roadmap_items(None, Labels(store))}

        return pages.render(request, "roadmap.html", **(await run(load)))

    # -- analysis reports ---------------------------------------------------------------------
    report_paths = {"overlaps": "/analysis/overlaps", "clusters": "/analysis/overlaps/clusters",
                    "gaps": "/analysis/gaps", "conflicts": "/analysis/conflicts"}

    @router.get("/reports/{name}", summary="An analysis as an HTML report with filters",
                response_class=HTMLResponse,
                responses={404: {"description": "No such report."}},
                description="name: overlaps, clusters, gaps or conflicts; the parameters are "
                            "those of /analysis/{name} (docs/analyses.md). HTML only; the same "
                            "request as JSON or CSV is linked from the page.")
    async def report(name: str, request: Request) -> Response:
        if name not in report_paths:
            raise ApiError(404, f"no report {name!r} (known: {', '.join(report_paths)})")
        spec = ANALYSES[name]
        params = query_params(request)
        raw = {k: [x for x in v if x != ""] for k, v in params.items() if k != "format"}
        raw = {k: v for k, v in raw.items() if v}
        values: dict[str, Any] = {}
        for k, v in raw.items():
            p = next((p for p in spec.params if p.name == k), None)
            values[k] = v if p is not None and p.multiple else (v[0] if len(v) == 1 else v)
        error = None
        doc = None
        try:
            doc = await run(lambda: spec.run(store, values))
        except ParameterError as e:
            error = e.message
        columns = REPORT_COLUMNS[name]
        rows = [[get(item) for _n, get in columns] for item in doc.items] if doc is not None else []
        query = urlencode([(k, x) for k, v in raw.items() for x in v])
        fields = []
        for p in spec.params:
            given = raw.get(p.name, [])
            fields.append({"name": p.name, "type": p.type, "allowed": list(p.allowed),
                           "multiple": p.multiple, "description": p.description,
                           "default": p.default or "", "given": given})
        return pages.render(
            request, "report.html", status_code=400 if error else 200, name=name,
            title=spec.title, fields=fields, columns=[n for n, _ in columns],
            rows=rows, doc=doc.as_dict() if doc is not None else None, error=error,
            csv_url=f"{report_paths[name]}?{query}{'&' if query else ''}format=csv",
            json_url=f"{report_paths[name]}?{query}{'&' if query else ''}format=json",
            reports=list(report_paths))

    # -- architecture translator ---------------------------------------------------------------
    @router.get(
        "/translate", summary="Architecture translator: an element -> mapped elements, standards",
        description="element=IRI of an architecture element (RAMI 4.0, IIRA, IVRA, ...): the "
                    "elements of other architectures mapped to it (relation, sourced or "
                    "suggested, source) and the standards classified in each. JSON (default) "
                    "or the HTML form.",
        responses={200: {"content": {"application/json": {}, "text/html": {}},
                         "description": "The translation (stdgraph.analysis.translator)."},
                   400: {"description": "A bad or unknown parameter (named)."}})
    async def translate_route(request: Request) -> Response:
        fmt = pick(request, JSON_HTML, "the translation")
        params = query_params(request)
        unknown = sorted(set(params) - {"element", "format"})
        if unknown:
            raise ParameterError(unknown[0], "unknown parameter (known: element, format)")
        values = [v for v in params.get("element", []) if v]
        if len(values) > 1:
            raise ParameterError("element", "takes one value, got several")
        element = values[0] if values else None
        if fmt == "json":
            if element is None:
                raise ParameterError("element", "is required")
            return JSONResponse(await run(lambda: translate(store, element)),
                                headers={"Vary": "Accept"})
        options = await run(lambda: mapped_elements(store))
        result = error = None
        if element is not None:
            try:
                result = await run(lambda: translate(store, element))
            except ParameterError as e:
                error = e.message
        return pages.render(request, "translate.html", status_code=400 if error else 200,
                            options=options, chosen=element, result=result, error=error)

    # -- HEAD: every GET route of this router, same status and headers, no body ---------------
    for route in [r for r in router.routes if isinstance(r, APIRoute) and "GET" in r.methods]:
        router.add_api_route(route.path, _headless(route.endpoint), methods=["HEAD"],
                             name=route.name + "_head", include_in_schema=False)
    return router


def _headless(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The GET handler answering HEAD: its response with the body dropped, so Content-Type,
    Content-Length, Link and Vary are those of GET (RFC 9110 9.3.2). Errors keep their status;
    the server sends no body for HEAD."""

    @functools.wraps(endpoint)
    async def head(*args: Any, **kwargs: Any) -> Response:
        resp = await endpoint(*args, **kwargs)
        resp.body = b""
        return resp

    return head


def _ref(iri: str | None, label: str | None) -> dict | str:
    return {"iri": iri, "label": label or iri} if iri else ""


#: the columns of the HTML reports: text, or {"iri", "label"} / lists of them (shown as links)
REPORT_COLUMNS: dict[str, list[tuple[str, Callable[[dict], Any]]]] = {
    "overlaps": [("score", lambda i: f"{i['score']:.3f}"),
                 ("shared", lambda i: str(len(i["shared"]))),
                 ("a", lambda i: _ref(i["a"], i["a_label"])),
                 ("b", lambda i: _ref(i["b"], i["b_label"])),
                 ("related", lambda i: "yes" if i["related"] else ""),
                 ("shared elements", lambda i: i["shared"])],
    "clusters": [("cluster", lambda i: str(i["cluster"])), ("size", lambda i: str(i["size"])),
                 ("pairs", lambda i: str(i["pairs"])), ("standards", lambda i: i["standards"]),
                 ("common elements", lambda i: i["elements"])],
    "gaps": [("kind", lambda i: i["kind"]), ("subject", lambda i: _ref(i["subject"], i["label"])),
             ("scheme", lambda i: _ref(i["scheme"], i["scheme_label"])),
             ("reason", lambda i: i["reason"] or "")],
    "conflicts": [("severity", lambda i: i["severity"]), ("kind", lambda i: i["kind"]),
                  ("subjects", lambda i: i["subjects"]), ("message", lambda i: i["message"])],
}


__all__ = ["web_router", "jsonld_context", "RESOURCE_MEDIA"]
