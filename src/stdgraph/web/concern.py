"""Barrier and theme pages (the ``sg:Barrier`` and ``sg:Theme`` kinds of ``/id/``): what the
concern is, where it sits, what addresses it (a page of its standards, with their total and
links to the other pages: ``standards_page``), and the gaps analysis' verdict."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from stdgraph.api.executor import warm_first
from stdgraph.catalog.common import SG
from stdgraph.catalog.concern import concern, warm_concern_indexes
from stdgraph.catalog.resource import Resource
from stdgraph.web.site import PageReads, Site, found


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


def routes(router: APIRouter, site: Site) -> None:
    """No routes of its own (the pages are ``/id/`` pages); each query worker reads what the
    pages list from the snapshot (``warm_concern_indexes``) before it takes requests."""
    warm_first(site.ctx.executor, warm_concern_indexes)
