"""A standard's page as a query worker reads it, without HTTP and HTML: ``catalog.standard``
on a ``DeadlineStore`` with the runner's ``StateCache``, after the warm-up each worker runs
before it takes requests (``warm_analyses``, and ``warm_standard_findings`` when the code has
it); the first call and the median and worst of the next ones, with the number of overlaps
and conflicts and a digest of the page's values (to check two versions agree). Another
checkout's code: ``PYTHONPATH=OLD/src python benchmarks/standard_page.py STORE``.

    python benchmarks/standard_page.py /tmp/pages-bench/sto-100000 [--standard IRI] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics

from stdgraph.analysis import warm_analyses
from stdgraph.catalog import findings
from stdgraph.catalog.standard import standard
from worker_view import WorkerView, timed

ID = "https://w3id.org/stdgraph/id/"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--standard", action="append",
                    help="a standard's IRI (repeatable; default: the synthetic one "
                         "docs/performance.md measured and the bundled IEC 62541)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    view = WorkerView(args.store)
    bounded = view.bounded
    view.warm("warm_analyses", warm_analyses)
    view.warm("warm_standard_findings", getattr(findings, "warm_standard_findings", None))
    for iri in args.standard or [ID + "i40kg/standard/Bench_005011",
                                 ID + "standard/iec-62541"]:
        times, page = timed(lambda iri=iri: standard(bounded(), iri), args.repeat)
        assert page is not None
        digest = hashlib.sha256(json.dumps(
            {k: page[k] for k in ("overlaps", "conflicts")}, sort_keys=True, default=str
        ).encode()).hexdigest()[:16]
        print(f"{iri}: overlaps {page['overlaps']['total']}, conflicts "
              f"{page['conflicts']['total']}; first {times[0] * 1000:.0f} ms, then median "
              f"{statistics.median(times[1:]) * 1000:.0f} ms, worst "
              f"{max(times[1:]) * 1000:.0f} ms; digest {digest}", flush=True)
    view.close()


if __name__ == "__main__":
    main()
