"""Store backends behind one interface; ``open_store`` picks one from a store spec."""

from __future__ import annotations

from pathlib import Path

from stdgraph.rdf.results import QueryResult
from stdgraph.settings import default_store_dir
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store
from stdgraph.store.memory import MemoryStore
from stdgraph.store.oxigraph import OxigraphStore
from stdgraph.store.remote import RemoteStore

__all__ = ["QueryResult", "Store", "MemoryStore", "OxigraphStore", "RemoteStore", "open_store",
           "iri_ref"]


def open_store(spec: str | None, *, read_only: bool = False) -> Store:
    """``None`` -> the default embedded store; ``memory:`` -> rdflib in memory;
    ``sparql+http(s)://…`` -> a SPARQL 1.1 server (``store/remote.py``, credentials from
    ``STDGRAPH_REMOTE_*``); anything else -> an Oxigraph folder."""
    if spec in {"memory", "memory:"}:
        return MemoryStore()
    if spec and spec.startswith(("sparql+http://", "sparql+https://")):
        return RemoteStore.from_spec(spec, read_only=read_only)
    path = Path(spec).expanduser() if spec else default_store_dir()
    return OxigraphStore(path, read_only=read_only)
