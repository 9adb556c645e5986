"""``/reports/{name}``: every analysis of the app's registry
(``stdgraph.analysis.registry_for(settings)``: the built-in ones and those of
``STDGRAPH_ANALYSIS_MODULES``) as an HTML table with a filter form of its parameters and links to
the CSV and JSON of the same request (its ``path`` under ``/analysis/``); every resource a row
names links to its page.

Everything the page shows comes from the analysis' declaration: ``title``, ``description``,
``params`` (each with its ``label``), ``report_columns`` and ``path``. An analysis added to the
registry has its report page with nothing to add here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.analysis import Analysis, registry_for
from stdgraph.api.errors import ApiError
from stdgraph.api.http import query_params
from stdgraph.sparql.named import ParameterError
from stdgraph.web.site import Site


def fields(spec: Analysis, given: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The filter form: one field per parameter, with its label and the values given."""
    return [{"name": p.name, "label": spec.label(p.name), "type": p.type,
             "allowed": list(p.allowed), "multiple": p.multiple, "description": p.description,
             "default": p.default or "", "given": given.get(p.name, [])}
            for p in spec.params]


def routes(router: APIRouter, site: Site) -> None:
    analyses = registry_for(site.settings)

    @router.get("/reports/{name}", summary="An analysis as an HTML report with filters",
                response_class=HTMLResponse,
                responses={404: {"description": "No such report."}},
                description="name: an analysis of GET /analysis (overlaps, clusters, gaps, "
                            "conflicts, and any the server adds); the parameters are those of "
                            "its path under /analysis/ (docs/analyses.md). HTML only; the "
                            "same request as JSON or CSV is linked from the page.")
    async def report(name: str, request: Request) -> Response:
        spec = analyses.find(name)
        if spec is None:
            raise ApiError(404, f"no report {name!r} (known: {', '.join(analyses)})")
        given = {k: [x for x in v if x != ""] for k, v in query_params(request).items()
                 if k != "format"}
        given = {k: v for k, v in given.items() if v}
        error = None
        doc = None
        try:
            doc = await site.analysis_document(spec, spec.raw_from_query(given))
        except ParameterError as e:
            error = e.message
        columns = spec.report_columns
        rows = [[get(item) for _n, get in columns] for item in doc.items] if doc is not None else []
        query = urlencode([(k, x) for k, v in given.items() for x in v])
        link = f"{spec.path}?{query}{'&' if query else ''}format="
        return site.render(
            request, "report.html", status_code=400 if error else 200, name=name,
            title=spec.title, description=spec.description, docs=spec.docs,
            fields=fields(spec, given), columns=[n for n, _ in columns], rows=rows,
            doc=doc.as_dict() if doc is not None else None, error=error,
            csv_url=link + "csv", json_url=link + "json", reports=list(analyses))
