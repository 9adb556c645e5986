"""What a form offers to pick from instead of a text box for an IRI: the graph's own
resources of one kind, each with a label a person reads.

An analysis parameter names the kind (``Parameter.pick``: ``"architecture"``, ``"axis"``,
``"barrier"``, ``"body"``, ``"element"`` or ``"status"``);
:data:`PICKS` maps each kind to the function that lists its options, and :func:`choices` reads
the ones a form needs in one job (``web.reports`` calls it through the query runner)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.catalog.architecture import elements_by_scheme, order_key
from stdgraph.catalog.common import SG, by_label
from stdgraph.catalog.overview import members
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["PICKS", "architectures", "axes", "barriers", "bodies", "choices", "elements",
           "statuses"]


def _by_label(store: Store, lab: Labels, cls: str) -> list[dict]:
    """Every instance of ``sg:{cls}``, by label."""
    found = [str(a) for (a,) in select(store, "instances", **{"class": URIRef(SG + cls)})]
    lab.fetch(found)
    return by_label(lab.refs(found))


def architectures(store: Store, lab: Labels) -> list[dict]:
    """Every reference architecture, by label."""
    return _by_label(store, lab, "ReferenceArchitecture")


def axes(store: Store, lab: Labels) -> list[dict]:
    """Every axis (top concept) of a reference architecture, labelled "<architecture>:
    <axis>", by architecture label, then the scheme's order (``sg:order``), then label."""
    rows = select(store, "architecture-axes")
    lab.fetch([str(x) for r in rows for x in r[:2]])
    best: dict[tuple[str, str], int] = {}
    for a, x, o in rows:
        key = (str(a), str(x))
        best[key] = min(best.get(key, order_key(None)), order_key(o))
    out = sorted(best, key=lambda k: (lab(k[0]).casefold(), best[k], lab(k[1]).casefold()))
    return [{"iri": x, "label": f"{lab(a)}: {lab(x)}"} for a, x in out]


def bodies(store: Store, lab: Labels) -> list[dict]:
    """Every standards body (``sg:StandardsBody``), by label."""
    return _by_label(store, lab, "StandardsBody")


def barriers(store: Store, lab: Labels) -> list[dict]:
    """Every barrier (``sg:Barrier``), in its scheme's order (``sg:order``), then label."""
    return members(store, "Barrier", lab)


def elements(store: Store, lab: Labels) -> list[dict]:
    """Every architecture element but the axes, each with its architecture's label as its
    ``group``: by architecture label, each architecture's elements in its own order (axis,
    then element: ``catalog.architecture.elements_by_scheme``)."""
    return [{**e, "group": scheme} for scheme, els in elements_by_scheme(store, lab)
            for e in els]


def statuses(store: Store, lab: Labels) -> list[dict]:
    """Every status concept (``sg:Status``), in its life cycle's order (``sg:order``)."""
    return members(store, "Status", lab)


#: the kinds of resource a form can offer, by the name a parameter gives (``Parameter.pick``)
PICKS: dict[str, Callable[[Store, Labels], list[dict]]] = {
    "architecture": architectures,
    "axis": axes,
    "barrier": barriers,
    "body": bodies,
    "element": elements,
    "status": statuses,
}


def choices(store: Store, kinds: Iterable[str]) -> dict[str, list[dict]]:
    """The options (``{"iri", "label"}``) of each kind of ``kinds`` (names of :data:`PICKS`);
    in the server's query runner kept in its cache for the store's state (every report page
    asks for them: a query or two per kind, 10-15 ms at 10k standards). Shared: do not change
    them."""
    wanted = tuple(dict.fromkeys(kinds))

    def read() -> dict[str, list[dict]]:
        lab = Labels(store)
        return {k: PICKS[k](store, lab) for k in wanted}

    cached = getattr(store, "cached", None)
    return read() if cached is None else cached("choices:" + ",".join(wanted), read)
