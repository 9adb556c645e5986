"""test_kept.py's comparison with the oracle on the memory store (rdflib), in a module of its
own so that the test workers (one module each at a time: scripts/test) run it beside the
others: the oracle's queries take rdflib 1-3 s each, so it runs the cases from before the
element and barrier filters and one of those per analysis (``FEWER``); the writes on the memory
store are in tests/analysis/test_kept_writes_memory.py."""

from __future__ import annotations

from .test_kept import FEWER, documents, oracle_documents, sto_store


def test_documents_equal_the_oracle_on_the_memory_store(tmp_path):
    store = sto_store("memory", tmp_path, 40, 7)
    assert documents(store, FEWER) == oracle_documents(store, FEWER)
