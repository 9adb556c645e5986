"""Gaps: what no linked standard covers (definitions in docs/analyses.md).

The standards *counted* are those whose status (at the evidence level) is neither
``sg:Withdrawn`` nor ``sg:Superseded``; a standard with no known status counts, and the
document's coverage says how many of the counted standards have none. Links count at the
evidence level (``evidence``, ``min_score``: stdgraph.analysis.evidence).

- ``barrier`` / ``theme`` / ``technology``: a concept of that class (sg:Barrier, sg:Theme,
  sg:Technology) that no counted standard is linked to (``sg:addressesBarrier``,
  ``sg:supportsTheme``, ``sg:concernsTechnology``), neither the concept itself nor any concept
  narrower than it (``skos:broader``, transitively).
- ``architecture-element``: an element of an architecture scheme (``skos:inScheme``; not a
  scheme of unresolved elements, ``sg:UnresolvedElementScheme``, which is no architecture) in
  which no counted standard is classified (its own ``sg:classifiedIn`` links, or a part's for a
  series), neither in it nor in any element below it (``skos:broader``, transitively) - so an
  axis counts as covered when one of its elements is. Elements declared the same
  (``sg:sameElementAs``: one element that two architectures contain) are one element: a
  standard classified in one is classified in all, the element is covered when one of them is,
  and an element no standard covers is listed once (in the smallest scheme, or in ``scheme``
  when given; the reason names the others' architectures).
- ``roadmap-item``: a roadmap item that no counted standard delivers (``sg:delivers``, or
  ``sg:deliveredBy`` read backwards) or serves (``sg:servedBy``, or ``sg:serves`` read
  backwards).
- The coverage matrix of a two-axis grid (``rows`` x ``columns``, RAMI 4.0 layers x hierarchy
  levels by default): the elements of each axis are its direct children (``skos:broader`` the
  axis, ordered by ``sg:order`` then IRI); a counted standard is in cell (r, c) when it is
  classified in both r and c; the document's ``matrix`` key holds the counts and lists the empty
  cells.

Every item says "no linked standard" and carries the coverage of the links it rests on ("8 of
92 standards are linked to any barrier"): an item may be a missing link rather than a missing
standard. Items are sorted by kind (in the order above), then scheme, then subject IRI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet

from stdgraph.analysis.common import (
    PROLOGUE,
    SG,
    AnalysisDocument,
    Labels,
    Parameter,
    RawParams,
    cap,
    json_params,
    limit_param,
    parse_params,
    reachable,
    ref,
    same_elements,
    values_block,
)
from stdgraph.analysis.evidence import (
    ROADMAP_ITEM,
    STANDARD,
    Evidence,
    LinkReader,
    Selection,
    evidence_params,
    selection_params,
    status_param,
)
from stdgraph.analysis.layered import Layered
from stdgraph.analysis.registry import Analysis
from stdgraph.analysis.snapshot import FAST_KINDS, Snapshot, rows, snapshot, typed
from stdgraph.store.base import Store

KINDS = ("barrier", "theme", "technology", "architecture-element", "roadmap-item")

PARAMS = [
    Parameter("kinds", "string", default=",".join(KINDS), allowed=KINDS, multiple=True,
              label="Kinds of gap",
              value_labels={"barrier": "Barriers", "theme": "Themes",
                            "technology": "Technologies",
                            "architecture-element": "Architecture elements",
                            "roadmap-item": "Roadmap items"},
              description="Which kinds of gap to list (on the command line: comma-separated)."),
    Parameter("scheme", "iri", required=False, label="Only this architecture", pick="architecture",
              description="List the architecture elements of this architecture only "
                          "(default: of every architecture)."),
    Parameter("rows", "iri", default="sgid:architecture/rami40/axis-layers",
              label="Matrix rows (axis)", pick="axis",
              description="The axis whose elements are the rows of the coverage matrix."),
    Parameter("columns", "iri", default="sgid:architecture/rami40/axis-hierarchy",
              label="Matrix columns (axis)", pick="axis",
              description="The axis whose elements are the columns of the coverage matrix."),
    *evidence_params(),
    status_param("Only the standards with one of these statuses (sg:status) count as "
                 "covering, instead of every standard that is not withdrawn or superseded: "
                 "with Published, the items and the empty cells are what no published "
                 "standard covers."),
    *selection_params("only such standards (of those counted) count as covering: with "
                      "Communication Layer, the items and the empty cells are what no "
                      "standard classified there covers."),
    Parameter("body", "iri", multiple=True, label="Published by", pick="body",
              description="Only the standards published by one of these standards bodies "
                          "(sg:publisher, at the evidence level) count as covering: with ISO, "
                          "the items and the empty cells are what no ISO standard covers. None "
                          "chosen: every publisher, or none."),
    limit_param(),
]

#: kind -> (class, link property, what a linked standard does)
_CONCEPTS = {"barrier": ("sg:Barrier", SG + "addressesBarrier", "addresses this barrier"),
             "theme": ("sg:Theme", SG + "supportsTheme", "supports this theme"),
             "technology": ("sg:Technology", SG + "concernsTechnology",
                            "concerns this technology")}
#: the link kinds each kind of gap rests on, in the order of the document's coverage
_RESTS_ON = {"barrier": [SG + "addressesBarrier"], "theme": [SG + "supportsTheme"],
             "technology": [SG + "concernsTechnology"],
             "architecture-element": [SG + "classifiedIn"],
             "roadmap-item": [SG + "delivers", SG + "servedBy"]}

Q_CONCEPTS = PROLOGUE + """SELECT DISTINCT ?x ?scheme WHERE {{
  ?x a {cls} .
  OPTIONAL {{ ?x skos:inScheme ?scheme }}
}}"""
Q_BROADER = PROLOGUE + """SELECT DISTINCT ?narrow ?broad WHERE {
  { ?narrow skos:broader ?broad } UNION { ?broad skos:narrower ?narrow }
}"""
Q_ELEMENTS = PROLOGUE + """SELECT DISTINCT ?e ?scheme WHERE {
  ?e skos:inScheme ?scheme .
  { ?e a sg:ArchitectureElement } UNION { ?scheme a sg:ReferenceArchitecture }
  FILTER NOT EXISTS { ?scheme a sg:UnresolvedElementScheme }
}"""
Q_ROADMAP = PROLOGUE + """SELECT DISTINCT ?r ?timeframe WHERE {
  ?r a sg:RoadmapItem .
  OPTIONAL { ?r sg:timeframeLabel ?timeframe }
}"""
Q_AXIS = PROLOGUE + """SELECT DISTINCT ?e ?order WHERE {{
  {values}
  {{ ?e skos:broader ?axis }} UNION {{ ?axis skos:narrower ?e }}
  OPTIONAL {{ ?e sg:order ?order }}
}}"""


SKOS = "http://www.w3.org/2004/02/skos/core#"
BROADER_READS = (SKOS + "broader", SKOS + "narrower")
ELEMENT_READS = (SKOS + "inScheme", typed(SG + "ArchitectureElement"),
                 typed(SG + "ReferenceArchitecture"), typed(SG + "UnresolvedElementScheme"))
ROADMAP_READS = (typed(SG + "RoadmapItem"), SG + "timeframeLabel")
AXIS_READS = (*BROADER_READS, SG + "order")


def _below(store: Store, snap: Snapshot | None = None) -> Callable[[str], set[str]]:
    """concept -> every concept below it (skos:broader, transitively)."""
    children: dict[str, set[str]] = defaultdict(set)
    for n, b in rows(store, snap, Q_BROADER, BROADER_READS):
        if n != b:
            children[str(b)].add(str(n))
    memo: dict[str, set[str]] = {}

    def below(x: str) -> set[str]:
        if x not in memo:
            memo[x] = reachable(children, x)
        return memo[x]

    return below


def _axis_elements(store: Store, axis: str, snap: Snapshot | None = None) -> list[str]:
    found = rows(store, snap, Q_AXIS.format(values=values_block("axis", [axis])), AXIS_READS)

    def key(row):
        e, order = row
        try:
            o = int(order) if order is not None else 10**9
        except (TypeError, ValueError):
            o = 10**9
        return (o, str(e))

    seen: dict[str, tuple] = {}
    for row in found:
        k = key(row)
        e = str(row[0])
        if e not in seen or k < seen[e]:
            seen[e] = k
    return sorted(seen, key=lambda e: seen[e])


def matrix(store: Store, rows_axis: str, cols_axis: str, lab: Labels,
           classified: Mapping[str, AbstractSet[str]] | None = None,
           snap: Snapshot | None = None) -> dict:
    """The coverage matrix; ``classified`` (standard -> elements) is the standards counted,
    by default every standard's classifications at the default evidence level."""
    if classified is None:
        classified = LinkReader(store).classified()
    row_elems, cols, counts = _matrix_counts(store, rows_axis, cols_axis, classified, snap)
    return render_matrix(rows_axis, cols_axis, row_elems, cols, counts, lab)


