"""A real store holding the six-standard fixture (tests/fixtures/suggest/six.ttl), written into a
graph kept as written (an import graph) through the change protocol, so that no shape of the
bundled project applies to the invented standards."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from stdgraph.change.guard import store_change
from stdgraph.store import OxigraphStore

SIX = Path(__file__).resolve().parents[1] / "fixtures" / "suggest" / "six.ttl"
SIX_GRAPH = "https://w3id.org/stdgraph/graph/import/test/six"
EX = "https://example.org/six/"
SG = "https://w3id.org/stdgraph/ontology#"


def write_six(store) -> None:
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(SIX_GRAPH))
             for t in ox.parse(SIX.read_bytes(), ox.RdfFormat.TURTLE)]
    with store_change(store) as change:
        change.replace_graph(SIX_GRAPH, quads)


@pytest.fixture
def six_store(tmp_path):
    with OxigraphStore(tmp_path / "store") as st:
        write_six(st)
        yield st


@pytest.fixture
def six_dir(tmp_path):
    """The folder of a closed store holding the fixture (for the CLI)."""
    folder = tmp_path / "six-store"
    with OxigraphStore(folder) as st:
        write_six(st)
    return folder
