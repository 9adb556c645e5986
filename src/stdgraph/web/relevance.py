"""``/relevance``: the relevance finder (``stdgraph.analysis.relevance``): standards ranked by
how much of a profile (technologies, barriers, themes, elements, stakeholder types) they match;
JSON (default, the whole ranking), the HTML form with the ranking a page at a time (``page``,
``size``: ``web.paging``), or CSV of exactly the rows of that page (a download,
``relevance.csv``). The form is a GET form, so its URL is a permalink of the profile.

The text box (``text``) does two things (``find``): it ticks the choices whose names it
mentions (``catalog.overview.mentioned``: "SME", "IoT", "cobots"), and the standards whose own
words match it (``stdgraph.suggest``'s profile, docs/suggestions.md: a suggestion, not a link)
score one point more, their score and the words in common shown; without the optional extra
the page says what to install and ranks the ticked choices alone. Each ranked standard says
which profile items it matched and by what evidence (stated link, reading, suggestion), the
page says how the score is made and ties broken, and lists the profile items no standard
matched with why."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.analysis.evidence import LEVELS, Evidence
from stdgraph.analysis.relevance import EVIDENCE_WORDS, RANKING, relevance
from stdgraph.analysis.relevance import KINDS as RELEVANCE_KINDS
from stdgraph.catalog.common import paged
from stdgraph.catalog.overview import PROFILE_CLASSES, mentioned, profile_options
from stdgraph.errors import FeatureUnavailable, UsageError
from stdgraph.rdf.formats import HTML_MEDIA, JSON_MEDIA
from stdgraph.sparql.named import ParameterError
from stdgraph.store.base import Store
from stdgraph.suggest import service
from stdgraph.web.paging import PAGE, SIZE_PARAM, pager, window
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import Site

PARAMETERS = (*(Parameter(kind, repeat=True) for kind in RELEVANCE_KINDS),
              Parameter("include_withdrawn", flag=True), Parameter("evidence"),
              Parameter("min_score"), Parameter("text"))
#: the formats of /relevance: the whole ranking as JSON (the default), the page, its rows as CSV
FORMATS = {"json": JSON_MEDIA, "html": HTML_MEDIA, "csv": ("text/csv",)}
#: how many standards the text box suggests
TEXT_MATCHES = 10
#: the CSV's columns
CSV_COLUMNS = ["rank", "score", "of", "identifier", "label", "status", "matched",
               "description score", "iri"]


def find(store: Store, profile: dict[str, list[str]], text: str, include: bool, base: str,
         evidence: Evidence) -> dict[str, Any]:
    """What ``/relevance`` shows, read in one job of the query runner: ``options`` (the
    form's choices), ``ticked`` (choice IRI -> the name the text mentions), ``profile`` (the
    choices given plus those ticked), ``suggested`` (the text's suggestions), ``text_error``
    and ``result`` (the ranking; None when there is nothing to rank). A bad parameter raises
    ``ParameterError``."""
    options = profile_options(store)
    ticked = mentioned(text, options) if text else {}
    given = {k: list(v) for k, v in profile.items()}
    for kind in PROFILE_CLASSES:
        for o in options[kind]:
            if o["iri"] in ticked and o["iri"] not in given.setdefault(kind, []):
                given[kind].append(o["iri"])
    suggested: list[dict] = []
    text_error = None
    if text:
        try:
            for m in service.profile(store, text, 0.0, TEXT_MATCHES):
                via = m["neighbours"][0] if m["neighbours"] else None
                suggested.append({"iri": m["object"], "score": m["score"], "terms": m["terms"],
                                  "via": {"iri": via["iri"], "label": via["label"]}
                                  if via else None})
        except (FeatureUnavailable, UsageError) as e:
            text_error = e.message
    result = None
    if any(given.values()) or suggested:
        result = relevance(store, given, include_withdrawn=include, base_iri=base,
                           evidence=evidence, suggested=suggested)
    return {"options": options, "ticked": ticked, "profile": given, "suggested": suggested,
            "text_error": text_error, "result": result}


def matched_text(item: dict) -> str:
    """The profile items a ranked standard matched, with the evidence of each, in words."""
    parts = [f"{m['label']} ({EVIDENCE_WORDS[m['evidence']]})" for m in item["matched"]]
    if item.get("text"):
        parts.append(f"your description ({item['text']['score']:.3f})")
    return "; ".join(parts)


def csv_text(items: list[dict]) -> str:
    """The ranked rows as CSV (RFC 4180, CRLF), a heading first: what the page shows."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for i in items:
        w.writerow([i["rank"], i["score"], i["of"], i["identifier"] or "", i["label"],
                    i["status_label"] or "unknown", matched_text(i),
                    f"{i['text']['score']:.3f}" if i.get("text") else "", i["iri"]])
    return out.getvalue()


def routes(router: APIRouter, site: Site) -> None:
    @router.get(
        "/relevance", summary="Standards ranked by how much of a profile they match",
        description="Repeatable parameters technology, barrier, theme, element, stakeholder "
                    "(IRIs or slugs such as `robotics`, `rami40/layer-asset`); text, a "
                    "description in words (it ticks the choices it names and its suggested "
                    "standards score a point; needs the extra 'suggest'); include_withdrawn="
                    "true keeps withdrawn and superseded standards; evidence=stated|stated+"
                    "reading|all (default stated+reading) and min_score (0-1, default 0.5, for "
                    "suggestions under all) choose which links count, and the answer's "
                    "coverage says how many standards have a link of each kind "
                    "(docs/analyses.md, Evidence and coverage); unmatched lists the profile "
                    "items no standard matched, with why. JSON (default, the whole ranking), "
                    "the HTML form, or CSV of the page's rows (page, size).",
        responses={200: {"content": {"application/json": {}, "text/html": {}, "text/csv": {}},
                         "description": "The ranking (stdgraph.analysis.relevance)."},
                   400: {"description": "A bad or unknown parameter (named)."}})
    async def relevance_route(request: Request) -> Response:
        fmt = site.pick(request, FORMATS, "the relevance ranking")
        params = read(request, *PARAMETERS, PAGE, SIZE_PARAM)
        shown = window(params)
        include = params["include_withdrawn"]
        profile = {k: params[k] for k in RELEVANCE_KINDS}
        text = (params["text"] or "").strip()
        evidence = Evidence.parse({"evidence": params["evidence"],
                                   "min_score": params["min_score"]})
        error = None
        try:
            found = await site.read(find, profile, text, include, site.base, evidence)
        except ParameterError as e:
            if fmt != "html":
                raise
            error = e.message
            found = {**await site.read(find, {}, "", include, site.base, evidence),
                     "profile": profile}
        result = found["result"]
        if fmt == "json":
            doc = result or {**(await site.read(relevance, {}, include_withdrawn=include,
                                                base_iri=site.base, evidence=evidence))}
            return JSONResponse({**doc, "text": text, "ticked": found["ticked"],
                                 "text_error": found["text_error"]},
                                headers={"Vary": "Accept"})
        page_links = None
        if result is not None:  # the ranking a page at a time, each row with its rank
            ranked = [{**it, "rank": n} for n, it in enumerate(result["items"], 1)]
            result = {**result, "items": ranked[shown.start:shown.stop]}
            page_links = pager(request, paged(result["items"], len(ranked), shown, "by score"),
                               anchor="#results")
        if fmt == "csv":
            return Response(csv_text(result["items"] if result else []),
                            media_type="text/csv; charset=utf-8",
                            headers={"Vary": "Accept", "Content-Disposition":
                                     'attachment; filename="relevance.csv"'})
        options = found["options"]
        chosen = {v for vals in found["profile"].values() for v in vals}
        # what was chosen, by label, for the page's title
        choices = [o for k in PROFILE_CLASSES for o in options[k]]
        choices += [o for _group, els in options["element"] for o in els]
        picked = list(dict.fromkeys(o["label"] for o in choices if o["iri"] in chosen))
        ticked = [{"iri": o["iri"], "label": o["label"], "name": found["ticked"][o["iri"]]}
                  for o in choices if o["iri"] in found["ticked"]]
        # the request's profile as a query string (the permalink, the CSV and JSON links)
        keep = ([(k, v) for k in RELEVANCE_KINDS for v in profile[k]]
                + ([("text", text)] if text else [])
                + ([("include_withdrawn", "true")] if include else [])
                + [(k, params[k]) for k in ("evidence", "min_score") if params[k]])
        paging = [(k, str(params[k])) for k in ("page", "size") if params[k]]
        return site.render(request, "relevance.html", status_code=400 if error else 200,
                           options=options, chosen=chosen, picked=picked, include=include,
                           result=result, error=error, evidence=evidence.level,
                           levels=LEVELS, page_links=page_links, text=text,
                           ticked=ticked, text_error=found["text_error"], ranking=RANKING,
                           permalink="?" + urlencode(keep) + "#results",
                           json_url="?" + urlencode([*keep, ("format", "json")]),
                           csv_url="?" + urlencode([*keep, *paging, ("format", "csv")]),
                           evidence_words=EVIDENCE_WORDS)
