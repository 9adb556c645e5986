"""What the graph holds at a glance: instances per class, the members of a class, and the
choices of a relevance profile."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.catalog.architecture import elements_by_scheme
from stdgraph.catalog.common import SG, by_label, iris
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["COUNTED", "counts", "landing", "members", "profile_options"]

#: the classes counted on the landing page (local name in sg:, plural), in order
COUNTED = [("Standard", "standards"), ("ReferenceArchitecture", "reference architectures"),
           ("ArchitectureElement", "architecture elements"), ("Barrier", "barriers"),
           ("Theme", "themes"), ("Technology", "technologies"),
           ("StakeholderType", "stakeholder types"), ("Recommendation", "recommendations"),
           ("RoadmapItem", "roadmap items"), ("StandardsBody", "standards bodies")]


def counts(store: Store) -> list[dict]:
    """``{"label", "count"}`` for each class of :data:`COUNTED`, in that order."""
    n = {str(c): int(v) for c, v in select(store, "class-counts",
                                             **{"class": iris(SG + k for k, _ in COUNTED)})}
    return [{"label": name, "count": n.get(SG + k, 0)} for k, name in COUNTED]


def members(store: Store, cls: str, labels: Labels | None = None) -> list[dict]:
    """The instances of ``sg:{cls}`` as ``{"iri", "label"}``, by label."""
    lab = labels or Labels(store)
    found = [str(x) for (x,) in select(store, "instances", **{"class": URIRef(SG + cls)})]
    lab.fetch(found)
    return by_label(lab.refs(found))


def landing(store: Store) -> dict[str, Any]:
    """The landing page: ``counts``, and the ``architectures``, ``barriers``, ``themes`` and
    ``recommendations`` to start from."""
    lab = Labels(store)
    return {"counts": counts(store),
            "architectures": members(store, "ReferenceArchitecture", lab),
            "barriers": members(store, "Barrier", lab), "themes": members(store, "Theme", lab),
            "recommendations": members(store, "Recommendation", lab)}


def profile_options(store: Store) -> dict[str, list]:
    """What a relevance profile can name: ``technology``, ``barrier`` and ``stakeholder``
    (refs by label) and ``element`` ((architecture, elements) pairs)."""
    lab = Labels(store)
    options: dict[str, list] = {}
    for kind, cls in (("technology", "Technology"), ("barrier", "Barrier"),
                      ("stakeholder", "StakeholderType")):
        options[kind] = members(store, cls, lab)
    options["element"] = elements_by_scheme(store, lab)
    return options
