"""The URL parameters of a page, declared once and read by one function.

A page lists its parameters (:class:`Parameter`); :func:`read` checks the request's query
string against them and returns their values. ``format`` (negotiation, read by
``Site.pick``) is always known. A bad value or an unknown name is a 400 naming the parameter
(:class:`~stdgraph.sparql.named.ParameterError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from rdflib import URIRef

from stdgraph.api.http import query_params
from stdgraph.booleans import parse_bool
from stdgraph.sparql.named import ParameterError, sparql_term

__all__ = ["Parameter", "read"]


@dataclass(frozen=True)
class Parameter:
    """One URL parameter. Empty values (``?name=``) count as absent.

    - ``repeat``: the value is the list of the values given (repeated parameter), else the one
      value or None, and more than one is an error;
    - ``flag``: true or false (``stdgraph.booleans.parse_bool``: ``true/1/yes/on``,
      ``false/0/no``, any case); the last value given counts, absent or empty is false;
    - ``iri``: every value must be an absolute IRI;
    - ``number``: a whole number of at least 1 (a page, a page size).
    """

    name: str
    repeat: bool = False
    flag: bool = False
    iri: bool = False
    number: bool = False

    def value(self, given: list[str] | None) -> Any:
        if self.flag:
            text = (given or ["false"])[-1] or "false"
            try:
                return parse_bool(text)
            except ValueError:
                raise ParameterError(self.name, f"{text.lower()!r} is not a boolean") from None
        values: list[Any] = [v for v in given or [] if v]
        if self.iri:
            for v in values:
                try:
                    sparql_term(URIRef(v))
                except ValueError:
                    raise ParameterError(self.name, f"{v!r} is not an IRI") from None
        if self.number:
            for v in values:
                if not v.isdigit() or int(v) < 1 or len(v) > 9:
                    raise ParameterError(self.name, f"{v!r} is not a whole number from 1")
            values = [int(v) for v in values]
        if self.repeat:
            return values
        if len(values) > 1:
            raise ParameterError(self.name, "takes one value, got several")
        return values[0] if values else None


def read(request: Request, *declared: Parameter) -> dict[str, Any]:
    """The values of the ``declared`` parameters of ``request``'s URL, by name; a parameter
    not declared (other than ``format``) is refused."""
    given = query_params(request)
    known = {p.name for p in declared} | {"format"}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ParameterError(unknown[0], "unknown parameter (known: "
                             + ", ".join(sorted(known)) + ")")
    return {p.name: p.value(given.get(p.name)) for p in declared}
