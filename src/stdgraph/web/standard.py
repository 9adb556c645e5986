"""A standard's page (the ``sg:Standard`` kind of ``/id/``) and ``/standards``, the standards as
a table like Datasette's (``catalog.standards_table``): filtered by ``status``, ``body``,
``element`` (classified in every one given: the list behind a heatmap cell), ``barrier`` and
``evidence`` (all repeatable), sorted by any column (``sort=year``, ``sort=-year``), a page at
a time (``page``, ``size``: ``web.paging``); HTML (a form, no JavaScript), JSON (``count``: how
many in all, ``items``: the page) or CSV of exactly the rows shown (``?format=``). Every view is
its URL: the form, the column headings and the pager keep every other parameter."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.api.executor import warm_first
from stdgraph.catalog.common import SG
from stdgraph.catalog.findings import warm_standard_findings
from stdgraph.catalog.resource import Resource
from stdgraph.catalog.standard import standard
from stdgraph.catalog.standards_table import (
    COLUMNS,
    EVIDENCE_KINDS,
    standards_page,
    warm_standards_filters,
)
from stdgraph.rdf.formats import HTML_MEDIA, JSON_MEDIA
from stdgraph.sparql.named import ParameterError
from stdgraph.web.paging import PAGE, SIZE_PARAM, pager, window
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import PageReads, Site, found

ELEMENT = Parameter("element", repeat=True, iri=True)
FILTERS = [Parameter("status", repeat=True, iri=True), Parameter("body", repeat=True, iri=True),
           ELEMENT, Parameter("barrier", repeat=True, iri=True),
           Parameter("evidence", repeat=True)]
SORT = Parameter("sort")
#: the formats of /standards: the page, its rows as JSON, its rows as CSV
FORMATS = {"html": HTML_MEDIA, "json": JSON_MEDIA, "csv": ("text/csv",)}
#: the CSV's columns
CSV_COLUMNS = ["identifier", "title", "status", "publisher", "year", "classifications", "iri"]


def csv_text(items: list[dict[str, Any]]) -> str:
    """The rows as CSV (RFC 4180, CRLF), a heading first."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in items:
        w.writerow([r["identifier"] or "", r["title"] or "", r["status_label"] or "",
                    "; ".join(b["label"] for b in r["bodies"]), r["year"] or "",
                    r["elements"], r["iri"]])
    return out.getvalue()


def page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return {"template": "standard.html",
            **found(res, standard(reads.store, res.iri, resource=res,
                                  overlaps=reads.window("overlaps"),
                                  conflicts=reads.window("conflicts")))}


KINDS = {SG + "Standard": page}


def routes(router: APIRouter, site: Site) -> None:
    # each worker reads what the table's filters keep, and what a standard's page reads from
    # the kept analyses (catalog.findings), before it takes requests
    warm_first(site.ctx.executor, warm_standards_filters)
    warm_first(site.ctx.executor, warm_standard_findings)

    @router.get("/standards",
                summary="The standards as a table: filter, sort, page (HTML, JSON, CSV)",
                description="Filters (each repeatable, IRIs but evidence): status, body "
                            "(publisher), element (classified in every one given), barrier "
                            "(addressing every one given), evidence (Stated, Reading, Suggested, "
                            "Inferred: a link record of any); sort: "
                            + ", ".join(COLUMNS) + " (a leading '-' for descending); page, "
                            "size. JSON and CSV hold exactly the rows of the page.",
                responses={200: {"content": {"text/html": {}, "application/json": {},
                                             "text/csv": {}},
                                 "description": "The standards."}})
    async def standards(request: Request) -> Response:
        fmt = site.pick(request, FORMATS, "a list of standards")
        given = read(request, *FILTERS, SORT, PAGE, SIZE_PARAM)
        sort = given["sort"] or "identifier"
        if sort.lstrip("-") not in COLUMNS:
            raise ParameterError("sort", f"{sort!r} is not a column (one of: "
                                 + ", ".join(COLUMNS) + "; '-' before one for descending)")
        for kind in given["evidence"]:
            if kind not in EVIDENCE_KINDS:
                raise ParameterError("evidence", f"{kind!r} is not one of: "
                                     + ", ".join(EVIDENCE_KINDS))
        filters = {k: given[k] for k in ("status", "body", "element", "barrier", "evidence")}
        data = await site.read(standards_page, filters, sort, window(given))
        if fmt != "html":
            data.pop("options")
        if fmt == "json":
            return JSONResponse({**data, "count": data["total"]}, headers={"Vary": "Accept"})
        if fmt == "csv":
            return Response(csv_text(data["items"]), media_type="text/csv; charset=utf-8",
                            headers={"Vary": "Accept", "Content-Disposition":
                                     'attachment; filename="standards.csv"'})
        kept = [(k, v) for k in ("status", "body", "element", "barrier", "evidence")
                for v in filters[k]]
        view = kept + ([("sort", sort)] if sort != "identifier" else [])
        paging = [(k, str(given[k])) for k in ("page", "size") if given[k]]

        def sorted_by(column: str) -> str:
            """This view sorted by ``column`` (descending when it is already ascending)."""
            key = "-" + column if sort == column else column
            return "?" + urlencode(kept + ([("sort", key)] if key != "identifier" else [])
                                   + [(k, v) for k, v in paging if k == "size"])

        here = urlencode(view + paging)
        return site.render(request, "standards.html", **data, page_links=pager(request, data),
                           columns=COLUMNS, evidence_kinds=EVIDENCE_KINDS,
                           sorted_by={c: sorted_by(c) for c in COLUMNS},
                           permalink="?" + here,
                           # the reports made of the standards the same filters pick
                           reports_query=urlencode([(k, v) for k, v in kept
                                                    if k in ("status", "element", "barrier")]),
                           csv_url="?" + urlencode(view + paging + [("format", "csv")]),
                           json_url="?" + urlencode(view + paging + [("format", "json")]))
