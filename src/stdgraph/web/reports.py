"""``/reports/{name}``: the analyses (overlaps, clusters, gaps, conflicts) as HTML tables with a
filter form of their parameters and links to the CSV and JSON of the same request
(``/analysis/...``); every resource a row names links to its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.analysis import ANALYSES
from stdgraph.api.errors import ApiError
from stdgraph.api.http import query_params
from stdgraph.sparql.named import ParameterError
from stdgraph.web.site import Site

#: report name -> the analysis route answering the same request as CSV or JSON
REPORT_PATHS = {"overlaps": "/analysis/overlaps", "clusters": "/analysis/overlaps/clusters",
                "gaps": "/analysis/gaps", "conflicts": "/analysis/conflicts"}


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


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/reports/{name}", summary="An analysis as an HTML report with filters",
                response_class=HTMLResponse,
                responses={404: {"description": "No such report."}},
                description="name: overlaps, clusters, gaps or conflicts; the parameters are "
                            "those of /analysis/{name} (docs/analyses.md). HTML only; the same "
                            "request as JSON or CSV is linked from the page.")
    async def report(name: str, request: Request) -> Response:
        if name not in REPORT_PATHS:
            raise ApiError(404, f"no report {name!r} (known: {', '.join(REPORT_PATHS)})")
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
            doc = await site.run(lambda: spec.run(site.store, values))
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
        return site.render(
            request, "report.html", status_code=400 if error else 200, name=name,
            title=spec.title, fields=fields, columns=[n for n, _ in columns],
            rows=rows, doc=doc.as_dict() if doc is not None else None, error=error,
            csv_url=f"{REPORT_PATHS[name]}?{query}{'&' if query else ''}format=csv",
            json_url=f"{REPORT_PATHS[name]}?{query}{'&' if query else ''}format=json",
            reports=list(REPORT_PATHS))
