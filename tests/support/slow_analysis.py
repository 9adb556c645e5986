"""A slow toy analysis for the query runner's tests, added like any analysis of one's own
(``Settings.analysis_modules``: ``support.slow_analysis``): it asks the store a cheap question
again and again for ``seconds`` seconds, so it keeps a worker (process or thread) busy and
reads the store all the while, like an analysis of many queries. With ``stuck=true`` it asks one
question that takes very long instead (a five-way cross product of every triple): one query the
store cannot stop, which only killing its worker process ends.

``toy-slow``: one item, the number of queries asked.
"""

from __future__ import annotations

import time

from stdgraph.analysis.common import (
    AnalysisDocument,
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


ANALYSES = (
    Analysis("toy-slow", "A slow analysis",
             description="Asks the store whether it holds a triple, again and again, for the "
                         "given number of seconds. One item: how many times it asked.",
             path="/analysis/toy/slow", function=slow, params=PARAMS,
             csv_columns=[("queries", lambda i: i["queries"])],
             table_columns=[("queries", lambda i: i["queries"])],
             docs="tests/support/slow_analysis.py"),
)
