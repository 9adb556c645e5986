"""The declared URL parameters of the pages (stdgraph.web.params), without an app."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from stdgraph.sparql.named import ParameterError
from stdgraph.web.params import Parameter, read

KINDS = Parameter("technology", repeat=True)
FLAG = Parameter("include_withdrawn", flag=True)
ONE = Parameter("element")
IRIS = Parameter("element", repeat=True, iri=True)


def request(query: str) -> Request:
    return Request({"type": "http", "query_string": query.encode()})


def test_values():
    assert read(request("technology=a&technology=&technology=b&format=json"), KINDS, FLAG) == {
        "technology": ["a", "b"], "include_withdrawn": False}
    assert read(request("include_withdrawn=no&include_withdrawn=ON"), FLAG) == {
        "include_withdrawn": True}
    assert read(request("include_withdrawn="), FLAG) == {"include_withdrawn": False}
    assert read(request("element=&element=x"), ONE) == {"element": "x"}
    assert read(request(""), ONE) == {"element": None}
    assert read(request("element=https%3A%2F%2Fexample.org%2Fe"), IRIS) == {
        "element": ["https://example.org/e"]}


@pytest.mark.parametrize(("query", "declared", "param", "message"), [
    ("colour=red", (KINDS, FLAG), "colour",
     "unknown parameter (known: format, include_withdrawn, technology)"),
    ("include_withdrawn=Maybe", (FLAG,), "include_withdrawn", "'maybe' is not a boolean"),
    ("include_withdrawn=off", (FLAG,), "include_withdrawn", "'off' is not a boolean"),
    ("element=a&element=b", (ONE,), "element", "takes one value, got several"),
    ("element=not%20an%20iri", (IRIS,), "element", "'not an iri' is not an IRI"),
])
def test_refusals_name_the_parameter(query, declared, param, message):
    with pytest.raises(ParameterError) as e:
        read(request(query), *declared)
    assert e.value.param == param and e.value.message == f"parameter '{param}': {message}"
