# The analyses as they were before issue 20 (main at 97eed66), kept as the test oracle:
# every link through links.rq, everything recomputed per call. Do not change.
# ruff: noqa
# fmt: off
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from stdgraph.analysis.common import SG, SKOS, Parameter, parse_params
from stdgraph.sparql.queryfiles import QueryFolder
from stdgraph.store.base import Store

__all__ = ["DEFAULT_LEVEL", "DEFAULT_MIN_SCORE", "Evidence", "LEVELS", "LINKS", "LinkReader",
           "QUERIES", "RETIRED", "coverage_text", "evidence_params"]

#: the evidence levels, weakest filter last
LEVELS = ("stated", "stated+reading", "all")
DEFAULT_LEVEL = "stated+reading"
DEFAULT_MIN_SCORE = "0.5"
#: statuses that take a standard out of scope where an analysis counts current standards
RETIRED = (SG + "Withdrawn", SG + "Superseded")
STANDARD = SG + "Standard"
ROADMAP_ITEM = SG + "RoadmapItem"
ELEMENT = SG + "ArchitectureElement"
MAPPING_PROPS = tuple(SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch",
                                         "relatedMatch", "mappingRelation"))

QUERIES = QueryFolder("stdgraph.analysis", "analysis query")

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
                  description="Which links count: 'stated' (a source says so), "
                              "'stated+reading' (also a curator's reading; the default) or "
                              "'all' (also machine suggestions scored at least min_score)."),
        Parameter("min_score", "decimal", default=DEFAULT_MIN_SCORE, minimum=0, maximum=1,
                  label="Least suggestion score",
                  description="With evidence=all: the least sg:score (0 to 1) of a suggested "
                              "link that counts."),
    ]


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


def coverage_text(n: int, m: int, phrase: str, what: str = "standards") -> str:
    """"8 of 113 standards are linked to any barrier"."""
    one = n == 1
    return f"{n:,} of {m:,} {what} " + phrase.format(be="is" if one else "are",
                                                 have="has" if one else "have",
                                                 s="s" if one else "")


def selection_params() -> list[Parameter]:
    """issue 19: the element and barrier filters (a standard takes part when it is classified
    in every element and addresses every barrier given)."""
    return [Parameter("element", "iri", multiple=True, label="Classified in (every one)",
                      pick="element"),
            Parameter("barrier", "iri", multiple=True, label="Addresses (every one)",
                      pick="barrier")]


def picked(reader: LinkReader, params: Mapping, bodies: bool = False) -> set[str] | None:
    """issue 19: the standards the status, element and barrier filters (and with ``bodies``,
    the gaps' publisher filter) pick, by brute force over every standard (None: no filter
    given)."""
    statuses = set(params.get("status") or ())
    elements, barriers = set(params.get("element") or ()), set(params.get("barrier") or ())
    wanted = set(params.get("body") or ()) if bodies else set()
    if not (statuses or elements or barriers or wanted):
        return None
    st, cl = reader.statuses(), reader.classified()
    ba = reader.links(SG + "addressesBarrier")
    pubs = reader.links(SG + "publisher")
    return {s for s in reader.instances()
            if (not statuses or st.get(s, set()) & statuses)
            and elements <= cl.get(s, set()) and barriers <= ba.get(s, set())
            and (not wanted or pubs.get(s, set()) & wanted)}


def picked_words(params: Mapping, lab, one: bool, bodies: bool = False) -> str:
    """issue 19: what the picked standards do, after "N of M standards"."""
    parts = []
    if params.get("element"):
        parts.append(("is" if one else "are") + " classified in "
                     + " and ".join(lab(e) for e in sorted(set(params["element"]))))
    if params.get("barrier"):
        parts.append(("addresses " if one else "address ")
                     + " and ".join(lab(b) for b in sorted(set(params["barrier"]))))
    if bodies and params.get("body"):
        parts.append(("is" if one else "are") + " published by "
                     + " or ".join(lab(b) for b in sorted(set(params["body"]))))
    if params.get("status"):
        parts.append(("has" if one else "have") + " one of the statuses chosen ("
                     + ", ".join(lab(x) for x in sorted(set(params["status"]))) + ")")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def picked_entry(reader: LinkReader, params: Mapping, chosen: set[str], lab) -> dict:
    """issue 19: the coverage entry of the standards the filters pick."""
    n, m = len(chosen), len(reader.instances())
    return {"link": "selection", "label": "chosen by the filters", "with_link": n,
            "in_scope": m, "text": f"{n:,} of {m:,} standards "
            + picked_words(params, lab, n == 1) + ": only they take part"}


