"""``/reports/{name}``: every analysis of the app's registry
(``stdgraph.analysis.registry_for(settings)``: the built-in ones and those of
``STDGRAPH_ANALYSIS_MODULES``) as an HTML table with a filter form of its parameters and links to
the CSV and JSON of the same request (its ``path`` under ``/analysis/``); every resource a row
names links to its page.

Everything the page shows comes from the analysis' declaration: ``title``, ``description``,
``definitions`` (its score and items in plain words, shown first), ``params`` (each with its
``label``; allowed values by their ``value_labels``; an IRI parameter with a ``pick`` as a list
of the graph's resources of that kind, ``stdgraph.catalog.choices``), ``report_columns`` and
``path``. A document with a coverage ``matrix`` (the gaps) has it shown as a table. An analysis
added to the registry has its report page with nothing to add here.

The rows are shown a page at a time (``page``, ``size``: ``web.paging``; not parameters of the
analysis, and left out of the CSV and JSON links): the page asks the analysis for no more items
than it shows, plus one to know whether there is a next page (``limit``, when the analysis'
own ``limit``, default 1000, 0 for none, allows more), so its work is what the page needs. A
list in one cell (a cluster's members) shows at most ``CELL_CAP`` entries and how many more
there are, so no row grows with the graph either. The page is cut in the query runner
(``report_page``): only its own items, their lists cut, come back to be shown (the largest
cluster of 100,000 standards has 85,000 members), and ``?format=csv`` or ``json`` on the
report's URL gives exactly those items (the page's items, lists cut as shown) in the
analysis' CSV or JSON.

Every column sorts (``sort=<column>``, ``sort=-<column>`` descending: a link in its heading,
which flips the direction of the column sorted by; ``aria-sort`` on it), over the report's whole
answer for the page's parameters: the page asks the analysis for all of its items (the request's
``limit``, default 1000), sorts them by the column (``Analysis.sort_items``: the key of what the
cell shows, or the analysis' ``sort_keys``; empty cells last; ties in the analysis' own
``order``, which the page states) and shows a page of them, CSV and JSON of that page in that
order. An answer of more than ``SORT_LIMIT`` items (``limit=0`` or above 1000) is sorted within
its first ``SORT_LIMIT`` in the analysis' order, and the page says so.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.analysis import Analysis, AnalysisDocument, registry_for, registry_of
from stdgraph.analysis.registry import SORT_LIMIT, RawParams
from stdgraph.api.errors import ApiError
from stdgraph.api.http import query_params
from stdgraph.catalog.choices import PICKS, choices
from stdgraph.catalog.common import paged
from stdgraph.sparql.named import INT64_MAX, Param, ParameterError, expand_iri
from stdgraph.store.base import Store
from stdgraph.web.architecture import step_of, steps
from stdgraph.web.paging import PAGE, SIZE_PARAM, pager, window
from stdgraph.web.params import read
from stdgraph.web.site import Site

PAGING = {"page", "size"}
#: the view's own parameter: the column sorted by (not a parameter of the analysis)
SORT = "sort"
#: the most entries a list in one cell shows (a cluster's members, a pair's shared elements):
#: the others are counted, and are in the CSV and JSON, so no row grows with the graph
CELL_CAP = 30


def fetch_limit(spec: Analysis, given: dict[str, list[str]], stop: int) -> tuple[str, int]:
    """The ``limit`` to ask the analysis for to show items up to ``stop`` and know whether
    there are more, and the cap the request itself sets (0: none): the request's ``limit``
    (else the analysis' default) when it is smaller, else ``stop + 1``. A ``limit`` that is not
    a whole number, or one beyond a 64-bit integer, is passed on as given, for the analysis to
    refuse. (A sorted page needs every item: ``stop`` is then ``SORT_LIMIT``.)"""
    default = next((p.default for p in spec.params if p.name == "limit"), None)
    text = (given.get("limit") or [default or "0"])[-1]
    if not text.isdigit() or len(text.lstrip("0")) > 19 or int(text) > INT64_MAX:
        return text, 0
    cap = int(text)
    return (str(cap), cap) if cap and cap <= stop + 1 else (str(stop + 1), cap)


def read_sort(spec: Analysis, values: dict[str, list[str]]) -> str:
    """The ``sort`` asked for ("" for the analysis' own order; checked: ParameterError names
    it), unless the analysis has a parameter of that name (then it is the analysis')."""
    if not spec.sortable:
        return ""
    text = ([v for v in values.get(SORT, []) if v] or [""])[-1]
    if text:
        spec.sort_spec(text)
    return text


def value_label(p: Param, value: str) -> str:
    """An allowed value of ``p`` as a person reads it (``Parameter.value_labels``)."""
    labels = getattr(p, "value_labels", None) or {}
    return labels.get(value, value)


def picks(spec: Analysis) -> list[str]:
    """The kinds of resource the form of ``spec`` offers to pick from (``Parameter.pick``)."""
    return [k for k in (getattr(p, "pick", "") for p in spec.params) if k in PICKS]


#: the kinds of resource a form adds one at a time (a standard takes part when it has every
#: one chosen): each chosen one a ticked box, and a list, grouped, to add another from
ADDED = frozenset({"element", "barrier"})


def fields(spec: Analysis, given: dict[str, list[str]],
           options: dict[str, list[dict]] | None = None) -> list[dict[str, Any]]:
    """The filter form: one field per parameter, with its label, the values given, and its
    choices: ``(value, label)`` pairs of its allowed values (booleans: yes and no) or of the
    resources it picks from (``options``: kind -> refs; an IRI given that is not among them is
    offered too, so the form shows what was asked). Prefixed names (``sgid:...``) in defaults
    and values are compared as the IRIs they stand for. A kind of :data:`ADDED` has ``add``
    set and its choices in ``groups`` (``(group, choices)``, by the options' ``group``); a
    grouped choice given is named with its group ("Communication Layer (RAMI 4.0)")."""
    out = []
    for p in spec.params:
        values = given.get(p.name, [])
        default = p.default or ""
        pick = getattr(p, "pick", "")
        choices: list[tuple[str, str]] = []
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        names: dict[str, str] = {}
        if p.allowed:
            choices = [(a, value_label(p, a)) for a in p.allowed]
        elif p.type == "boolean":
            choices = [("true", "yes"), ("false", "no")]
        elif options is not None and pick in options:
            values = [expand_iri(v) or v for v in values]
            default = expand_iri(default) or default if default else ""
            choices = [(o["iri"], o["label"]) for o in options[pick]]
            for o in options[pick]:
                if not groups or groups[-1][0] != o.get("group", ""):
                    groups.append((o.get("group", ""), []))
                groups[-1][1].append((o["iri"], o["label"]))
                if o.get("group"):
                    names[o["iri"]] = f"{o['label']} ({o['group']})"
            known = {c for c, _ in choices}
            choices += [(v, v) for v in values if v not in known]
        names = {**dict(choices), **names}
        out.append({"name": p.name, "label": spec.label(p.name), "type": p.type,
                    "choices": choices, "groups": groups,
                    "add": pick in ADDED and p.multiple and bool(choices),
                    "multiple": p.multiple, "description": p.description,
                    "default": default, "default_label": names.get(default, default),
                    "given": values, "given_labels": [names.get(v, v) for v in values]})
    return out


def matrix_view(m: dict[str, Any]) -> dict[str, Any]:
    """A coverage matrix (the gaps document's ``matrix``) with the heatmap's shades: ``steps``
    (the legend) and ``cell_steps`` (each cell's shade), as on an architecture's page."""
    top = max((n for row in m["counts"] for n in row), default=0)
    ranges = steps(top)
    return {**m, "steps": ranges,
            "cell_steps": [[step_of(n, ranges) for n in row] for row in m["counts"]]}


def read_paging(request: Request, names: set[str]) -> dict:
    """The page and size asked for (those of ``names``: an analysis' own parameter of that name
    is the analysis')."""
    values = {k: v for k, v in query_params(request).items() if k in names}
    return {p.name: p.value(values.get(p.name)) for p in (PAGE, SIZE_PARAM) if p.name in names}


def _cut(value: Any) -> dict[str, Any]:
    """A cell: its ``value`` (a list longer than :data:`CELL_CAP` cut to it) and how many
    entries were cut (``more``; ``cut``: the analysis' answer has not all of them either, a
    cluster's members past its ``members``)."""
    if isinstance(value, list):  # (a ``Listed`` is the first entries of ``total``: ``cut``)
        total = getattr(value, "total", len(value))
        if total > len(value[:CELL_CAP]):
            return {"value": value[:CELL_CAP], "more": total - len(value[:CELL_CAP]),
                    "cut": total > len(value)}
    return {"value": value, "more": 0}


def _cut_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item with each list longer than :data:`CELL_CAP` cut to it, as the page shows it."""
    return {k: v[:CELL_CAP] if isinstance(v, list) and len(v) > CELL_CAP else v
            for k, v in item.items()}


def sorting_answer(store: Store, spec: Analysis, raw: RawParams) -> AnalysisDocument:
    """The analysis' answer a sorted page sorts: every item for ``raw``, kept in the query
    runner's cache for the store's state (``DeadlineStore.cached``), the last one asked of
    each report only, so that the other pages of a sorted view, and the same view sorted by
    another column, do not make the items again (making 1,000 conflicts takes 150 ms at 10k
    standards); memory stays at one answer a report."""
    cached = getattr(store, "cached", None)
    if cached is None:
        return spec.run(store, raw)
    held: dict[str, AnalysisDocument] = cached(f"report-answer:{spec.name}", dict)
    key = json.dumps(raw, sort_keys=True, default=str)
    doc = held.get(key)
    if doc is None:
        doc = spec.run(store, raw)
        held.clear()
        held[key] = doc
    return doc


def report_page(store: Store, modules: tuple[str, ...], name: str, raw: RawParams,
                start: int, stop: int, sort: str = "", sort_limit: int = SORT_LIMIT
                ) -> dict[str, Any]:
    """What one page of report ``name`` shows, made in the query runner so that only the
    page comes back: ``doc``, the analysis' document with the items ``start:stop`` (their
    lists cut at :data:`CELL_CAP`), ``found``, how many items the analysis gave, and ``rows``,
    the page's cells (``_cut``) by the report's columns. With ``sort`` (a column id, ``-``
    first for descending) the items are sorted by that column first - the first
    ``sort_limit`` of them when there are more (``within``: how many were sorted, else 0)."""
    spec = registry_of(modules).get(name)
    doc = sorting_answer(store, spec, raw) if sort else spec.run(store, raw)
    items, within = doc.items, 0
    if sort:
        if len(items) > sort_limit:
            items, within = items[:sort_limit], sort_limit
        items = spec.sort_items(items, *spec.sort_spec(sort))
    page = items[start:stop]
    rows = [[_cut(get(item)) for _n, get in spec.report_columns] for item in page]
    return {"doc": AnalysisDocument(doc.analysis, doc.parameters,
                                    [_cut_item(i) for i in page], doc.truncated, doc.extra),
            "found": len(items), "rows": rows, "within": within}


def routes(router: APIRouter, site: Site) -> None:
    analyses = registry_for(site.settings)

    @router.get("/reports", summary="The reports: every analysis of the registry (HTML)",
                response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        read(request)  # no parameters: an unknown one is a 400
        return site.render(request, "reports.html", reports=[
            {"name": a.name, "title": a.title, "description": a.description,
             "definitions": a.definitions} for a in analyses.values()])

    @router.get("/reports/{name}", summary="An analysis as an HTML report with filters",
                response_class=HTMLResponse,
                responses={404: {"description": "No such report."}},
                description="name: an analysis of GET /analysis (overlaps, clusters, gaps, "
                            "conflicts, and any the server adds); the parameters are those of "
                            "its path under /analysis/ (docs/analyses.md), and the view's own: "
                            "page, size, sort (a column, in lower case with '-' for other "
                            "characters, '-' before it for descending: sort=-shared-in-all). "
                            "HTML; format=csv or json gives the page's rows as shown, in its "
                            "order, and the same request as JSON or CSV is linked from the "
                            "page.")
    async def report(name: str, request: Request) -> Response:
        spec = analyses.find(name)
        if spec is None:
            raise ApiError(404, f"no report {name!r} (known: {', '.join(analyses)})")
        paging = PAGING - {p.name for p in spec.params}
        view = paging | ({SORT} if spec.sortable else set())
        query_values = query_params(request)
        shown = window(read_paging(request, paging))
        error = None
        try:
            sort = read_sort(spec, query_values)
        except ParameterError as e:
            sort, error = "", e.message
        given = {k: [x for x in v if x != ""] for k, v in query_values.items()
                 if k != "format" and k not in view}
        given = {k: v for k, v in given.items() if v}
        doc = None
        fmt = (query_values.get("format") or [""])[-1]
        raw = spec.raw_from_query(given)
        # a sorted page sorts every item of the answer (at most SORT_LIMIT of them)
        limit, cap = fetch_limit(spec, given, SORT_LIMIT if sort else shown.stop)
        if any(p.name == "limit" for p in spec.params):
            raw["limit"] = limit
        found, rows, within = 0, [], 0
        try:
            if error is None:
                page = await site.read(report_page, site.modules, name, raw, shown.start,
                                       shown.stop, sort)
                doc, found, rows = page["doc"], page["found"], page["rows"]
                within = page["within"]
        except ParameterError as e:
            error = e.message
        if fmt in ("csv", "json") and doc is not None:
            # exactly the items the page shows
            media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
            return Response(spec.render(doc, fmt), media_type=media)
        kinds = picks(spec)
        options = await site.read(choices, kinds) if kinds else {}
        columns = spec.report_columns
        items = doc.items if doc is not None else []
        # the whole list is known when the analysis stopped short of the limit asked for, or
        # at the request's own cap (a sort within SORT_LIMIT items of more: not known)
        known = doc is not None and not within and (not doc.truncated or found == cap)
        listing = paged(items, found, shown, "")
        page_links = pager(request, listing, "page", "#items-h")
        kept = [(k, x) for k, v in given.items() for x in v]
        query = urlencode(kept)
        link = f"{spec.path}?{query}{'&' if query else ''}format="
        here = urlencode([(k, x) for k, v in query_values.items() if k != "format" for x in v])
        page_link = f"/reports/{name}?{here}{'&' if here else ''}format="
        size = [(SIZE_PARAM.name, str(v)) for v in query_values.get(SIZE_PARAM.name, [])
                if SIZE_PARAM.name in paging and v][-1:]
        headings = []
        for cid, header in spec.columns():
            state = ("descending" if sort == "-" + cid else "ascending" if sort == cid
                     else "")
            flip = "-" + cid if state == "ascending" else cid
            headings.append({"id": cid, "label": header, "sort": state,
                             "href": "?" + urlencode(kept + [(SORT, flip)] + size)
                             if spec.sortable else ""})
        sorted_by = next(({"label": h["label"], "sort": h["sort"],
                           "unsorted": urlencode(kept + size)} for h in headings if h["sort"]),
                         None)
        return site.render(
            request, "report.html", status_code=400 if error else 200, name=name,
            title=spec.title, description=spec.description, docs=spec.docs,
            definitions=spec.definitions, fields=fields(spec, given, options),
            headings=headings, sorted_by=sorted_by, sort=sort, order=spec.order,
            within=within, permalink="?" + here,
            matrix=matrix_view(doc.extra["matrix"]) if doc is not None
            and doc.extra.get("matrix") else None, columns=[n for n, _ in columns], rows=rows,
            doc=doc.as_dict() if doc is not None else None, error=error,
            csv_url=link + "csv", json_url=link + "json", page_csv_url=page_link + "csv",
            page_json_url=page_link + "json", reports=list(analyses),
            page_links=page_links, known=known, cell_cap=CELL_CAP,
            capped=bool(doc is not None and doc.truncated and found == cap))
