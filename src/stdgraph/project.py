"""Finds a project (the bundled graph or a folder given by --project), lists its files and
reads its shapes and ontology.

A project is a folder with ``ontology/``, ``shapes/``, ``data/`` and ``queries/``. The wheel
carries the bundled one as package data under ``stdgraph/_bundled``; in a source checkout the
repository root is the bundled project.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from stdgraph.errors import UsageError
from stdgraph.rdf.io import parse_graph
from stdgraph.rdf.namespaces import GRAPH_BASE

#: File suffixes read as RDF, with the pyoxigraph format name.
RDF_SUFFIXES = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig",
                ".rdf": "rdfxml", ".owl": "rdfxml", ".jsonld": "jsonld"}


def parse_file(path: Path, label: str) -> Graph:
    """An RDF file (format from its suffix, ``RDF_SUFFIXES``) as an rdflib graph, blank nodes
    renamed apart per file; a syntax error names ``label``, line and column."""
    return parse_graph(path=path, fmt=RDF_SUFFIXES[path.suffix], label=label)


def bundled_root() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled"
    if (packaged / "ontology").is_dir():
        return packaged
    checkout = here.parents[1]  # src/stdgraph -> repository root
    if (checkout / "ontology").is_dir() and (checkout / "data").is_dir():
        return checkout
    raise UsageError("no bundled graph found: reinstall stdgraph or pass --project DIR")


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def locate(cls, path: str | Path | None = None) -> Project:
        root = Path(path).expanduser().resolve() if path else bundled_root()
        if not root.is_dir():
            raise UsageError(f"project folder {root} does not exist")
        missing = [d for d in ("ontology", "shapes", "data") if not (root / d).is_dir()]
        if missing:
            folders = ", ".join(d + "/" for d in missing)
            raise UsageError(f"{root} is not a stdgraph project: missing {folders}")
        return cls(root)

    def _rdf_files(self, sub: str, exclude: tuple[str, ...] = ()) -> list[Path]:
        base = self.root / sub
        files = [
            p for p in base.rglob("*")
            if p.is_file() and p.suffix in RDF_SUFFIXES
            and not any(part in exclude for part in p.relative_to(base).parts)
        ]
        return sorted(files)

    @property
    def ontology_files(self) -> list[Path]:
        return self._rdf_files("ontology")

    @property
    def data_files(self) -> list[Path]:
        return self._rdf_files("data")

    @property
    def shape_files(self) -> list[Path]:
        # shapes/tests/ holds the shapes' own test fixtures, not shapes.
        return self._rdf_files("shapes", exclude=("tests",))

    @property
    def query_files(self) -> list[Path]:
        base = self.root / "queries"
        return sorted(base.glob("*.rq")) if base.is_dir() else []

    def graph_iri(self, path: Path) -> str:
        """The named graph a source file is loaded into: GRAPH_BASE + path without suffix."""
        rel = path.resolve().relative_to(self.root).with_suffix("")
        return GRAPH_BASE + rel.as_posix()

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def parse(self, path: Path) -> Graph:
        """One of the project's files as an rdflib graph (errors name its relative path)."""
        return parse_file(path, self.relative(path))

    def shapes(self) -> Graph:
        """The SHACL shapes: every file of ``shapes/`` (but ``shapes/tests/``) in one graph,
        read from the files at each call."""
        return self._union(self.shape_files)

    def ontology(self) -> Graph:
        """The ontology: every file of ``ontology/`` in one graph, read at each call."""
        return self._union(self.ontology_files)

    def _union(self, files: Iterable[Path]) -> Graph:
        out = Graph()
        for path in files:
            for t in self.parse(path):
                out.add(t)
        return out
