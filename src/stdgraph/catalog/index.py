"""Indexes the read models keep with the analyses' snapshot of the store (``analysis.snapshot``):
per store version in the server's query runner, brought up to date after a write from the
subjects it touched, so that a page counts and lists from them at the cost of its answer, not
of a scan of 100,000 subjects.

- :func:`subjects_by_object`: object -> the subjects of a property's triples with it (the
  ``/standards`` filters by status, publisher, element and barrier; what links to a body,
  committee, stakeholder type or technology);
- :func:`linked`: the IRIs of a class's instances that have a resource as the value of a
  property, as ``entity-linked.rq`` answers it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from stdgraph.analysis.snapshot import Dirty, Snapshot
from stdgraph.store.base import Store

__all__ = ["is_iri", "linked", "subjects_by_object"]


def is_iri(subject: str) -> bool:
    """Whether a subject of a snapshot's table (an IRI, or a blank node's identifier, which
    cannot hold a colon) is an IRI (``isIRI``): every absolute IRI has a scheme and a colon."""
    return ":" in subject


def subjects_by_object(store: Store, snap: Snapshot, predicate: str
                       ) -> dict[Any, frozenset[str]]:
    """object -> the subjects of ``predicate`` triples with it (any graph, asserted or
    inferred), from the snapshot's table of ``predicate``; kept with the snapshot and brought
    up to date after a write from the subjects it touched."""

    def compute() -> dict[Any, frozenset[str]]:
        index: dict[Any, set[str]] = defaultdict(set)
        for s, objects in snap.table(store, predicate).items():
            for o in objects:
                index[o].add(s)
        return {o: frozenset(subjects) for o, subjects in index.items()}

    def update(old: dict[Any, frozenset[str]], dirty: Dirty) -> dict[Any, frozenset[str]]:
        touched = dirty.subjects.get(predicate, set())
        if not touched:
            return old
        table = snap.table(store, predicate)
        new = dict(old)
        for o, subjects in old.items():
            if not subjects.isdisjoint(touched):
                new[o] = subjects - touched
        for s in touched:
            for o in table.get(s, ()):
                new[o] = new.get(o, frozenset()) | {s}
        return {o: subjects for o, subjects in new.items() if subjects}

    kept: dict[Any, frozenset[str]] = snap.memoised(("subjects-by-object", predicate), compute,
                                                    update)
    return kept


def linked(store: Store, snap: Snapshot, iri: str, prop: str, cls: str) -> list[str]:
    """The instances of ``cls`` (IRIs, sorted) whose ``prop`` is ``iri``, asserted or inferred,
    in any graph: what ``entity-linked.rq`` answers, from the snapshot."""
    typings = snap.typings(store, cls)
    return sorted(s for s in subjects_by_object(store, snap, prop).get(iri, ())
                  if s in typings and is_iri(s))
