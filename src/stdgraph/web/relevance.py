"""``/relevance``: the relevance finder (``stdgraph.analysis.relevance``): standards ranked by
how much of a profile (technologies, barriers, elements, stakeholder types) they match; JSON
(default, the whole ranking) or the HTML form with the ranking a page at a time (``page``,
``size``: ``web.paging``). The form's text box (``text``) adds the standards whose words match
a description in free text (``stdgraph.suggest``, docs/suggestions.md: a suggestion, not a
link; without the optional extra the page says so)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.analysis.evidence import LEVELS, Evidence
from stdgraph.analysis.relevance import KINDS as RELEVANCE_KINDS
from stdgraph.analysis.relevance import relevance
from stdgraph.catalog.common import paged
from stdgraph.catalog.overview import profile_options
from stdgraph.errors import FeatureUnavailable, UsageError
from stdgraph.sparql.named import ParameterError
from stdgraph.suggest import service
from stdgraph.web.paging import PAGE, SIZE_PARAM, pager, window
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import JSON_HTML, Site

PARAMETERS = (*(Parameter(kind, repeat=True) for kind in RELEVANCE_KINDS),
              Parameter("include_withdrawn", flag=True), Parameter("evidence"),
              Parameter("min_score"), Parameter("text"))
#: how many standards the text box lists
TEXT_MATCHES = 10


def routes(router: APIRouter, site: Site) -> None:
    @router.get(
        "/relevance", summary="Standards ranked by how much of a profile they match",
        description="Repeatable parameters technology, barrier, element, stakeholder (IRIs or "
                    "slugs such as `robotics`, `rami40/layer-asset`); include_withdrawn=true "
                    "keeps withdrawn and superseded standards; evidence=stated|stated+reading|"
                    "all (default stated+reading) and min_score (0-1, default 0.5, for "
                    "suggestions under all) choose which links count, and the answer's "
                    "coverage says how many standards have a link of each kind "
                    "(docs/analyses.md, Evidence and coverage). JSON (default) or the HTML "
                    "form.",
        responses={200: {"content": {"application/json": {}, "text/html": {}},
                         "description": "The ranking (stdgraph.analysis.relevance)."},
                   400: {"description": "A bad or unknown parameter (named)."}})
    async def relevance_route(request: Request) -> Response:
        fmt = site.pick(request, JSON_HTML, "the relevance ranking")
        params = read(request, *PARAMETERS, PAGE, SIZE_PARAM)
        shown = window(params)
        include = params["include_withdrawn"]
        profile = {k: params[k] for k in RELEVANCE_KINDS}
        evidence = Evidence.parse({"evidence": params["evidence"],
                                   "min_score": params["min_score"]})

        async def load() -> dict:
            return await site.read(relevance, profile, include_withdrawn=include,
                                   base_iri=site.base, evidence=evidence)

        if fmt == "json":
            return JSONResponse(await load(), headers={"Vary": "Accept"})
        options = await site.read(profile_options)
        result = error = page_links = None
        if any(profile.values()):
            try:
                result = await load()
            except ParameterError as e:
                error = e.message
        if result is not None:  # the HTML ranking a page at a time
            ranked = result["items"]
            result = {**result, "items": ranked[shown.start:shown.stop]}
            page_links = pager(request, paged(result["items"], len(ranked), shown, "by score"),
                               anchor="#results")
        text = (params["text"] or "").strip()
        matches = text_error = None
        if text:
            try:
                matches = await site.read(service.profile, text, 0.0, TEXT_MATCHES)
            except (FeatureUnavailable, UsageError) as e:
                text_error = e.message
        chosen = {v for vals in profile.values() for v in vals}
        # what was chosen, by label, for the page's title
        choices = [o for k in ("technology", "barrier", "stakeholder") for o in options[k]]
        choices += [o for _group, els in options["element"] for o in els]
        picked = list(dict.fromkeys(o["label"] for o in choices if o["iri"] in chosen))
        query = urlencode([(k, v) for k in RELEVANCE_KINDS for v in profile[k]]
                          + ([("include_withdrawn", "true")] if include else [])
                          + [(k, params[k]) for k in ("evidence", "min_score") if params[k]])
        # the ranking as JSON: the text box is not part of it (/suggestions/profile is)
        return site.render(request, "relevance.html", status_code=400 if error else 200,
                           options=options, chosen=chosen, picked=picked, include=include,
                           result=result,
                           error=error, json_query=query, evidence=evidence.level,
                           levels=LEVELS, page_links=page_links, text=text,
                           matches=matches, text_error=text_error)