@dataclass
class LinkReader:
    """The links of one store at one evidence level, each property read once."""

    store: Store
    evidence: Evidence = field(default_factory=Evidence)
    _links: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict, repr=False)
    _instances: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def links(self, predicate: str, subject_type: str = STANDARD) -> dict[str, set[str]]:
        """subject -> the objects of its ``predicate`` links that count at this level."""
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
               ) -> dict[str, set[str]]:
        """subject -> objects of ``forward`` links, with ``inverse`` links read backwards
        (``sg:delivers`` from roadmap items and ``sg:deliveredBy`` from standards)."""
        out: dict[str, set[str]] = defaultdict(set)
        for s, os in self.links(forward, subject_type).items():
            out[s] |= os
        for o, ss in self.links(inverse, object_type).items():
            for s in ss:
                out[s].add(o)
        return dict(out)

    def instances(self, cls: str = STANDARD) -> set[str]:
        """Every subject typed ``cls``."""
        if cls not in self._instances:
            self._instances[cls] = {str(x) for (x,) in QUERIES.select(
                self.store, "instances", **{"class": URIRef(cls)})}
        return self._instances[cls]

    def parts(self) -> dict[str, set[str]]:
        """whole -> its parts (``sg:hasPart``, or ``sg:partOf`` read backwards), at this
        level."""
        return self.either(SG + "hasPart", SG + "partOf", STANDARD, STANDARD)

    def classified(self) -> dict[str, set[str]]:
        """standard -> the elements it is classified in at this level: its own links, and,
        for a series, those of its parts (transitively, each part-of link at this level too)."""
        own = self.links(SG + "classifiedIn")
        parts = self.parts()
        out: dict[str, set[str]] = {}
        for s in set(own) | set(parts):
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
            if elems:
                out[s] = elems
        return out

    def statuses(self) -> dict[str, set[str]]:
        """standard -> its statuses (``sg:status``) at this level."""
        return self.links(SG + "status")

    def current(self) -> set[str]:
        """The standards not withdrawn or superseded at this level (unknown counts)."""
        st = self.statuses()
        return {s for s in self.instances() if not st.get(s, set()) & set(RETIRED)}

    def coverage(self, link: str, with_link: Iterable[str], in_scope: set[str],
                 what: str = "standards") -> dict:
        """The coverage entry of ``link``: how many of ``in_scope`` are in ``with_link``."""
        label, phrase = LINKS.get(link, (link.rsplit("#", 1)[-1], "{have} such a link"))
        n = len(in_scope & set(with_link))
        return {"link": link, "label": label, "with_link": n, "in_scope": len(in_scope),
                "text": coverage_text(n, len(in_scope), phrase, what)}

    def counted(self, rows, subject_type: str = STANDARD) -> list:
        """The rows (a, property, b, graph) whose link a property b counts (links.rq)."""
        return [(a, p, b, g) for a, p, b, g in rows
                if b in self.links(p, subject_type).get(a, set())]

    def mapping_coverage(self) -> dict:
        """Architecture elements at either end of a counted SKOS mapping between two."""
        elements = self.instances(ELEMENT)
        ends: set[str] = set()
        for p in MAPPING_PROPS:
            for a, bs in self.links(p, ELEMENT).items():
                for b in bs:
                    if a in elements and b in elements:
                        ends |= {a, b}
        return self.coverage(SKOS + "mappingRelation", ends, elements, "architecture elements")

    def relation_coverage(self) -> list[dict]:
        """Standards with a counted part-of, supersession, relatedTo (both ends) or reference
        (the referrer) link."""
        subs = {str(p) for (p,) in self.store.query(
            "PREFIX sg: <https://w3id.org/stdgraph/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ sg:references }").rows}
        kinds = [("partOf", ["partOf", "hasPart"], True),
                 ("supersedes", ["supersedes", "supersededBy"], True),
                 ("relatedTo", ["relatedTo"], True),
                 ("references", ["references", "normativelyReferences", "basedOn"], False)]
        scope = self.instances()
        out = []
        for kind, names, both in kinds:
            props = {SG + n for n in names} | (subs if kind == "references" else set())
            ends: set[str] = set()
            for p in props:
                for a, bs in self.links(p).items():
                    ends.add(a)
                    if both:
                        ends |= bs
            out.append(self.coverage(SG + kind, ends, scope))
        return out

    def status_coverage(self, in_scope: set[str]) -> dict:
        """The coverage entry of ``sg:status`` over ``in_scope``; its text says how many have
        no known status."""
        known = {s for s, v in self.statuses().items() if v}
        entry = self.coverage(SG + "status", known, in_scope)
        unknown = entry["in_scope"] - entry["with_link"]
        entry["text"] = (f"{unknown} of {entry['in_scope']} standards have no known status "
                         "(counted as current)") if unknown != 1 else (
            f"1 of {entry['in_scope']} standards has no known status (counted as current)")
        return entry
