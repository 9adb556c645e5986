"""Overlaps, gaps and conflicts over the graph (definitions in docs/analyses.md).

Each analysis is declared once, in its own module, as an
:class:`~stdgraph.analysis.registry.Analysis` in the module's ``ANALYSES``: name, title, a
plain-words description, parameters, result columns, HTTP path and function. ``MODULES`` below
lists those modules, one line each; the CLI (``stdgraph analyse NAME``), the HTTP API
(``GET /analysis/...``) and the OpenAPI document are generated from the registry built from it.
Adding an analysis = one module + one line here + its section in docs/analyses.md.

An analysis takes a store and raw text parameters (as they come from a URL query string or CLI
options), checks them against its parameter specs, and returns an
:class:`~stdgraph.analysis.common.AnalysisDocument`; ``Analysis.render`` turns a document into
JSON (the same text for the CLI and HTTP), CSV or a terminal table.
"""

from __future__ import annotations

from collections.abc import Iterator

from stdgraph.analysis.common import (
    DEFAULT_LIMIT,
    SG,
    AnalysisDocument,
    AnalysisStream,
    Parameter,
    RawParams,
)
from stdgraph.analysis.evidence import Evidence, LinkReader
from stdgraph.analysis.registry import FORMATS, Analysis, AnalysisRegistry, UnknownAnalysis
from stdgraph.analysis.snapshot import FAST_KINDS, snapshot
from stdgraph.store.base import Store
from stdgraph.store.bounded import DeadlineStore

__all__ = ["ANALYSES", "MODULES", "REGISTRY", "Analysis", "AnalysisDocument", "AnalysisRegistry",
           "AnalysisStream", "DEFAULT_LIMIT", "FORMATS", "Parameter", "UnknownAnalysis", "get",
           "registry_for", "registry_of", "render", "render_stream_with", "render_with", "run",
           "run_with", "stream", "warm_analyses"]

#: The analysis modules, one line each; each declares ``ANALYSES``.
MODULES = (
    "stdgraph.analysis.overlaps",   # overlaps, clusters
    "stdgraph.analysis.gaps",
    "stdgraph.analysis.conflicts",
)

#: The built-in analyses (immutable). Settings may add more: use :func:`registry_for`.
REGISTRY = AnalysisRegistry.from_modules(MODULES)
#: The built-in analyses by name (the same object as ``REGISTRY``).
ANALYSES = REGISTRY


def registry_for(settings) -> AnalysisRegistry:
    """The built-in analyses plus those of ``settings.analysis_modules``
    (``STDGRAPH_ANALYSIS_MODULES``), for one app or one CLI run."""
    return registry_of(tuple(getattr(settings, "analysis_modules", ()) or ()))


def registry_of(modules: tuple[str, ...]) -> AnalysisRegistry:
    """The built-in analyses plus those the named modules declare."""
    return REGISTRY.extended(modules) if modules else REGISTRY


def run_with(store: Store, modules: tuple[str, ...], name: str,
             raw: RawParams | None = None) -> AnalysisDocument:
    """Analysis ``name`` of ``registry_of(modules)`` on ``store``: the form the server's query
    runner calls (plain arguments that pickle, in a worker process or a thread)."""
    return registry_of(modules).get(name).run(store, raw)


def render_with(store: Store, modules: tuple[str, ...], name: str, raw: RawParams | None,
                fmt: str) -> str:
    """``run_with``'s document rendered in ``fmt`` (json, csv, ndjson or table). In the
    server's query runner a built-in analysis' answer is kept with the store's snapshot: the
    same text for every request with the same parameters on one store version."""
    spec = registry_of(modules).get(name)
    if (REGISTRY.find(name) is not spec or not isinstance(store, DeadlineStore)
            or store.cache is None or store.kind not in FAST_KINDS):
        return spec.render(spec.run(store, raw), fmt)
    key = ("answer", name, fmt, tuple(sorted(
        (k, tuple(v) if isinstance(v, list) else v) for k, v in (raw or {}).items())))
    return snapshot(store).answer(key, lambda: spec.render(spec.run(store, raw), fmt))


def render_stream_with(store: Store, modules: tuple[str, ...], name: str,
                       raw: RawParams | None, fmt: str) -> Iterator[str]:
    """``render_with`` piece by piece: the same text, written as the items are made (what the
    server streams for ``limit=0``, through its query runner)."""
    spec = registry_of(modules).get(name)
    return spec.render_stream(spec.stream(store, raw), fmt)


def warm_analyses(store: Store) -> None:
    """Every built-in analysis once with its default parameters: what they keep for the
    store's version (the snapshot and what each derives from it) is then there for the
    requests. The server's query workers run this before they take requests."""
    for spec in REGISTRY.values():
        spec.run(store, {})
    if store.kind in FAST_KINDS:
        # what the reports' filters read (body: the publishers; status: the standards of
        # each status), so that a worker's first filtered report does not read them
        reader = LinkReader(store, Evidence(), snapshot=snapshot(store))
        reader.links(SG + "publisher")
        reader.users(SG + "status")


def stream(name: str, store: Store, raw: RawParams | None = None) -> AnalysisStream:
    """The answer of analysis ``name`` with its items made as they are consumed."""
    return REGISTRY.get(name).stream(store, raw)


def get(name: str) -> Analysis:
    return REGISTRY.get(name)


def run(name: str, store: Store, raw: RawParams | None = None) -> AnalysisDocument:
    return REGISTRY.get(name).run(store, raw)


def render(name: str, doc: AnalysisDocument, fmt: str) -> str:
    return REGISTRY.get(name).render(doc, fmt)
