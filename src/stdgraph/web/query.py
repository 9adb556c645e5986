"""The SPARQL query page, ``/query`` (and the browser's answer to ``GET /sparql`` without a
query): an editor, the named queries as examples, the results as a table, downloads, a permalink.

It works without JavaScript: the editor is a GET form to ``/query``, so the address of the
results (``?query=...&format=...``) is their permalink and reruns the query when opened; the
server runs the query through the app's query runner (the same checks, limits and time limit
as ``/sparql``) and renders the rows. ``static/query.js`` adds syntax highlighting and prefix
completion to the editor (no CDN, no third-party code).

- ``format``: ``table`` (default: the rows, a page at a time, IRIs linked and labelled) or a
  result format name (``json``, ``csv``, ``turtle``, ...: the answer's text as sent by
  ``/sparql``); the downloads are links to ``/sparql?query=...&download=FORMAT``.
- ``example=NAME``: the named query ``queries/NAME.rq`` with its parameters bound
  (``NamedQuery.bound_text``: defaults, or the values given as URL parameters of the same name,
  asked for in labelled inputs); run when every required parameter has a value.

The ``/sparql`` route (``stdgraph.api.routes.sparql``) belongs to the protocol and does not know
the pages: mounting them hands it this page through ``ApiContext.query_page``.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from stdgraph.api.http import base_iri, query_params
from stdgraph.api.sparqlchecks import check_request
from stdgraph.catalog.labels import labels_of
from stdgraph.catalog.resource import curie
from stdgraph.errors import QuerySyntaxError, StdgraphError
from stdgraph.rdf.formats import GRAPH_MEDIA, RESULT_MEDIA
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.rdf.results import Answer
from stdgraph.sparql.named import NamedQuery, ParameterError, Registry
from stdgraph.store.base import AnswerRequest
from stdgraph.web.paging import pager, window
from stdgraph.web.params import Parameter
from stdgraph.web.site import Site

__all__ = ["DEFAULT_QUERY", "FORMAT_LABELS", "VIEWS", "QueryPage", "routes"]

log = logging.getLogger("stdgraph.web")

DEFAULT_QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
#: a result format's name on the page
FORMAT_LABELS = {"json": "SPARQL JSON", "xml": "SPARQL XML", "csv": "CSV", "tsv": "TSV",
                 "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
                 "rdfxml": "RDF/XML", "nquads": "N-Quads", "trig": "TriG"}
#: what the page shows an answer as: a table, or its text in one of the formats
VIEWS = ["table", *RESULT_MEDIA, *GRAPH_MEDIA]
#: the page's own URL parameters; an example's parameters come on top
OWN = ("query", "format", "example", "page", "size")
#: the most of an answer's text the page shows (the download has it all)
TEXT_LIMIT = 200_000


def _one(given: dict[str, list[str]], name: str) -> str | None:
    values = [v for v in given.get(name, []) if v != ""]
    if len(values) > 1:
        raise ParameterError(name, "takes one value, got several")
    return values[0] if values else None


def _term(term: dict[str, str] | None) -> dict[str, str] | None:
    """A SPARQL JSON term as the table shows it."""
    if term is None:
        return None
    kind = term.get("type", "literal")
    if kind == "uri":
        return {"kind": "iri", "value": term["value"], "curie": curie(term["value"])}
    if kind == "bnode":
        return {"kind": "bnode", "value": "_:" + term["value"]}
    out = {"kind": "literal", "value": term["value"]}
    if term.get("xml:lang"):
        out["lang"] = term["xml:lang"]
    elif term.get("datatype"):
        out["datatype"] = curie(term["datatype"])
    return out


def _ox_term(term: Any) -> dict[str, str] | None:
    """A pyoxigraph term (of a CONSTRUCT or DESCRIBE answer) as ``_term`` has it."""
    if isinstance(term, ox.NamedNode):
        return _term({"type": "uri", "value": term.value})
    if isinstance(term, ox.BlankNode):
        return _term({"type": "bnode", "value": term.value})
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return _term(out)
    return {"kind": "literal", "value": str(term)}  # a quoted triple: its text


def table_of(answer: Answer) -> dict[str, Any]:
    """The answer (SPARQL JSON, or N-Triples for a graph) as ``vars`` and ``rows`` of terms,
    or ``boolean`` for ASK."""
    if answer.kind == "graph":
        rows = [[_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)]
                for t in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
        return {"vars": ["subject", "predicate", "object"], "rows": rows}
    data = json.loads(answer.body)
    if "boolean" in data:
        return {"boolean": bool(data["boolean"])}
    names = data["head"]["vars"]
    return {"vars": names,
            "rows": [[_term(b.get(v)) for v in names] for b in data["results"]["bindings"]]}


def error_excerpt(text: str, error: QuerySyntaxError) -> dict[str, Any] | None:
    """The line of ``text`` the parser stopped at and the caret under its column (1-based), or
    None when the error has no position inside the text."""
    if not error.line or error.line < 1:
        return None
    lines = text.split("\n")
    if error.line > len(lines):
        return None
    line = lines[error.line - 1].rstrip("\r").replace("\t", " ")
    column = max(1, min(error.column or 1, len(line) + 1))
    return {"line": error.line, "column": column, "text": line,
            "caret": " " * (column - 1) + "^"}


class QueryPage:
    """The page of one app: its examples (the project's named queries) and how it runs a
    query (``site.ctx``: the query runner, the settings)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.ctx = site.ctx
        queries = []
        for name, text in sorted(self.ctx.examples.items()):
            try:
                queries.append(NamedQuery.from_text(name, text))
            except StdgraphError as e:  # a broken header: the API lists it; the page skips it
                log.warning("example query %s left out: %s", name, e)
        self.examples = Registry(queries)
        self.config = Markup(json.dumps({"prefixes": PREFIXES}).replace("</", "<\\/"))

    def render(self, request: Request, status: int = 200, **values: Any) -> Response:
        values.setdefault("text", DEFAULT_QUERY)
        values.setdefault("format", "table")
        return self.site.render(request, "query.html", status_code=status,
                                title=values.pop("title", "SPARQL query"),
                                examples=list(self.examples), views=VIEWS,
                                labels=FORMAT_LABELS, config=self.config, **values)

    def blank(self, request: Request) -> str:
        """The page without a query (``GET /sparql`` for a browser: ``ApiContext.query_page``)."""
        body = self.render(request).body
        return bytes(body).decode("utf-8")

    async def answer(self, request: Request, text: str, fmt: str) -> Answer:
        """``text`` run as ``/sparql`` runs it (its checks, row limit and time limit): SPARQL
        JSON or N-Triples for the table, else ``fmt`` (its kind's default for the other kind)."""
        settings = self.ctx.settings
        check_request(text, {}, "query", settings)
        if fmt == "table":
            result_fmt, graph_fmt = "json", "ntriples"
        elif fmt in RESULT_MEDIA:
            result_fmt, graph_fmt = fmt, "turtle"
        else:
            result_fmt, graph_fmt = "json", fmt
        job = AnswerRequest(text, result_format=result_fmt, graph_format=graph_fmt,
                            max_rows=settings.max_rows, timeout=settings.query_timeout or None,
                            base_iri=base_iri(request, settings))
        return await self.ctx.executor.answer(job)

    async def page(self, request: Request) -> Response:
        given = query_params(request)
        name = _one(given, "example")
        example = None
        if name is not None:
            if name not in self.examples.names():
                raise ParameterError("example", f"no example named {name!r} (examples: "
                                     + ", ".join(self.examples.names()) + ")")
            example = self.examples.get(name)
        known = set(OWN) | ({p.name for p in example.params} if example else set())
        unknown = sorted(set(given) - known)
        if unknown:
            raise ParameterError(unknown[0], "unknown parameter (known: "
                                 + ", ".join(sorted(known)) + ")")
        fmt = _one(given, "format") or "table"
        if fmt not in VIEWS:
            raise ParameterError("format", f"{fmt!r} is not one of: {', '.join(VIEWS)}")
        win = window({"page": Parameter("page", number=True).value(given.get("page")),
                      "size": Parameter("size", number=True).value(given.get("size"))})
        text = _one(given, "query")
        values: dict[str, Any] = {"format": fmt, "example": example, "chosen": {}}
        if example is not None and text is None:
            chosen = {p.name: given[p.name] for p in example.params if p.name in given}
            # what the inputs show: the values given (an empty one shows the default)
            values["chosen"] = {p.name: ", ".join(v for v in chosen[p.name] if v)
                                for p in example.params if any(chosen.get(p.name, []))}
            missing = [p for p in example.params if p.required and p.default is None
                       and not any(given.get(p.name, []))]
            if missing:  # asked for in the form; nothing to run yet
                return self.render(request, text=example.text, missing=missing,
                                   title=f"SPARQL query: {example.title}", **values)
            try:
                text = example.bound_text(chosen)
            except ParameterError as e:
                return self.render(request, 400, text=example.text, param_error=e.message,
                                   title=f"SPARQL query: {example.title}", **values)
        if text is None:
            return self.render(request, **values)
        values["text"] = text
        values["title"] = ("SPARQL query: " + example.title if example is not None
                           else "SPARQL query results")
        values["permalink"] = "?" + urlencode({"query": text, "format": fmt})
        root = request.scope.get("root_path", "").rstrip("/")
        started = time.perf_counter()
        try:
            answer = await self.answer(request, text, fmt)
        except StdgraphError as e:
            excerpt = error_excerpt(text, e) if isinstance(e, QuerySyntaxError) else None
            return self.render(request, e.http_status, error=e.message, excerpt=excerpt,
                               **values)
        values["ms"] = round((time.perf_counter() - started) * 1000)
        values["answer"] = answer
        values["max_rows"] = self.ctx.settings.max_rows
        kinds = GRAPH_MEDIA if answer.kind == "graph" else RESULT_MEDIA
        values["downloads"] = [
            (f, FORMAT_LABELS.get(f, f),
             f"{root}/sparql?" + urlencode({"query": text, "download": f})) for f in kinds]
        values["count"] = answer.count
        if fmt != "table":
            body = answer.body.decode("utf-8", errors="replace")
            values["body"] = body[:TEXT_LIMIT]
            values["body_cut"] = len(body) > TEXT_LIMIT
            values["shown_as"] = answer.format
            return self.render(request, **values)
        table = table_of(answer)
        if "boolean" in table:
            values["boolean"] = table["boolean"]
            return self.render(request, **values)
        rows = table["rows"]
        values["count"] = len(rows)
        pages = max(1, -(-len(rows) // win.size))
        if win.page > pages:
            raise ParameterError("page", f"there are {pages} pages of {win.size} rows")
        shown = rows[win.start:win.start + win.size]
        iris = sorted({c["value"] for row in shown for c in row if c and c["kind"] == "iri"})
        values["row_labels"] = await self.site.read(labels_of, iris) if iris else {}
        values["title"] += f", {len(rows):,} row{'' if len(rows) == 1 else 's'}" + (
            f" (page {win.page} of {pages})" if pages > 1 else "")
        values["vars"] = table["vars"]
        values["rows"] = shown
        values["pager"] = pager(request, {"page": win.page, "size": win.size,
                                          "total": len(rows), "pages": pages,
                                          "order": "in the query's order", "items": shown},
                                anchor="#results")
        return self.render(request, **values)


def routes(router: APIRouter, site: Site) -> None:
    page = QueryPage(site)
    site.ctx.query_page = page.blank  # GET /sparql for a browser, without a query

    @router.get(
        "/query", summary="The SPARQL query page",
        description="query=SPARQL text: run it (as /sparql does) and show the answer; "
                    "format=table (default; page, size: the rows shown) or a result format "
                    "(json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, nquads, trig) "
                    "shown as text; example=NAME: a named query, its parameters bound from "
                    "the URL parameters of the same names (defaults otherwise). HTML; the "
                    "address is the permalink of the results.",
        responses={200: {"content": {"text/html": {}}, "description": "The query page."},
                   400: {"description": "A malformed query (the page shows where) or a bad "
                                        "or unknown parameter (named)."},
                   503: {"description": "The query hit the time limit."}})
    async def query_route(request: Request) -> Response:
        return await page.page(request)

