"""``/search`` as a query worker computes it, without HTTP and HTML: ``catalog.search.search``
on a ``DeadlineStore`` with the runner's ``StateCache`` (after ``warm_search``, as each worker
runs it before it takes requests, when the code has it), for a few texts; the first call, the
median and the worst of the next three, the total found and the first items (to check two
versions agree). Another checkout's code: ``PYTHONPATH=OLD/src python benchmarks/search.py
STORE``.

    python benchmarks/search.py /tmp/pages-bench/sto-100000 [TEXT ...]
"""

from __future__ import annotations

import argparse
import statistics

from stdgraph.catalog import search as catalog_search
from stdgraph.catalog.common import Window
from worker_view import WorkerView, timed

BASE = "https://w3id.org/stdgraph/id/"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("texts", nargs="*", default=["opc", "s", "bench 05", "zzzz"])
    args = ap.parse_args()
    view = WorkerView(args.store)
    bounded = view.bounded
    view.warm("warm-up", getattr(catalog_search, "warm_search", None))
    for text in args.texts:
        times, doc = timed(lambda text=text: catalog_search.search(bounded(), BASE, text,
                                                                    Window()), 3)
        print(f"{text!r:12} total {doc['total']:>7}  first {times[0] * 1000:6.0f} ms  then "
              f"median {statistics.median(times[1:]) * 1000:6.0f} / worst "
              f"{max(times[1:]) * 1000:6.0f} ms  {doc['order']}  "
              f"first {[i['iri'] for i in doc['items'][:2]]}", flush=True)
    view.close()


if __name__ == "__main__":
    main()
