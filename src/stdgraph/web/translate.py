"""``/translate?element=IRI``: the architecture translator (``stdgraph.analysis.translator``):
the elements of other architectures mapped to an element, with relation, status and sources, and
the standards classified in each; JSON (default) or the HTML form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.analysis.evidence import LEVELS, Evidence
from stdgraph.analysis.translator import mapped_elements, translate
from stdgraph.sparql.named import ParameterError
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import JSON_HTML, Site

ELEMENT = Parameter("element")
EVIDENCE = (Parameter("evidence"), Parameter("min_score"))


def routes(router: APIRouter, site: Site) -> None:
    @router.get(
        "/translate", summary="Architecture translator: an element -> mapped elements, standards",
        description="element=IRI of an architecture element (RAMI 4.0, IIRA, IVRA, ...): the "
                    "elements of other architectures mapped to it (relation, sourced or "
                    "suggested, evidence kind, source) and the standards classified in each; "
                    "evidence=stated|stated+reading|all (default stated+reading) and min_score "
                    "choose which mappings and classifications count (left_out: the mapping "
                    "records of the element that do not), and the answer's coverage says how "
                    "many standards are classified and how many architecture elements are "
                    "mapped at all (docs/analyses.md, Evidence and coverage). JSON (default) or "
                    "the HTML form.",
        responses={200: {"content": {"application/json": {}, "text/html": {}},
                         "description": "The translation (stdgraph.analysis.translator)."},
                   400: {"description": "A bad or unknown parameter (named)."}})
    async def translate_route(request: Request) -> Response:
        fmt = site.pick(request, JSON_HTML, "the translation")
        given = read(request, ELEMENT, *EVIDENCE)
        element = given["element"]
        evidence = Evidence.parse({"evidence": given["evidence"],
                                   "min_score": given["min_score"]})
        if fmt == "json":
            if element is None:
                raise ParameterError("element", "is required")
            return JSONResponse(await site.read(translate, element, evidence),
                                headers={"Vary": "Accept"})
        options = await site.read(mapped_elements)
        result = error = None
        if element is not None:
            try:
                result = await site.read(translate, element, evidence)
            except ParameterError as e:
                error = e.message
        return site.render(request, "translate.html", status_code=400 if error else 200,
                           options=options, chosen=element, result=result, error=error,
                           evidence=evidence.level, levels=LEVELS)
