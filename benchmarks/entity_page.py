"""A body's (or committee's, stakeholder type's, technology's) page as a query worker reads it,
without HTTP and HTML: ``catalog.resource.overview`` (the generic part: the statements and the
links into it, counted) and ``catalog.entity.entity`` on a ``DeadlineStore`` with the runner's
``StateCache``, after the warm-ups each worker runs before it takes requests
(``warm_standards_filters``, and ``warm_entity_indexes`` when the code has it); the first call
and the median and worst of the next ones, with the counts and a digest of the page's values
(to check two versions agree). ``--overview IRI`` times the generic part alone for another
resource (an architecture element linked by thousands of standards). Another checkout's code:
``PYTHONPATH=OLD/src python benchmarks/entity_page.py STORE``.

    python benchmarks/entity_page.py /tmp/pages-bench/sto-100000 [--entity IRI] [--kind body]
        [--overview IRI] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json

from stdgraph.catalog import entity as entities
from stdgraph.catalog.common import Window
from stdgraph.catalog.resource import describe, overview
from stdgraph.catalog.standards_table import warm_standards_filters
from worker_view import WorkerView, report, timed

ID = "https://w3id.org/stdgraph/id/"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--entity", default=ID + "i40kg/body/BenchOrg_1",
                    help="the entity (default: the body publishing most synthetic standards "
                         "at 100k; BenchOrg_3 at 10k)")
    ap.add_argument("--kind", default="body", choices=sorted(entities.ENTITIES))
    ap.add_argument("--overview", action="append", default=[],
                    help="also time the generic part of this resource's page (repeatable)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    view = WorkerView(args.store)
    bounded = view.bounded
    view.warm("warm_standards_filters", warm_standards_filters)
    view.warm("warm_entity_indexes", getattr(entities, "warm_entity_indexes", None))

    def page() -> tuple[dict, dict]:
        store = bounded()
        res = describe(store, args.entity)
        assert res is not None, args.entity
        return overview(store, res, Window()), entities.entity(store, args.entity, args.kind,
                                                               resource=res)

    times, value = timed(page, args.repeat)
    generic, specific = value
    # (before the lists were paged, only the standards had a "listing")
    lists = {e["name"]: {"total": e["total"], "statuses": e.get("statuses"),
                         "first": [r["iri"] for r in (e["listing"]["items"] if "listing" in e
                                                      else e["items"])]}
             for e in specific["lists"]}
    digest = hashlib.sha256(json.dumps([generic["incoming"]["total"], lists], sort_keys=True,
                                       default=str).encode()).hexdigest()[:16]
    report(f"{args.entity} ({args.kind})", times,
           f"incoming {generic['incoming']['total']}, " + ", ".join(
               f"{k} {v['total']}" for k, v in lists.items()) + f"; digest {digest}")
    for iri in args.overview:
        def generic_part(iri: str = iri) -> dict:
            store = bounded()
            res = describe(store, iri)
            assert res is not None, iri
            return overview(store, res, Window())

        times, got = timed(generic_part, args.repeat)
        report(iri, times, f"incoming {got['incoming']['total']}")
    view.close()


if __name__ == "__main__":
    main()
