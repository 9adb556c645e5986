"""A reference architecture's page (the ``sg:ReferenceArchitecture`` kind of ``/id/``): its
elements by axis with the number of standards in each; RAMI 4.0's coverage heatmap, each cell
linked to ``/standards``. ``/architectures``: every reference architecture, with how many
standards are placed on it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.catalog.architecture import architecture, architectures
from stdgraph.catalog.common import SG
from stdgraph.catalog.resource import Resource
from stdgraph.web.params import read
from stdgraph.web.site import PageReads, Site


def steps(top: int) -> list[tuple[int, int]]:
    """The shades of a heatmap whose largest count is ``top``, as (lowest, highest) counts:
    0 alone, then at most two steps for the rest (1 to half the largest, rounded up; the
    rest). Three shades is what fits between white and black with a contrast of at least 3:1
    from one shade to the next (``web.css``, ``table.heatmap .step-N``), so no two steps can be
    mistaken for each other."""
    if top <= 0:
        return [(0, 0)]
    if top == 1:
        return [(0, 0), (1, 1)]
    half = (top + 1) // 2
    return [(0, 0), (1, half), (half + 1, top)]


def step_of(n: int, ranges: list[tuple[int, int]]) -> int:
    """The step of count ``n`` among ``ranges`` (``steps``)."""
    return next(i for i, (lo, hi) in enumerate(ranges) if lo <= n <= hi)


def page(reads: PageReads, res: Resource) -> dict[str, Any]:
    values = architecture(reads.store, res.iri, reads.base, res.labels)
    grid = values["heatmap"]
    if grid is not None:
        ranges = steps(grid["max"])
        grid["steps"] = ranges
        grid["cell_steps"] = [[step_of(n, ranges) for n in row] for row in grid["counts"]]
    return {"template": "architecture.html", **values}


KINDS = {SG + "ReferenceArchitecture": page}


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/architectures", summary="The reference architectures (HTML)",
                response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        read(request)  # no parameters: an unknown one is a 400
        return site.render(request, "architectures.html",
                           **(await site.read(architectures, site.base)))
