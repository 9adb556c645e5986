"""``GRAPH`` patterns for rdflib's SPARQL engine, without rdflib 7's shared-context bug.

rdflib 7.6's ``evaluate.evalGraph`` sets the active graph of each solution's context back to the
outer graph before yielding it; that context is the one the pattern's own ``FILTER (NOT) EXISTS``
goes on to use for the next solutions, so from the second solution on the EXISTS is matched in
the default graph (tests/change/test_guard_native_oracle.py: the guarded update then wrote more
than Oxigraph's native update). Here each solution leaves with a context of its own. Installed
through rdflib's documented extension point, ``CUSTOM_EVALS``, by :func:`install` (the write
path, the memory store and the store views call it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import Dataset
from rdflib.plugins import sparql as rdflib_sparql
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.sparql import FrozenBindings, QueryContext

_KEY = "stdgraph-graph-pattern"


def _with_graph(solution: FrozenBindings, graph: Any, extra: dict[Any, Any] | None = None
                ) -> FrozenBindings:
    """``solution`` (plus ``extra`` bindings) with a context of its own whose active graph is
    ``graph``."""
    ctx = solution.ctx.clone()
    ctx.graph = graph
    return FrozenBindings(ctx, [*solution.items(), *(extra or {}).items()])


def _graph_solutions(ctx: QueryContext, part: Any) -> Iterator[FrozenBindings]:
    if ctx.dataset is None:
        raise ValueError("GRAPH needs a dataset, not a single graph")
    ctx = ctx.clone()
    outer = ctx.graph
    named = ctx[part.term]
    if named is None:  # GRAPH ?g: every named graph, ?g bound to its name
        dataset = ctx.dataset
        if isinstance(dataset, Dataset):
            graphs, default = dataset.graphs(), dataset.default_graph
        else:
            graphs, default = dataset.contexts(), dataset.default_context
        for graph in graphs:
            if graph == default:
                continue  # the default graph is not a named graph
            # joined with ?g after the pattern, as SPARQL 1.1 (18.5) defines GRAPH ?g
            name = graph.identifier
            for solution in evalPart(ctx.pushGraph(graph).push(), part.p):
                if solution.get(part.term, name) == name:
                    yield _with_graph(solution, outer, {part.term: name})
    else:
        inner = ctx.pushGraph(ctx.dataset.get_context(named))  # type: ignore[arg-type]
        for solution in evalPart(inner, part.p):
            yield _with_graph(solution, outer)


def _evaluate(ctx: QueryContext, part: Any) -> Iterator[FrozenBindings]:
    if part.name != "Graph":
        raise NotImplementedError  # rdflib evaluates every other part itself
    return _graph_solutions(ctx, part)


def install() -> None:
    """Register the ``GRAPH`` evaluation with rdflib (idempotent)."""
    rdflib_sparql.CUSTOM_EVALS[_KEY] = _evaluate
