"""The checks ``/sparql`` makes of a query or an update before any work, shared with the query
page (``stdgraph.web.query``), which runs queries the way the endpoint does."""

from __future__ import annotations

from stdgraph.api.errors import ApiError
from stdgraph.api.http import absolute_iris
from stdgraph.settings import Settings
from stdgraph.sparql.scan import check_nesting, operation, uses_load, uses_service

__all__ = ["QUERY_DATASET", "UPDATE_DATASET", "check_request"]

QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")


def _dataset(params: dict[str, list[str]], names: tuple[str, str]):
    default = params.get(names[0])
    named = params.get(names[1])
    if default is not None:
        absolute_iris(default, names[0])
    if named is not None:
        absolute_iris(named, names[1])
    return default, named


def _refuse_wrong_dataset(params: dict[str, list[str]], allowed: tuple[str, str],
                          other: tuple[str, str], what: str) -> None:
    wrong = [p for p in other if p in params]
    if wrong:
        raise ApiError(400, f"{', '.join(wrong)} cannot be used with {what}; use "
                            f"{' / '.join(allowed)}", parameters=wrong)


_SENT_AS = {  # the message for the other operation sent where ``kind`` belongs
    "query": "this is a SPARQL update, sent as a query: POST it as 'update=' (form) or with "
             "Content-Type application/sparql-update",
    "update": "this is a SPARQL query, sent as an update: send it as 'query=' or with "
              "Content-Type application/sparql-query",
}


def check_request(text: str, params: dict[str, list[str]], kind: str,
                  settings: Settings) -> tuple[list[str] | None, list[str] | None]:
    """The checks a query and an update share, before any work (``kind``: ``"query"`` or
    ``"update"``): no dataset parameters of the other kind, a non-empty text, nesting within
    bounds (``check_nesting``), not the other operation, no LOAD (updates) or SERVICE unless
    allowed. Returns the checked dataset: default/named graphs, or using/using-named graphs."""
    own, other = (QUERY_DATASET, UPDATE_DATASET) if kind == "query" else \
        (UPDATE_DATASET, QUERY_DATASET)
    _refuse_wrong_dataset(params, own, other, "a query" if kind == "query" else "an update")
    if not text.strip():
        raise ApiError(400, f"the {kind} is empty")
    check_nesting(text)
    if operation(text) == ("update" if kind == "query" else "query"):
        raise ApiError(400, _SENT_AS[kind])
    if kind == "update" and uses_load(text) and not settings.allow_load:
        raise ApiError(400, "LOAD is disabled on this endpoint (STDGRAPH_ALLOW_LOAD)")
    if uses_service(text) and not settings.allow_service:
        raise ApiError(400, "SERVICE (federated query) is disabled on this endpoint "
                            "(STDGRAPH_ALLOW_SERVICE)")
    return _dataset(params, own)
