"""Embedded Oxigraph on disk: the default store.

A build writes a complete new database into a fresh generation folder and then switches the
``CURRENT`` pointer with an atomic rename, so a failed or killed build never touches the graph
that was there before. Writes to the open generation (SPARQL update) are Oxigraph transactions.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from ..errors import QuerySyntaxError, StoreError
from ..rdfio import FORMATS, graph_to_quads, to_rdflib
from .base import QueryResult, Store, Triple

POINTER = "CURRENT"


class OxigraphStore(Store):
    kind = "oxigraph"

    def __init__(self, directory: str | Path, *, read_only: bool = False) -> None:
        self.root = Path(directory).expanduser().resolve()
        self.read_only = read_only
        self._db: ox.Store | None = None
        self._generation: str | None = None

    # -- generations -------------------------------------------------------------------------
    def _current_generation(self) -> str | None:
        pointer = self.root / POINTER
        if not pointer.is_file():
            return None
        name = pointer.read_text().strip()
        return name if name and (self.root / name).is_dir() else None

    def exists(self) -> bool:
        return self._current_generation() is not None

    @property
    def db(self) -> ox.Store:
        """The open database of the current generation (an empty one if none was built)."""
        gen = self._current_generation()
        if self._db is not None and gen == self._generation:
            return self._db
        self._close_db()
        try:
            if gen is None:
                if self.read_only:
                    raise StoreError(
                        f"no graph in {self.root} yet: run `stdgraph build` first"
                    )
                gen = self._new_generation_name()
                ox.Store(str(self.root / gen))  # create, then point at it
                self._switch_to(gen)
            path = str(self.root / gen)
            self._db = ox.Store.read_only(path) if self.read_only else ox.Store(path)
        except OSError as e:
            raise StoreError(f"cannot open the store in {self.root}: {e}") from None
        self._generation = gen
        return self._db

    def _new_generation_name(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        return f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"

    def _switch_to(self, gen: str) -> None:
        tmp = self.root / f".{POINTER}.{secrets.token_hex(4)}"
        with open(tmp, "w") as f:
            f.write(gen + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / POINTER)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _close_db(self) -> None:
        if self._db is not None:
            self._db = None  # pyoxigraph closes the database when the object is dropped
            self._generation = None

    def close(self) -> None:
        self._close_db()

    # -- writes ------------------------------------------------------------------------------
    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        previous = self._current_generation()
        gen = self._new_generation_name()
        path = self.root / gen
        try:
            fresh = ox.Store(str(path))
            for iri, triples in graphs.items():
                fresh.bulk_extend(graph_to_quads(triples, iri))
            fresh.flush()
            del fresh
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._close_db()
        self._switch_to(gen)
        self._remove_old_generations(keep={gen, previous})

    def _remove_old_generations(self, keep: set[str | None]) -> None:
        """Keep the new generation and the one before it (a server may still have it open)."""
        for child in self.root.glob("gen-*"):
            if child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)
        for stale in self.root.glob(f".{POINTER}.*"):
            stale.unlink(missing_ok=True)

    def update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        try:
            self.db.update(sparql)
        except SyntaxError as e:
            raise _syntax_error(e) from None

    # -- reads -------------------------------------------------------------------------------
    def query(self, sparql, *, default_graphs=None, named_graphs=None) -> QueryResult:
        kwargs: dict = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            res = self.db.query(sparql, **kwargs)
        except SyntaxError as e:
            raise _syntax_error(e) from None
        return _result(res)

    def graph_names(self) -> list[str]:
        db = self.db
        names = []
        for g in db.named_graphs():
            if next(iter(db.quads_for_pattern(None, None, None, g)), None) is not None:
                names.append(g.value)
        return sorted(names)

    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        g = ox.NamedNode(graph) if graph else None
        seen = set() if graph is None else None
        for q in self.db.quads_for_pattern(None, None, None, g):
            if seen is not None:
                key = (q.subject, q.predicate, q.object)
                if key in seen:
                    continue
                seen.add(key)
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def count(self, graph: str | None = None) -> int:
        g = ox.NamedNode(graph) if graph else None
        return sum(1 for _ in self.db.quads_for_pattern(None, None, None, g))

    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        rdf_format = FORMATS[fmt]
        if fmt in {"nquads", "trig"} and graphs is None:
            return self.db.dump(format=rdf_format)
        selected = graphs if graphs is not None else self.graph_names()
        if len(selected) == 1:
            return self.db.dump(format=rdf_format, from_graph=ox.NamedNode(selected[0]))
        union = ox.Store()
        for name in selected:
            union.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in self.db.quads_for_pattern(None, None, None, ox.NamedNode(name))
            )
        return union.dump(format=rdf_format, from_graph=ox.DefaultGraph())


_POSITION = re.compile(r"error at (\d+):(\d+): ?")


def _syntax_error(e: SyntaxError) -> QuerySyntaxError:
    """Oxigraph's query parser reports ``error at LINE:COLUMN: reason`` in the message."""
    msg = str(e.msg or e)
    m = _POSITION.search(msg)
    if m and e.lineno is None:
        return QuerySyntaxError(_POSITION.sub("", msg, count=1), int(m[1]), int(m[2]))
    return QuerySyntaxError(msg, e.lineno, e.offset)


def _result(res) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = [
            tuple(None if sol[v] is None else to_rdflib(sol[v]) for v in variables)
            for sol in res
        ]
        return QueryResult(kind="select", variables=variables, rows=rows)
    triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in res]
    return QueryResult(kind="graph", triples=triples)
