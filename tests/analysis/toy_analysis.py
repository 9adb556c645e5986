"""A toy analysis for the test suite, written the way docs/analyses.md ("Adding an analysis")
says: one module declaring ``ANALYSES``. It is not in ``stdgraph.analysis.MODULES``; the tests
add it through ``Settings.analysis_modules`` / ``STDGRAPH_ANALYSIS_MODULES`` (its dotted name,
``toy_analysis.__name__``) and then ask the CLI and the HTTP API for it.

``toy-publishers``: how many standards each publisher publishes.
"""

from __future__ import annotations

from stdgraph.analysis.common import (
    PROLOGUE,
    AnalysisDocument,
    Labels,
    Parameter,
    RawParams,
    cap,
    json_params,
    limit_param,
    parse_params,
    ref,
)
from stdgraph.analysis.registry import Analysis
from stdgraph.store.base import Store

PARAMS = [
    Parameter("min_standards", "integer", default="1", minimum=1, label="Least standards",
              description="Least number of standards a publisher must publish to be listed."),
    limit_param(),
]

Q = PROLOGUE + """SELECT ?b (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a sg:Standard ; sg:publisher ?b } GROUP BY ?b"""


def publishers(store: Store, raw: RawParams | None = None, *, ignore=("format",)
               ) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    found = sorted(((str(b), int(n.toPython())) for b, n in store.query(Q).rows),
                   key=lambda bn: (-bn[1], bn[0]))
    found = [(b, n) for b, n in found if n >= params["min_standards"]]
    chosen, truncated = cap(found, params["limit"])
    lab = Labels(store)
    lab.fetch(b for b, _ in chosen)
    items = [{"publisher": b, "label": lab(b), "standards": n} for b, n in chosen]
    return AnalysisDocument("toy-publishers", json_params(params), items, truncated)


ANALYSES = (
    Analysis(
        "toy-publishers", "Standards per publisher",
        description="Each item is a publisher with the number of standards it publishes "
                    "(sg:publisher); most first. There is no score.",
        path="/analysis/toy/publishers", function=publishers, params=PARAMS,
        csv_columns=[("publisher", lambda i: i["publisher"]), ("label", lambda i: i["label"]),
                     ("standards", lambda i: i["standards"])],
        table_columns=[("standards", lambda i: i["standards"]),
                       ("publisher", lambda i: i["label"])],
        report_columns=[("publisher", lambda i: ref(i["publisher"], i["label"])),
                        ("standards", lambda i: str(i["standards"]))],
        docs="tests/analysis/toy_analysis.py"),
)