def _matrix_counts(store: Store, rows_axis: str, cols_axis: str,
                   classified: Mapping[str, AbstractSet[str]], snap: Snapshot | None
                   ) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    rows = _axis_elements(store, rows_axis, snap)
    cols = _axis_elements(store, cols_axis, snap)
    counts = {(r, c): 0 for r in rows for c in cols}
    for elems in classified.values():
        for r in rows:
            if r in elems:
                for c in cols:
                    if c in elems:
                        counts[(r, c)] += 1
    return rows, cols, counts


def render_matrix(rows_axis: str, cols_axis: str, rows: list[str], cols: list[str],
                  counts: dict[tuple[str, str], int], lab: Labels) -> dict:
    """The ``matrix`` key of the gaps document."""
    lab.fetch([rows_axis, cols_axis, *rows, *cols])
    return {
        "rows": {"axis": lab.ref(rows_axis), "elements": lab.refs(rows)},
        "columns": {"axis": lab.ref(cols_axis), "elements": lab.refs(cols)},
        "counts": [[counts[(r, c)] for c in cols] for r in rows],
        "empty": [{"row": lab.ref(r), "column": lab.ref(c)}
                  for r in rows for c in cols if counts[(r, c)] == 0],
    }


def gaps(store: Store, raw: RawParams | None = None, *, ignore=("format",)) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    kinds = set(params["kinds"])
    params["kinds"] = [k for k in KINDS if k in kinds]  # canonical order, no repeats
    snap = snapshot(store) if store.kind in FAST_KINDS else None
    reader = LinkReader(store, Evidence.of(params), snapshot=snap)
    lab = Labels.of(store, snap)
    for name in ("status", "element", "barrier", "body"):  # canonical order, no repeats
        params[name] = sorted(set(params[name]))
    selection = Selection.of(params, bodies=True)
    key = ("gaps", tuple(params["kinds"]), params["scheme"], params["rows"], params["columns"],
           selection)
    found, coverage, status, (mrows, mcols, counts) = (
        reader.recent if selection else reader.memoised)(
        key, lambda: _gaps(store, params, reader, lab))
    chosen, truncated = cap(found, params["limit"])
    lab.fetch([f[2] for f in chosen] + [f[3] for f in chosen if f[3]])
    items = [{"subject": subject, "label": lab(subject), "kind": KINDS[k], "scheme": scheme,
              "scheme_label": lab(scheme) if scheme else None, "reason": reason,
              "coverage": [coverage[link] for link in _RESTS_ON[KINDS[k]]]}
             for k, _key, subject, scheme, reason in chosen]
    extra = {"coverage": [*coverage.values(), status],
             "matrix": render_matrix(params["rows"], params["columns"], mrows, mcols, counts,
                                     lab)}
    return AnalysisDocument("gaps", json_params(params), items, truncated, extra)


