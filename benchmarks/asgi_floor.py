"""The floor of any Python SPARQL endpoint on uvicorn: a bare ASGI app that hands the query
straight to pyoxigraph on the event loop and writes its answer, with nothing stdgraph does
around it - no protocol checks, negotiation, limits, time limit or worker process.

``benchmarks/endpoint.py`` serves it with the same uvicorn settings as ``stdgraph serve``
(httptools, uvloop, no access log) next to ``oxigraph serve``, so its ratio to Oxigraph shows
how much of stdgraph's ratio the Python HTTP stack alone costs. Never a server to deploy: it
does not bound anything.

    STDGRAPH_FLOOR_STORE=/path/to/oxigraph-folder python -m uvicorn asgi_floor:app
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import pyoxigraph as ox

STORE = ox.Store.read_only(os.environ["STDGRAPH_FLOOR_STORE"])
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE}
RESULT_TYPE = "application/sparql-results+json"


async def app(scope, receive, send) -> None:  # noqa: ANN001 - the ASGI signature
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    headers = dict(scope["headers"])
    if scope["method"] == "GET":
        query = parse_qs(scope["query_string"].decode())["query"][0]
    elif headers.get(b"content-type", b"").startswith(b"application/sparql-query"):
        query = body.decode()
    else:
        query = parse_qs(body.decode())["query"][0]
    result = STORE.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        ctype = "text/turtle"
        out = ox.serialize(result, format=GRAPH_TYPES[ctype]) or b""
    else:
        ctype = RESULT_TYPE
        out = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", ctype.encode()),
                            (b"content-length", b"%d" % len(out))]})
    await send({"type": "http.response.body", "body": out})
