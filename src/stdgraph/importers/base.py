"""What every importer shares: import graphs, their names, writing them, listing and removing them.

An import lives in one named graph of its own, ``graph/import/<vocabulary>/<name>``
(:func:`graph_iri`), and describes itself with a PROV record inside that graph::

    <graph> prov:wasGeneratedBy <activity> ; prov:wasDerivedFrom <source> .
    <activity> prov:endedAtTime "..."^^xsd:dateTime .

:func:`write_import` makes every import idempotent and safe in the same way (same content:
``unchanged``, the recorded time kept; different content: :class:`~stdgraph.errors.ImportConflict`
unless ``replace``), and :func:`list_imports` / :func:`remove_import` work on any vocabulary
from the graph names and that record alone.

Every import is written through the change protocol (``stdgraph.change.guard``, docs/
architecture.md): it reads the graph already there and writes the new one on the change's
private copy, which is committed whole or not at all. An importer is handed the ``Change`` by its
caller (``POST /import/VOCAB``: the server's ``WriteGuard.change()``; ``stdgraph import``:
``store_change``), or a ``Store``, for which :func:`write_import` opens the change itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from stdgraph.change.guard import Change, WriteGuard, store_change
from stdgraph.errors import ImportConflict, UsageError
from stdgraph.project import Project
from stdgraph.rdf.io import graph_to_quads
from stdgraph.rdf.namespaces import IMPORT_GRAPH_PREFIX, sparql_prologue
from stdgraph.rdf.results import Triple
from stdgraph.sparql.named import Param, ParameterError
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store

__all__ = ["IMPORT_GRAPH_PREFIX", "UPLOAD_DIR", "ImportResult", "check_name", "default_name",
           "graph_iri", "list_imports", "parse_options", "remove_import", "source_uri",
           "without_time", "write_import"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_VOCABULARY = re.compile(r"^[a-z][a-z0-9-]{0,31}$")

#: The ``path`` an HTTP upload is imported under: its provenance names no local file.
UPLOAD_DIR = Path("/dev/null/upload")


def check_name(name: str) -> str:
    """An import name: letters, digits, '.', '_' or '-', at most 64, no leading punctuation."""
    if not _NAME.match(name):
        raise UsageError(f"import name {name!r}: use letters, digits, '.', '_' or '-' "
                         "(at most 64, starting with a letter or digit)")
    return name


def check_vocabulary(vocabulary: str) -> str:
    if not _VOCABULARY.match(vocabulary):
        raise ValueError(f"importer vocabulary {vocabulary!r}: lower-case letters, digits, '-'")
    return vocabulary


def graph_iri(vocabulary: str, name: str) -> str:
    """The named graph of the ``vocabulary`` import called ``name``."""
    return f"{IMPORT_GRAPH_PREFIX}{check_vocabulary(vocabulary)}/{check_name(name)}"


def default_name(path: Path, fallback: str) -> str:
    """The import name for a file: its stem, lower case, other characters as '-'."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._").lower()
    return stem[:64] or fallback


def source_uri(path: Path) -> URIRef:
    """The IRI the provenance record gives the source: the file's URI, or for an HTTP upload
    (a path under UPLOAD_DIR) ``urn:stdgraph:upload:<name>``."""
    if path.parent == UPLOAD_DIR:
        return URIRef(f"urn:stdgraph:upload:{path.name}")
    return URIRef(path.resolve().as_uri())


def parse_options(specs: Sequence[Param], raw: Mapping[str, str | list[str] | None] | None
                  ) -> dict:
    """An importer's options from raw text values (CLI flags, URL parameters): name -> Python
    value, defaults filled in; an unknown or bad one is a ParameterError naming it."""
    raw = raw or {}
    known = {p.name for p in specs}
    for name in sorted(raw):
        if name not in known:
            raise ParameterError(name, "unknown option (known: "
                                 + (", ".join(sorted(known)) or "none") + ")")
    return {p.name: p.python(raw.get(p.name)) for p in specs}


@dataclass
class ImportResult:
    """What an import did: its graph, ``created``/``replaced``/``unchanged``, the triples the
    graph holds, and the importer's summary (JSON-able)."""

    graph: str
    status: str  # "created", "replaced" or "unchanged"
    triples: int
    summary: dict

    def as_json(self) -> str:
        return json.dumps(self.summary, indent=2, ensure_ascii=False, default=list) + "\n"

    def text(self) -> str:
        return f"{self.status} {self.graph}: {self.triples} triples"