def _gaps(store: Store, params: dict, reader: LinkReader, lab: Labels):
    """The gaps in order (kind number, sort key, subject, scheme, reason), the coverage
    entries by link, the status entry and the matrix counts (no labels but in reasons)."""
    kinds = set(params["kinds"])
    snap = reader.snapshot
    selection = Selection.of(params, bodies=True)
    # the standards that count: those of the statuses chosen, else the current ones; of
    # them, those the element and barrier filters pick
    counted: set[str] | frozenset[str] = (reader.current() if not selection
                                          else selection.standards(reader))
    if selection and not selection.statuses:
        counted = counted & reader.current()
    retired = reader.instances() - counted
    others_do = ("only withdrawn or superseded standards do" if not selection
                 else "only standards without one of the statuses chosen do"
                 if not (selection.elements or selection.barriers or selection.bodies)
                 else "only standards the filters leave out do")
    below = _below(store, snap)
    found: list[tuple[int, str, str, str | None, str]] = []  # kind#, scheme, subject, ...
    with_link: dict[str, Iterable[str]] = {}  # link property -> standards with one

    for kind in KINDS[:3]:
        if kind not in kinds:
            continue
        cls, prop, verb = _CONCEPTS[kind]
        schemes: dict[str, list[str]] = defaultdict(list)
        for x, scheme in rows(store, snap, Q_CONCEPTS.format(cls=cls),
                              (typed(SG + cls.split(":")[1]), SKOS + "inScheme")):
            schemes.setdefault(str(x), [])
            if scheme is not None:
                schemes[str(x)].append(str(scheme))
        with_link[prop] = _keys(reader.links(prop))
        users = reader.users(prop)
        for x in schemes:
            linked = {s for y in {x} | below(x) for s in users.get(y, ())}
            if linked & counted:
                continue
            reason = f"no linked standard {verb}"
            others = sorted(linked & retired)
            if others:
                lab.fetch(others)
                reason += (f" ({others_do}: " +
                           "; ".join(lab(s) for s in others) + ")")
            sch = min(schemes[x]) if schemes[x] else None
            found.append((KINDS.index(kind), sch or "", x, sch, reason))

    classified = reader.classified()
    if "architecture-element" in kinds:
        same = same_elements(store, snap)
        with_link[SG + "classifiedIn"] = _keys(classified)
        covered = {e for e, ss in reader.classified_users().items()
                   if not ss.isdisjoint(counted)}
        covered |= {y for x in covered for y in same.get(x, ())}
        elem_schemes: dict[str, set[str]] = defaultdict(set)
        for e, scheme in rows(store, snap, Q_ELEMENTS, ELEMENT_READS):
            elem_schemes[str(e)].add(str(scheme))
        listed: set[frozenset[str]] = set()
        for e in sorted(elem_schemes):
            group = frozenset(x for x in same.get(e, {e}) if x in elem_schemes)
            if group in listed:
                continue
            listed.add(group)
            if any(x in covered or below(x) & covered for x in group):
                continue
            shown = [x for x in group
                     if not params["scheme"] or params["scheme"] in elem_schemes[x]]
            if not shown:
                continue
            subject = min(shown, key=lambda x: (min(elem_schemes[x]), x))
            sch = min(elem_schemes[subject])
            reason = "no linked standard is classified in this element"
            if below(subject):
                reason += " or in any element below it"
            others = sorted({min(elem_schemes[x]) for x in group if x != subject})
            if others:
                lab.fetch(others)
                reason += ", nor in the same element of " + ", ".join(lab(o) for o in others)
            found.append((KINDS.index("architecture-element"), sch, subject, sch, reason))

    if "roadmap-item" in kinds:
        delivered = reader.either(SG + "delivers", SG + "deliveredBy", ROADMAP_ITEM, STANDARD)
        served = reader.either(SG + "servedBy", SG + "serves", ROADMAP_ITEM, STANDARD)
        with_link[SG + "delivers"] = {s for ss in delivered.values() for s in ss}
        with_link[SG + "servedBy"] = {s for ss in served.values() for s in ss}
        for r, timeframe in rows(store, snap, Q_ROADMAP, ROADMAP_READS):
            linked = delivered.get(str(r), set()) | served.get(str(r), set())
            if linked & counted:
                continue
            reason = "no linked standard delivers or serves this roadmap item"
            if timeframe is not None:
                reason += f" (timeframe {timeframe})"
            others = sorted(linked & retired)
            if others:
                lab.fetch(others)
                reason += (f" ({others_do}: " +
                           "; ".join(lab(s) for s in others) + ")")
            found.append((KINDS.index("roadmap-item"), "", str(r), None, reason))

    coverage = {link: reader.coverage(link, with_link[link], counted)
                for kind in params["kinds"] for link in _RESTS_ON[kind]}
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    counts = _matrix_users(store, params["rows"], params["columns"], reader.classified_users(),
                           counted, snap)
    status = reader.status_coverage(counted)
    if selection:  # say which standards count instead
        n = len(counted)
        status["text"] = (f"{n:,} of {len(reader.instances()):,} standards "
                          + selection.describe(lab, n == 1)
                          + ("" if selection.statuses else
                             ", not withdrawn or superseded") + "; only they count")
    return found, coverage, status, counts


