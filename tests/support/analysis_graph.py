"""The analysis fixture graph (tests/fixtures/analysis) built with the repository's real
ontology into a real store, and the IRIs the analysis and named-query tests talk about."""

from __future__ import annotations

import shutil
from pathlib import Path

from stdgraph.change.build import build
from stdgraph.project import Project
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"

ID = "https://w3id.org/stdgraph/id/"
SG = "https://w3id.org/stdgraph/ontology#"
STANDARDS_GRAPH = GRAPH_BASE + "data/standards"
ARCH_GRAPH = GRAPH_BASE + "data/architectures"
ROADMAP_GRAPH = GRAPH_BASE + "data/roadmap"
INFERRED = INFERRED_GRAPH


def std(slug: str) -> str:
    return f"{ID}standard/fx-{slug}"


def fa(slug: str) -> str:
    return f"{ID}architecture/fa/{slug}"


def fb(slug: str) -> str:
    return f"{ID}architecture/fb/{slug}"


def project_dir(tmp: Path, data: Path = FIXTURE / "data") -> Path:
    """A project folder: the real ontology, no shapes, the given data folder."""
    root = tmp / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "shapes").mkdir()
    shutil.copytree(data, root / "data")
    return root


def build_into(store, root: Path):
    build(Project.locate(root), store)
    return store
