"""Barrier and theme pages (the ``sg:Barrier`` and ``sg:Theme`` kinds of ``/id/``): what the
concern is, where it sits, what addresses it, and the gaps analysis' verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stdgraph.catalog.common import SG
from stdgraph.catalog.concern import concern
from stdgraph.catalog.resource import Resource
from stdgraph.web.site import Site


def view(kind: str) -> Callable[[Site, Resource], dict[str, Any]]:
    def page(site: Site, res: Resource) -> dict[str, Any]:
        return {"template": "concern.html",
                **concern(site.store, res.iri, kind, resource=res, analyses=site.analysis),
                "gaps_url": f"/reports/gaps?kinds={kind}"}

    return page


KINDS = {SG + "Barrier": view("barrier"), SG + "Theme": view("theme")}