def _keys(links: Mapping[str, AbstractSet[str]]) -> Iterable[str]:
    """The subjects with links, for a coverage count: a kept view as it is (its keys are
    counted, ``Layered.count_in``), else a set of them."""
    return links if isinstance(links, Layered) else set(links)


def _matrix_users(store: Store, rows_axis: str, cols_axis: str,
                  users: Mapping[str, AbstractSet[str]], counted: AbstractSet[str],
                  snap: Snapshot | None) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """``_matrix_counts`` of the ``counted`` standards, from ``users`` (element -> the
    standards classified in it): per cell, the counted standards in both."""
    rows = _axis_elements(store, rows_axis, snap)
    cols = _axis_elements(store, cols_axis, snap)
    empty: frozenset[str] = frozenset()
    held = {r: set(users.get(r, empty)) & counted for r in rows}
    counts = {(r, c): len(held[r].intersection(users.get(c, empty))) for r in rows for c in cols}
    return rows, cols, counts


CSV_COLUMNS = [
    ("subject", lambda i: i["subject"]), ("label", lambda i: i["label"]),
    ("kind", lambda i: i["kind"]), ("scheme", lambda i: i["scheme"]),
    ("scheme_label", lambda i: i["scheme_label"]), ("reason", lambda i: i["reason"]),
]
TABLE_COLUMNS = [
    ("kind", lambda i: i["kind"]), ("label", lambda i: i["label"]),
    ("scheme", lambda i: i["scheme_label"] or ""), ("reason", lambda i: i["reason"]),
]


