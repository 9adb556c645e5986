"""test_kept.py's random writes on the memory store (rdflib), in a module of its own so that
the test workers (one module each at a time: scripts/test) run it beside the others; the cases
from before the element and barrier filters (their answers on this store are compared with the
oracle's in test_kept_memory.py)."""

from __future__ import annotations

from .test_kept import check_writes


def test_a_write_is_in_the_next_answer_on_the_memory_store(tmp_path):
    check_writes("memory", tmp_path)
