"""Barrier and theme pages (the ``sg:Barrier`` and ``sg:Theme`` kinds of ``/id/``): what the
concern is, where it sits, what addresses it, and the gaps analysis' verdict."""

from __future__ import annotations

from typing import Any

from stdgraph.catalog.common import SG
from stdgraph.catalog.concern import concern
from stdgraph.catalog.resource import Resource
from stdgraph.web.site import PageReads, found


def page(reads: PageReads, res: Resource, kind: str) -> dict[str, Any]:
    return {"template": "concern.html",
            **found(res, concern(reads.store, res.iri, kind, resource=res,
                                 standards=reads.window("standards"))),
            "gaps_url": f"/reports/gaps?kinds={kind}"}


def barrier_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return page(reads, res, "barrier")


def theme_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return page(reads, res, "theme")


KINDS = {SG + "Barrier": barrier_page, SG + "Theme": theme_page}
