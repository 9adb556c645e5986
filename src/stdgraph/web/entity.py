"""Body, committee, stakeholder type and technology pages (the ``sg:StandardsBody``,
``sg:Committee``, ``sg:StakeholderType`` and ``sg:Technology`` kinds of ``/id/``): what the
entity is and what it publishes, is responsible for, serves or is linked to, with counts
(``stdgraph.catalog.entity``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from stdgraph.api.executor import warm_first
from stdgraph.catalog.entity import ENTITIES, entity, warm_entity_indexes
from stdgraph.catalog.resource import Resource
from stdgraph.web.site import PageReads, Site, found


def page(reads: PageReads, res: Resource, kind: str) -> dict[str, Any]:
    names = [name for name, *_rest in ENTITIES[kind][1]]
    values = found(res, entity(reads.store, res.iri, kind, resource=res,
                               windows={name: reads.window(name) for name in names}))
    # each list's page is a list of the resource page (site.LISTS: standards_page=, ...)
    return {"template": "entity.html", **values,
            **{e["name"]: e["listing"] for e in values["lists"]}}


def body_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return page(reads, res, "body")


def committee_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return page(reads, res, "committee")


def stakeholder_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return page(reads, res, "stakeholder")


def technology_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return page(reads, res, "technology")


KINDS = {ENTITIES["body"][0]: body_page, ENTITIES["committee"][0]: committee_page,
         ENTITIES["stakeholder"][0]: stakeholder_page,
         ENTITIES["technology"][0]: technology_page}


def routes(router: APIRouter, site: Site) -> None:
    """No routes of its own (the pages are ``/id/`` pages); each query worker reads what the
    pages count from the snapshot (``warm_entity_indexes``) before it takes requests."""
    warm_first(site.ctx.executor, warm_entity_indexes)
