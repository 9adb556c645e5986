"""Body, committee, stakeholder type and technology pages (the ``sg:StandardsBody``,
``sg:Committee``, ``sg:StakeholderType`` and ``sg:Technology`` kinds of ``/id/``): what the
entity is and what it publishes, is responsible for, serves or is linked to, with counts
(``stdgraph.catalog.entity``)."""

from __future__ import annotations

from typing import Any

from stdgraph.catalog.entity import ENTITIES, entity
from stdgraph.catalog.resource import Resource
from stdgraph.web.site import PageReads, found


def page(reads: PageReads, res: Resource, kind: str) -> dict[str, Any]:
    values = found(res, entity(reads.store, res.iri, kind, resource=res,
                               standards=reads.window("standards")))
    # the standards' page is the resource page's "standards" list (standards_page=)
    listing = next((e["listing"] for e in values["lists"] if e["name"] == "standards"), None)
    return {"template": "entity.html", **values,
            **({"standards": listing} if listing is not None else {})}


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