def without_time(triples: Iterable[Triple]) -> set[Triple]:
    """The triples but the time of import (``prov:endedAtTime``), to compare two imports."""
    return {t for t in triples if t[1] != PROV.endedAtTime}


def write_import(target: Store | Change, graph: str, triples: Iterable[Triple], *,
                 vocabulary: str, name: str, replace: bool = False,
                 project=None) -> tuple[str, int]:
    """Put an import graph into the store through a change: ``(status, triples in the graph)``.

    Content equal to the graph already there but for the time of import changes nothing
    (``unchanged``: the first time stays recorded); different content needs ``replace``, else
    :class:`ImportConflict` (and the change is rolled back). ``target`` is the change to write
    through, or a store, for which one is opened here (``store_change`` with ``project``'s
    shapes and ontology; an import graph alone is neither closed nor validated)."""
    if isinstance(target, Store):
        if project is None:
            try:
                project = Project.locate()
            except UsageError:  # no bundled graph: an import graph needs no shapes anyway
                project = None
        guard = (WriteGuard.for_project(target, project) if project is not None
                 else WriteGuard(target, Graph(), Graph()))
        with guard.change() as change:
            return write_import(change, graph, triples, vocabulary=vocabulary, name=name,
                                replace=replace)
    triples = list(triples)
    existing = target.triples(graph)
    if existing and without_time(existing) == without_time(triples):
        return "unchanged", len(existing)
    if existing and not replace:
        raise ImportConflict(graph, vocabulary, name)
    target.replace_graph(graph, graph_to_quads(triples, graph))
    return ("replaced" if existing else "created"), len(triples)


def _split(graph: str) -> tuple[str, str] | None:
    """``(vocabulary, name)`` of an import graph's IRI, None for any other graph."""
    if not graph.startswith(IMPORT_GRAPH_PREFIX):
        return None
    vocabulary, sep, name = graph[len(IMPORT_GRAPH_PREFIX):].partition("/")
    if not sep or not _VOCABULARY.match(vocabulary) or not _NAME.match(name):
        return None
    return vocabulary, name


def list_imports(store: Store, vocabulary: str | None = None) -> list[dict]:
    """The import graphs in a store (of one vocabulary, or all), by vocabulary and name:
    ``{"vocabulary", "name", "graph", "triples", "time", "file"}`` (time and source from the
    graph's PROV record; None where it has none)."""
    out = []
    for g in store.graph_names():
        parts = _split(g)
        if parts is None or (vocabulary is not None and parts[0] != vocabulary):
            continue
        rows = store.query(sparql_prologue() + f"""
            SELECT ?time ?file WHERE {{ GRAPH {iri_ref(g)} {{
              {iri_ref(g)} prov:wasGeneratedBy ?a .
              OPTIONAL {{ {iri_ref(g)} prov:wasDerivedFrom ?file }}
              OPTIONAL {{ ?a prov:endedAtTime ?time }} }} }} ORDER BY ?time ?file""").rows
        time_, file_ = (rows[0] if rows else (None, None))
        out.append({"vocabulary": parts[0], "name": parts[1], "graph": g,
                    "triples": store.count(g), "time": str(time_) if time_ else None,
                    "file": str(file_) if file_ else None})
    return sorted(out, key=lambda i: (i["vocabulary"], i["name"]))


def remove_import(store: Store, name: str, vocabulary: str | None = None) -> int:
    """Remove one import graph; returns how many triples it held. ``name`` is the import's
    name, or ``vocabulary/name`` when two vocabularies use the same name."""
    if vocabulary is None and "/" in name:
        vocabulary, name = name.split("/", 1)
    found = [i for i in list_imports(store, vocabulary) if i["name"] == name]
    if not found:
        what = f"{vocabulary} import" if vocabulary else "import"
        known = ", ".join(f"{i['vocabulary']}/{i['name']}" for i in list_imports(store))
        raise UsageError(f"there is no {what} named {name!r}"
                         + (f" (imports: {known})" if known else " (the store has no imports)"))
    if len(found) > 1:
        raise UsageError(f"several imports are named {name!r}: say which, as "
                         + " or ".join(f"{i['vocabulary']}/{name}" for i in found))
    graph = found[0]["graph"]
    with store_change(store) as change:
        n = len(change.triples(graph))
        change.drop(ox.NamedNode(graph))
    return n
