"""What it costs to compute every suggestion for N synthetic standards (docs/suggestions.md,
"Cost"), and how many of the planted near-duplicates are found.

    .venv/bin/python benchmarks/suggest_cost.py [--sizes 1000,10000,100000] [--exact 1000,10000]
                                                [--json OUT] [--model lexical|semantic|hybrid]

Per size, in a process of its own (so that its peak RSS is that size's): the synthetic graph
with text (``generate.py``, ``text=True``: titles and descriptions from a made-up vocabulary,
a tenth of the standards planted near-duplicates of an earlier one) bulk-loaded into an
Oxigraph store in a temporary folder; the corpus read from it (``read_corpus``: the four
queries); the model fitted (``Suggester``); and every suggestion computed: ``pairs``,
``classify`` and ``links`` at min score 0.3, as ``stdgraph suggest`` computes them. Printed:
seconds per step (wall clock), CPU seconds of the suggestions (fit to links), peak RSS, the
number of suggestions, and the planted pairs found: among the pair suggestions, flagged
near-duplicate (score at least the model's ``Suggester.near_duplicate``), as recall, with the
precision of the flags against the planted pairs.

``--exact`` sizes are computed twice more, with blocking forced on (``Blocking`` with
``from_standards=0``) and with every pair (``blocking=None``, the exact method), and the two
compared: the suggestions only one of them makes, and the largest score difference on those
both make.

``--model`` names the text model (``suggest.models``; default ``lexical``): the semantic ones
encode every text with all-MiniLM-L6-v2 in the fit step.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
from stdgraph.store.oxigraph import OxigraphStore  # noqa: E402
from stdgraph.suggest.corpus import read_corpus  # noqa: E402
from stdgraph.suggest.methods import BLOCKING, Suggester  # noqa: E402
from stdgraph.suggest.models import DEFAULT, MODELS, make  # noqa: E402

MIN_SCORE = 0.3


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process so far (user and system): on a machine shared with other
    jobs the wall-clock time says more about them than about this work."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


#: the methods compared: the default, blocking forced on at any size, every pair
METHODS = {"default": BLOCKING, "blocked": replace(BLOCKING, from_standards=0), "exact": None}


def run(n: int, method: str = "default", model: str = DEFAULT) -> dict[str, Any]:
    """Every suggestion for ``n`` synthetic standards, timed (``method``: of ``METHODS``;
    ``model``: of ``models.MODELS``)."""
    out: dict[str, Any] = {"standards": n, "method": method, "model": model,
                           "load_before": os.getloadavg()[0]}
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as d, OxigraphStore(Path(d) / "store") as store:
        generate.load_store(store, n, text=True)
        out["generate_and_load_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        corpus = read_corpus(store)
        out["read_s"] = round(time.perf_counter() - t, 1)
    t0, c0 = time.perf_counter(), cpu_s()
    sg = Suggester(corpus, make(model), blocking=METHODS[method])
    out["blocked"] = sg.blocking is not None
    t1 = time.perf_counter()
    pairs = sg.pairs(min_score=MIN_SCORE)
    t2 = time.perf_counter()
    classified = sg.classify(min_score=MIN_SCORE)
    t3 = time.perf_counter()
    linked = sg.links(min_score=MIN_SCORE)
    t4, c4 = time.perf_counter(), cpu_s()
    planted = {(generate.standard_iri(a), generate.standard_iri(b))
               for a, b, _ in generate.standard_texts(n)[1]}
    flagged = {(x.subject, x.object) for x in pairs
               if x.duplicate is not None and x.duplicate >= sg.near_duplicate}
    suggested = {(x.subject, x.object) for x in pairs}
    out.update({
        "fit_s": round(t1 - t0, 1), "pairs_s": round(t2 - t1, 1),
        "classify_s": round(t3 - t2, 1), "links_s": round(t4 - t3, 1),
        "suggest_s": round(t4 - t0, 1), "suggest_cpu_s": round(c4 - c0, 1),
        "peak_rss_mib": round(peak_rss_mib()),
        "pair_suggestions": len(pairs), "classify_suggestions": len(classified),
        "links_suggestions": len(linked), "planted": len(planted),
        "planted_suggested": len(planted & suggested),
        "planted_flagged": len(planted & flagged), "flagged": len(flagged),
        "recall_at_threshold": round(len(planted & flagged) / max(len(planted), 1), 4),
        "precision_at_threshold": round(len(planted & flagged) / max(len(flagged), 1), 4),
        "threshold": sg.near_duplicate, "load_after": os.getloadavg()[0],
        "found": {k: [[x.subject, x.predicate, x.object, x.score] for x in v]
                  for k, v in (("pairs", pairs), ("classify", classified), ("links", linked))},
    })
    return out


def in_child(n: int, method: str, model: str = DEFAULT) -> dict[str, Any]:
    """``run`` in a forked process (its own peak RSS), its answer through a file."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        pid = os.fork()
        if pid == 0:
            try:
                Path(f.name).write_text(json.dumps(run(n, method, model)))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        return json.loads(Path(f.name).read_text())


def compare(blocked: dict[str, Any], exact: dict[str, Any]) -> dict[str, Any]:
    """Per kind: the suggestions only one method makes, and the largest score difference on
    those both make."""
    out: dict[str, Any] = {}
    for kind in ("pairs", "classify", "links"):
        b = {tuple(x[:3]): x[3] for x in blocked["found"][kind]}
        e = {tuple(x[:3]): x[3] for x in exact["found"][kind]}
        both = b.keys() & e.keys()
        out[kind] = {"exact": len(e), "blocked": len(b), "only_exact": len(e.keys() - b.keys()),
                     "only_blocked": len(b.keys() - e.keys()),
                     "max_score_difference": max((abs(b[k] - e[k]) for k in both), default=0.0),
                     "best_missed": sorted((round(e[k], 4) for k in e.keys() - b.keys()),
                                           reverse=True)[:5]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--exact", default="", help="sizes to compare with the exact method")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--model", default=DEFAULT, choices=sorted(MODELS))
    args = ap.parse_args(argv)
    results: dict[str, Any] = {"cpus": os.cpu_count(), "blocking": asdict(BLOCKING),
                               "runs": [], "comparisons": []}
    exact_sizes = {int(s) for s in args.exact.split(",") if s.strip()}
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        done = {}
        for method in ("default", "blocked", "exact") if n in exact_sizes else ("default",):
            r = done[method] = in_child(n, method, args.model)
            print(json.dumps({k: v for k, v in r.items() if k != "found"}), flush=True)
            results["runs"].append({k: v for k, v in r.items() if k != "found"})
        if n in exact_sizes:
            c = {"standards": n, **compare(done["blocked"], done["exact"])}
            print(json.dumps(c), flush=True)
            results["comparisons"].append(c)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
