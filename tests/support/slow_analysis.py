"""A slow toy analysis for the query runner's tests, added like any analysis of one's own
(``Settings.analysis_modules``: ``support.slow_analysis``): it asks the store a cheap question
again and again for ``seconds`` seconds, so it keeps a worker (process or thread) busy and
reads the store all the while, like an analysis of many queries. With ``stuck=true`` it asks one
question that takes very long instead (a five-way cross product of every triple): one query the
store cannot stop, which only killing its worker process ends.

``toy-slow``: one item, the number of queries asked.

``toy-slow-stream``: a streamed answer (``Analysis.streamer``) that waits ``seconds`` before
its first item (with ``beat=true`` saying it is getting on, ``DeadlineStore.beat``, every tenth
of a second), then gives ``items`` items, waiting ``between`` seconds before each further one.
"""

from __future__ import annotations

import time

from stdgraph.analysis.common import (
    AnalysisDocument,
    AnalysisStream,
    Parameter,
    RawParams,
    json_params,
    parse_params,
)
from stdgraph.analysis.registry import Analysis
from stdgraph.store.base import Store

PARAMS = [Parameter("seconds", "decimal", default="1", minimum=0, label="Seconds",
                    description="How long to keep asking the store."),
          Parameter("stuck", "boolean", default="false", label="Stuck",
                    description="Ask one question that takes very long instead.")]
STUCK = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
         "?m ?n1 ?o }")


def slow(store: Store, raw: RawParams | None = None, *, ignore=("format",)) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    end = time.monotonic() + float(params["seconds"])
    asked = 0
    if params["stuck"]:
        store.query(STUCK)
        asked += 1
    while time.monotonic() < end:
        store.query("ASK { ?s ?p ?o }")
        asked += 1
    return AnalysisDocument("toy-slow", json_params(params), [{"queries": asked}])


STREAM_PARAMS = [
    Parameter("seconds", "decimal", default="0", minimum=0, label="Seconds",
              description="How long to wait before the first item."),
    Parameter("beat", "boolean", default="false", label="Beat",
              description="Say it is getting on while it waits."),
    Parameter("items", "integer", default="3", minimum=0, label="Items",
              description="How many items."),
    Parameter("between", "decimal", default="0", minimum=0, label="Between",
              description="How long to wait before each item after the first."),
]


def slow_stream(store: Store, raw: RawParams | None = None, *, ignore=("format",)
                ) -> AnalysisStream:
    params = parse_params(STREAM_PARAMS, raw or {}, ignore=ignore)
    end = time.monotonic() + float(params["seconds"])
    while time.monotonic() < end:
        time.sleep(0.1)
        if params["beat"]:
            store.beat()  # type: ignore[attr-defined]  # a DeadlineStore in the runner

    def items():
        for k in range(params["items"]):
            if k:
                time.sleep(float(params["between"]))
            yield {"item": k}

    return AnalysisStream("toy-slow-stream", json_params(params), items(), params["items"])


def slow_document(store: Store, raw: RawParams | None = None, *, ignore=("format",)
                  ) -> AnalysisDocument:
    return slow_stream(store, raw, ignore=ignore).document()


ANALYSES = (
    Analysis("toy-slow", "A slow analysis",
             description="Asks the store whether it holds a triple, again and again, for the "
                         "given number of seconds. One item: how many times it asked.",
             path="/analysis/toy/slow", function=slow, params=PARAMS,
             csv_columns=[("queries", lambda i: i["queries"])],
             table_columns=[("queries", lambda i: i["queries"])],
             docs="tests/support/slow_analysis.py"),
    Analysis("toy-slow-stream", "A slow streamed analysis",
             description="Waits, then gives a few items one at a time.",
             path="/analysis/toy/slow-stream", function=slow_document, params=STREAM_PARAMS,
             csv_columns=[("item", lambda i: i["item"])],
             table_columns=[("item", lambda i: i["item"])],
             docs="tests/support/slow_analysis.py", streamer=slow_stream),
)
