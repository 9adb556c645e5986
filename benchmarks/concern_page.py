"""A barrier's (or theme's) page as a query worker reads it, without HTTP and HTML:
``catalog.concern.concern`` on a ``DeadlineStore`` with the runner's ``StateCache``, after the
warm-ups each worker runs before it takes requests (``warm_standards_filters``, and
``warm_concern_indexes`` when the code has it); the first call and the median and worst of the
next ones, with the total of its standards, the first page's IRIs and the gap verdict (to check
two versions agree). Another checkout's code: ``PYTHONPATH=OLD/src python
benchmarks/concern_page.py STORE``.

    python benchmarks/concern_page.py /tmp/reportfilters/native-10000 \\
        [--concern IRI] [--kind barrier] [--page 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json

from stdgraph.catalog import concern as concerns
from stdgraph.catalog.common import Window
from stdgraph.catalog.resource import describe
from stdgraph.catalog.standards_table import warm_standards_filters
from worker_view import WorkerView, report, timed

ID = "https://w3id.org/stdgraph/id/"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--concern", default=ID + "barrier/incompatible-data-formats")
    ap.add_argument("--kind", default="barrier", choices=sorted(concerns.KINDS))
    ap.add_argument("--page", type=int, default=1, help="the page of its standards to read")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    view = WorkerView(args.store)
    view.warm("warm_standards_filters", warm_standards_filters)
    view.warm("warm_concern_indexes", getattr(concerns, "warm_concern_indexes", None))

    def page() -> dict:
        store = view.bounded()
        res = describe(store, args.concern)
        assert res is not None, args.concern
        found = concerns.concern(store, args.concern, args.kind, resource=res,
                                 standards=Window(args.page))
        assert found is not None
        return found

    times, value = timed(page, args.repeat)
    listing = value["standards"]
    shown = [(r["iri"], r["direct"], [v["iri"] for v in r["via"]],
              (r["status"] or {}).get("label")) for r in listing["items"]]
    digest = hashlib.sha256(json.dumps([listing["total"], shown, value["gap"],
                                        [i["iri"] for i in value["items"]],
                                        [r["iri"] for r in value["recommendations"]]],
                                       sort_keys=True, default=str).encode()).hexdigest()[:16]
    report(f"{args.concern} ({args.kind}, page {args.page})", times,
           f"standards {listing['total']} ({listing['order']}), items {len(value['items'])}, "
           f"gap {'yes' if value['gap'] else 'no'}; digest {digest}")
    view.close()


if __name__ == "__main__":
    main()
