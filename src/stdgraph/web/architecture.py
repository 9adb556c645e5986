"""A reference architecture's page (the ``sg:ReferenceArchitecture`` kind of ``/id/``): its
elements by axis with the number of standards in each; RAMI 4.0's coverage heatmap, each cell
linked to ``/standards``."""

from __future__ import annotations

from typing import Any

from stdgraph.catalog.architecture import architecture
from stdgraph.catalog.common import SG
from stdgraph.catalog.resource import Resource
from stdgraph.web.site import PageReads


def page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return {"template": "architecture.html",
            **architecture(reads.store, res.iri, reads.base, res.labels)}


KINDS = {SG + "ReferenceArchitecture": page}
