"""Overlaps, gaps and conflicts over the graph (definitions in docs/analyses.md).

Each analysis takes a store and raw text parameters (as they come from a URL query string or
CLI options), checks them against its parameter specs, and returns an
:class:`~stdgraph.analysis.common.AnalysisDocument`. :func:`render` turns a document into JSON
(the same text for the CLI and HTTP), CSV or a terminal table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stdgraph.analysis import conflicts as _conflicts
from stdgraph.analysis import gaps as _gaps
from stdgraph.analysis import overlaps as _overlaps
from stdgraph.analysis.common import (
    DEFAULT_LIMIT,
    AnalysisDocument,
    Column,
    RawParams,
    to_csv,
    to_json,
    to_table,
)
from stdgraph.sparql.named import Param
from stdgraph.store.base import Store

__all__ = ["ANALYSES", "Analysis", "AnalysisDocument", "DEFAULT_LIMIT", "FORMATS", "get",
           "render", "run"]

FORMATS = ("json", "csv", "table")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv"}


@dataclass(frozen=True)
class Analysis:
    name: str
    title: str
    params: list[Param]
    function: Callable[..., AnalysisDocument]
    csv_columns: list[Column]
    table_columns: list[Column]

    def run(self, store: Store, raw: RawParams | None = None, *,
            ignore: tuple[str, ...] = ("format",)) -> AnalysisDocument:
        return self.function(store, raw or {}, ignore=ignore)

    def render(self, doc: AnalysisDocument, fmt: str) -> str:
        if fmt == "json":
            return to_json(doc)
        if fmt == "csv":
            return to_csv(doc, self.csv_columns)
        if fmt == "table":
            out = to_table(doc, self.table_columns)
            if "matrix" in doc.extra:
                out += "\n" + _gaps.matrix_table(doc.extra["matrix"])
            return out
        raise ValueError(f"unknown format {fmt!r}")

    def describe(self) -> dict:
        return {"name": self.name, "title": self.title,
                "parameters": [p.describe() for p in self.params]}


ANALYSES: dict[str, Analysis] = {
    "overlaps": Analysis("overlaps", "Pairs of standards sharing architecture elements",
                         _overlaps.PARAMS, _overlaps.overlaps, _overlaps.CSV_COLUMNS,
                         _overlaps.TABLE_COLUMNS),
    "clusters": Analysis("clusters", "Groups of standards connected by strong overlaps",
                         _overlaps.CLUSTER_PARAMS, _overlaps.clusters,
                         _overlaps.CLUSTER_CSV_COLUMNS, _overlaps.CLUSTER_TABLE_COLUMNS),
    "gaps": Analysis("gaps", "What no standard covers", _gaps.PARAMS, _gaps.gaps,
                     _gaps.CSV_COLUMNS, _gaps.TABLE_COLUMNS),
    "conflicts": Analysis("conflicts", "Where standards or frameworks contradict each other",
                          _conflicts.PARAMS, _conflicts.conflicts, _conflicts.CSV_COLUMNS,
                          _conflicts.TABLE_COLUMNS),
}


def get(name: str) -> Analysis:
    from stdgraph.errors import UsageError

    try:
        return ANALYSES[name]
    except KeyError:
        raise UsageError(f"no analysis '{name}' (known: {', '.join(ANALYSES)})") from None


def run(name: str, store: Store, raw: RawParams | None = None) -> AnalysisDocument:
    return get(name).run(store, raw)


def render(name: str, doc: AnalysisDocument, fmt: str) -> str:
    return get(name).render(doc, fmt)
