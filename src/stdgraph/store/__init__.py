"""Store backends behind one interface; ``open_store`` picks one from a store spec."""

from __future__ import annotations

from pathlib import Path

from ..settings import default_store_dir
from .base import QueryResult, Store, iri_ref
from .memory import MemoryStore
from .oxigraph import OxigraphStore

__all__ = ["QueryResult", "Store", "MemoryStore", "OxigraphStore", "open_store", "iri_ref"]


def open_store(spec: str | None, *, read_only: bool = False) -> Store:
    """``None`` -> the default embedded store; ``memory:`` -> rdflib in memory;
    anything else -> an Oxigraph folder."""
    if spec in {"memory", "memory:"}:
        return MemoryStore()
    path = Path(spec).expanduser() if spec else default_store_dir()
    return OxigraphStore(path, read_only=read_only)
