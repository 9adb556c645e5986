"""``/standards`` as a query worker computes it, without HTTP and HTML: ``standards_page`` on a
``DeadlineStore`` with the runner's ``StateCache`` (after ``warm_standards_filters``, as each
worker runs it before it takes requests, when the code has it), for the unfiltered table, three
broad filters and a heatmap cell; the first call and the median of the next three, with the
number of rows and the first rows (to check two versions agree). Another checkout's code:
``PYTHONPATH=OLD/src python benchmarks/standards_table.py STORE``.

    python benchmarks/standards_table.py /tmp/pages-bench/sto-100000 [--body BODY_IRI]
"""

from __future__ import annotations

import argparse
import statistics
import time

from stdgraph.catalog import standards_table
from stdgraph.catalog.common import Window
from stdgraph.catalog.standards_table import standards_page
from worker_view import WorkerView

SG = "https://w3id.org/stdgraph/ontology#"
ID = "https://w3id.org/stdgraph/id/"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--body", default=ID + "i40kg/body/BenchOrg_1",
                    help="the publisher filter (default: the busiest of the STO variant)")
    args = ap.parse_args()
    view = WorkerView(args.store)
    bounded = view.bounded
    view.warm("warm-up", getattr(standards_table, "warm_standards_filters", None))
    views: dict[str, dict[str, list[str]]] = {
        "no filter": {}, "status Published": {"status": [SG + "Published"]},
        "publisher": {"body": [args.body]}, "evidence Stated": {"evidence": ["Stated"]},
        "heatmap cell": {"element": [ID + "architecture/rami40/layer-communication",
                                     ID + "architecture/rami40/level-field-device"]}}
    for name, filters in views.items():
        times = []
        for _ in range(4):
            t = time.perf_counter()
            doc = standards_page(bounded(), filters, "identifier", Window())
            times.append(time.perf_counter() - t)
        print(f"{name:18} rows {doc['total']:>7}  first {times[0] * 1000:7.0f} ms  then "
              f"median {statistics.median(times[1:]) * 1000:7.0f} ms  "
              f"first rows {[i['iri'] for i in doc['items'][:2]]}", flush=True)
    view.close()


if __name__ == "__main__":
    main()
