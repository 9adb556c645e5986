"""``StateCache.prepared``: a value too slow for one request's time limit (the suggestions'
text model at scale) is derived in a thread of its own, once per store state; a request that
cannot wait for it gets ``Preparing`` (503, Retry-After) and a later one finds it. Real
threads over a real Oxigraph store; the slow derivation is held back by an event."""

from __future__ import annotations

import threading

import pytest

from stdgraph.deadline import Deadline
from stdgraph.errors import Preparing
from stdgraph.store import OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache

TRIPLE = ("http://example.org/s", "http://example.org/p")


@pytest.fixture
def store(tmp_path):
    from rdflib import Literal, URIRef

    st = OxigraphStore(tmp_path / "store")
    st.replace_all({"http://example.org/g": [(URIRef(TRIPLE[0]), URIRef(TRIPLE[1]),
                                              Literal("one"))]})
    yield st
    st.close()


def test_a_request_that_cannot_wait_gets_preparing_and_a_later_one_the_value(store):
    cache, release, builds = StateCache(), threading.Event(), []

    def build() -> str:
        builds.append(1)
        release.wait(30)
        return "model"

    with pytest.raises(Preparing) as e:
        cache.prepared(store, "m", build, wait=0.0, what="the text model")
    assert e.value.http_status == 503 and e.value.headers == {"Retry-After": "10"}
    assert e.value.message.startswith("the text model is being prepared")
    with pytest.raises(Preparing):  # still at it: no second derivation is started
        cache.prepared(store, "m", build, wait=0.05, what="the text model")
    release.set()
    assert cache.prepared(store, "m", build, wait=30, what="the text model") == "model"
    assert cache.prepared(store, "m", build, wait=0.0, what="the text model") == "model"
    assert len(builds) == 1


def test_a_new_store_state_derives_it_again(store):
    from rdflib import Literal, URIRef

    cache, n = StateCache(), [0]

    def build() -> int:
        n[0] += 1
        return n[0]

    assert cache.prepared(store, "m", build, wait=30, what="it") == 1
    assert cache.prepared(store, "m", build, wait=30, what="it") == 1
    store.replace_all({"http://example.org/g": [(URIRef(TRIPLE[0]), URIRef(TRIPLE[1]),
                                                 Literal("two"))]})
    assert cache.prepared(store, "m", build, wait=30, what="it") == 2


def test_a_failed_derivation_is_said_and_tried_again(store):
    cache, calls = StateCache(), []

    def build() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("broken corpus")
        return "fixed"

    with pytest.raises(ValueError, match="broken corpus"):
        cache.prepared(store, "m", build, wait=30, what="it")
    assert cache.prepared(store, "m", build, wait=30, what="it") == "fixed"
    assert len(calls) == 2


def test_a_deadline_store_waits_until_shortly_before_its_deadline(store):
    """Through ``DeadlineStore.prepared`` (what the query runner hands a job): with 0.5 s left,
    under the 1 s margin, the job does not wait at all; without a deadline it waits for the
    value; the build reads the store itself, not the bounded view."""
    cache, release, seen = StateCache(), threading.Event(), []

    def build(st) -> str:
        seen.append(st)
        release.wait(30)
        return "model"

    with pytest.raises(Preparing):
        DeadlineStore(store, Deadline(0.5), cache).prepared("m", build, "the text model")
    release.set()
    assert DeadlineStore(store, Deadline(None), cache).prepared("m", build, "it") == "model"
    assert seen == [store]