def matrix_table(m: dict) -> str:
    """The coverage matrix as text: rows x columns, '.' for an empty cell."""
    cols = [c["label"] for c in m["columns"]["elements"]]
    rows = [r["label"] for r in m["rows"]["elements"]]
    if not rows or not cols:
        return "(no coverage matrix: the axes have no elements)\n"
    w0 = max(len(r) for r in rows)
    widths = [max(3, min(12, len(c))) for c in cols]
    head = " " * w0 + "  " + "  ".join(c[:w].rjust(w) for c, w in zip(cols, widths,
                                                                         strict=True))
    lines = [f"{m['rows']['axis']['label']} x {m['columns']['axis']['label']} "
             "(standards per cell)", head]
    for r, counts in zip(rows, m["counts"], strict=True):
        cells = "  ".join((str(n) if n else ".").rjust(w) for n, w in zip(counts, widths,
                                                                            strict=True))
        lines.append(r.ljust(w0) + "  " + cells)
    lines.append(f"({len(m['empty'])} empty cell{'s' if len(m['empty']) != 1 else ''})")
    return "\n".join(lines) + "\n"


REPORT_COLUMNS = [
    ("kind", lambda i: i["kind"]), ("subject", lambda i: ref(i["subject"], i["label"])),
    ("scheme", lambda i: ref(i["scheme"], i["scheme_label"])),
    ("reason", lambda i: i["reason"] or ""),
]


def _matrix_appendix(doc: AnalysisDocument) -> str:
    return matrix_table(doc.extra["matrix"]) if "matrix" in doc.extra else ""


ANALYSES = (
    Analysis(
        "gaps", "What no standard covers",
        description="Each item is something no linked standard covers, with the reason: a "
                    "barrier, theme or technology that no standard is linked to; an element of "
                    "a reference architecture in which no standard is classified (neither in "
                    "it nor in any element below it); or a roadmap item that no standard "
                    "delivers or serves. Withdrawn and superseded standards do not count; "
                    "standards with no known status do. Only links with the evidence chosen "
                    "count, and each item says how many standards have any link of its kind: "
                    "with few links, an item may be a missing link rather than a missing "
                    "standard. There is no score. The coverage matrix next to the items counts "
                    "the standards in each cell of a two-axis grid (by default RAMI 4.0 layers "
                    "by hierarchy levels); an empty cell is a gap too.",
        path="/analysis/gaps", function=gaps, params=PARAMS, csv_columns=CSV_COLUMNS,
        table_columns=TABLE_COLUMNS, report_columns=REPORT_COLUMNS,
        table_appendix=_matrix_appendix, docs="docs/analyses.md#gaps",
        order="by kind (barriers, themes, technologies, architecture elements, roadmap "
              "items), then by the IRI of the architecture or scheme, then by the item's IRI",
        definitions=(
            ("Item", "A barrier, theme, technology, architecture element or roadmap item that "
                     "no current standard covers: none is linked to it (or, for an element, "
                     "classified in it or in an element below it; for a barrier or theme, "
                     "linked to it or to a narrower one). Withdrawn and superseded standards "
                     "do not count; standards with no known status do."),
            ("Score", "None: an item is a gap or it is not."),
            ("Coverage", "How many of the standards counted have any link of the item's kind. "
                         "With few links, a gap may be a link nobody has recorded yet rather "
                         "than a missing standard."),
            ("Coverage matrix", "The number of standards classified in both a row's and a "
                                "column's element of two axes (RAMI 4.0 layers by hierarchy "
                                "levels unless chosen otherwise); a 0 is a gap too."),
        )),
)

__all__ = ["gaps", "matrix", "PARAMS", "KINDS", "ANALYSES"]
