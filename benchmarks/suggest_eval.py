"""How good and how costly the suggestions are (docs/suggestions.md, "Evaluation").

    .venv/bin/python benchmarks/suggest_eval.py [--i40kg PATH] [--json OUT]
        [--models lexical,semantic,hybrid]

1. The I40KG import (``stdgraph import sto`` into an in-memory Oxigraph store, then the corpus
   read by ``suggest.corpus.read_corpus``).
2. ``hasClassification``: the standards' classifications (``sg:classifiedIn``), an element I40KG
   describes in two frameworks counted once (its copies share their local name), shuffled with
   seed 18 and cut into 5 folds of 20%; each fold hidden in turn, its links predicted for their
   standards, every element of the import a candidate. Filtered ranks (the standard's other
   true elements are not counted above the hidden one; ties count half): hits@1/3/10 and MRR,
   next to the structure-only baseline (elements by how many standards the visible links put
   in them).
3. ``relatedTo``: the same with the unordered related pairs; each hidden pair ranked in both
   directions among all other standards by the pair score: hits@10 and mean rank, next to
   TransE's 0.685 / 7.26 (one split) and 0.36 (folds) (Rivas et al. 2021), and to the pair
   score without text (structure only).
4. Near-duplicates: the hand-labelled gold set ``benchmarks/suggest_gold.tsv`` (218 pairs, how
   they were drawn in its header); precision, recall and F1 of "duplicate or edition" flagged by
   the pair score (and by the text cosine alone) at the threshold of best F1, and the best
   precision at a recall of at least 0.6. The threshold is chosen on the same set: optimistic.
Each of ``--models`` (``suggest.models``; default ``lexical``) is evaluated on the same folds,
with the time and CPU time of fitting it (reading every resource's text into rows: for the
semantic models the sentence embeddings) per text, the quality-per-second side of choosing one.
6. Cost: ``benchmarks/suggest_cost.py`` (synthetic standards with planted near-duplicates,
   from ``generate.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from stdgraph.importers.sto.importer import import_sto
from stdgraph.store.oxigraph import OxigraphStore
from stdgraph.suggest.corpus import CLASSIFIED, RELATED, Corpus, read_corpus
from stdgraph.suggest.methods import Suggester, Weights, same_document
from stdgraph.suggest.models import MODELS, make

I40KG = Path(__file__).resolve().parents[2] / "shared" / "data" / "i40kg" / "i40kg.ttl"
GOLD = Path(__file__).resolve().parent / "suggest_gold.tsv"
#: the gold set's labels that make a near-duplicate
NEAR_DUPLICATE = ("duplicate", "edition")
SEED = 18
FOLDS = 5


def load_i40kg(path: Path) -> Corpus:
    with tempfile.TemporaryDirectory() as d:
        store = OxigraphStore(d)
        import_sto(store, path)
        return read_corpus(store)


def rank_of(scores: np.ndarray, target: int, excluded: set[int]) -> float:
    """1 + the candidates scored above the target (ties count half), ``excluded`` not
    counted (the filtered setting)."""
    above = scores > scores[target]
    ties = scores == scores[target]
    for i in excluded | {target}:
        above[i] = ties[i] = False
    return 1 + float(above.sum()) + float(ties.sum()) / 2


def summary(ranks: list[float]) -> dict[str, float]:
    r = np.array(ranks)
    return {"n": len(r), "hits@1": float((r <= 1).mean()), "hits@3": float((r <= 3).mean()),
            "hits@10": float((r <= 10).mean()), "mrr": float((1 / r).mean()),
            "mean_rank": float(r.mean())}


def folds(items: list, seed: int = SEED) -> list[list]:
    order = sorted(items)
    random.Random(seed).shuffle(order)
    return [order[f::FOLDS] for f in range(FOLDS)]


def canonical_elements(corpus: Corpus) -> Corpus:
    """The corpus with each element I40KG describes in several frameworks kept once (the copy
    with the smallest IRI), links moved to it."""
    by_local: dict[str, list[str]] = defaultdict(list)
    for iri in corpus.of_kind("element"):
        by_local[iri.rsplit("/", 1)[-1]].append(iri)
    canon = {i: min(copies) for copies in by_local.values() for i in copies}
    resources = {i: r for i, r in corpus.resources.items() if canon.get(i, i) == i}
    out = Corpus(resources, facets=corpus.facets)
    for s, props in corpus.links.items():
        for p, objects in props.items():
            for o in objects:
                out.add_link(s, p, canon.get(o, o) if p == CLASSIFIED else o)
    return out


def without(all_links: dict, hidden: set[tuple[str, str, str]]) -> dict:
    links: dict[str, dict[str, set[str]]] = {}
    for s, props in all_links.items():
        for p, objects in props.items():
            for o in objects:
                if (s, p, o) in hidden or (p == RELATED and (o, p, s) in hidden):
                    continue
                links.setdefault(s, {}).setdefault(p, set()).add(o)
    return links


def eval_classification(corpus: Corpus, sg: Suggester) -> dict:
    full = {s: set(sg.corpus.linked(s, CLASSIFIED)) for s in sg.standards}
    links = [(s, CLASSIFIED, e) for s, es in full.items() for e in es]
    elements = corpus.of_kind("element")
    col = {e: i for i, e in enumerate(elements)}
    original = sg.corpus.links
    out = {"links": len(links), "standards": sum(1 for v in full.values() if v),
           "candidates": len(elements), "folds": []}
    ours, base = [], []
    for fold in folds(links):
        hidden = set(fold)
        sg.corpus.links = without(original, hidden)
        sg.refresh_links()
        freq = np.zeros(len(elements))
        for s in sg.standards:
            for e in sg.corpus.linked(s, CLASSIFIED):
                freq[col[e]] += 1
        fold_ours, fold_base = [], []
        for s, _, e in fold:
            cands, scores, _ = sg.link_scores(s, CLASSIFIED, "element")
            assert cands == elements
            excluded = {col[x] for x in full[s] if x != e}
            fold_ours.append(rank_of(scores, col[e], excluded))
            fold_base.append(rank_of(freq, col[e], excluded))
        out["folds"].append({"ours": summary(fold_ours), "baseline": summary(fold_base)})
        ours += fold_ours
        base += fold_base
    sg.corpus.links = original
    sg.refresh_links()
    out["ours"], out["baseline"] = summary(ours), summary(base)
    return out


def eval_related(corpus: Corpus, sg: Suggester, variants: dict[str, Weights]) -> dict:
    pairs = sorted({tuple(sorted((s, o))) for s in sg.standards
                    for o in sg.corpus.linked(s, RELATED) if o in sg.std_index})
    links = [(a, RELATED, b) for a, b in pairs]
    full = {s: set(sg.corpus.linked(s, RELATED)) for s in sg.standards}
    out: dict = {"pairs": len(pairs), "candidates": len(sg.standards) - 1, "folds": []}
    ranks: dict[str, list[float]] = {v: [] for v in variants}
    original, weights = sg.corpus.links, sg.weights
    for fold in folds(links):
        hidden = set(fold)
        sg.corpus.links = without(original, hidden)
        sg.refresh_links()
        fold_result = {}
        for name, w in variants.items():
            sg.weights = w
            fold_ranks = []
            heads = sorted({x for a, _, b in fold for x in (a, b)})
            rows = dict(zip(heads, sg.pair_rows(heads), strict=True))
            for a, _, b in fold:
                for h, t in ((a, b), (b, a)):
                    excluded = {sg.std_index[x] for x in full[h] if x != t and x in sg.std_index}
                    excluded.add(sg.std_index[h])
                    fold_ranks.append(rank_of(rows[h], sg.std_index[t], excluded))
            fold_result[name] = summary(fold_ranks)
            ranks[name] += fold_ranks
        out["folds"].append(fold_result)
    sg.corpus.links, sg.weights = original, weights
    sg.refresh_links()
    for name in variants:
        out[name] = summary(ranks[name])
    return out


def prf(scored: list[tuple[float, bool]], t: float) -> dict:
    tp = sum(1 for x, y in scored if x >= t and y)
    fp = sum(1 for x, y in scored if x >= t and not y)
    fn = sum(1 for x, y in scored if x < t and y)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"threshold": round(t, 4), "tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4),
            "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def choose(scored: list[tuple[float, bool]]) -> dict:
    """The threshold of best precision at a recall of at least 0.6 (then best recall)."""
    curve = [prf(scored, t) for t in sorted({x for x, _ in scored})]
    return max((c for c in curve if c["recall"] >= 0.6),
               key=lambda c: (c["precision"], c["recall"]))


def eval_gold(sg: Suggester, path: Path = GOLD) -> dict:
    """Near-duplicates (a gold pair labelled duplicate or edition) flagged by a score at or
    above a threshold, for four scores: the near-duplicate score (``duplicate_rows``: text
    cosine, halved for different parts of one series, raised halfway to 1 for one numbered
    document), the text cosine alone, the pair score, and the identifiers alone (1 for one
    numbered document, else 0). Whole set: the threshold of best precision at recall >= 0.6,
    chosen on the set itself (optimistic). Held out: the pairs shuffled (seed 18) into two
    halves, the threshold chosen on one half and applied to the other, and the other way
    round; the counts summed.
    Folds: the same with 5 folds (seed 18), the threshold chosen on four, applied to the fifth."""
    base = sg.standards[0].rsplit("/", 1)[0] + "/"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")][1:]
    gold = [(base + a, base + b, label in NEAR_DUPLICATE) for a, b, _, label, _ in rows]
    heads = sorted({a for a, _, _ in gold})
    docs = sg.documents()
    scores = {"duplicate_score": sg.duplicate_rows(heads), "text_only": sg.text_rows(heads),
              "pair_score": sg.pair_rows(heads),
              # 1 when the names give one numbered document (methods.same_document), else 0:
              # how much the identifiers alone say on this set
              "identifier_only": np.array([[float(same_document(docs[h], docs[s]))
                                            for s in sg.standards] for h in heads])}
    order = list(range(len(gold)))
    random.Random(SEED).shuffle(order)
    halves = [sorted(order[: len(order) // 2]), sorted(order[len(order) // 2:])]
    out: dict = {"pairs": len(gold), "near_duplicates": sum(y for _, _, y in gold)}
    for name, matrix in scores.items():
        rows_of = dict(zip(heads, matrix, strict=True))
        scored = [(float(rows_of[a][sg.std_index[b]]), y) for a, b, y in gold]
        held = []
        for fit, test in ((halves[0], halves[1]), (halves[1], halves[0])):
            t = choose([scored[i] for i in fit])["threshold"]
            held.append(prf([scored[i] for i in test], t))
        # 5 folds the same way: the threshold chosen on four, applied to the fifth
        parts = [sorted(order[f::FOLDS]) for f in range(FOLDS)]
        folded = []
        for f, test in enumerate(parts):
            fit = [i for g, part in enumerate(parts) if g != f for i in part]
            t = choose([scored[i] for i in fit])["threshold"]
            folded.append(prf([scored[i] for i in test], t))
        out[name] = {"whole_set": choose(scored), "held_out": held,
                     "at_near_duplicate_threshold": prf(scored, sg.near_duplicate),
                     "held_out_total": _total(held), "folds": folded,
                     "folds_total": _total(folded)}
    return out


def _total(results: list[dict]) -> dict:
    """Precision, recall and F1 of the summed counts of held-out parts."""
    tp, fp, fn = (sum(h[k] for h in results) for k in ("tp", "fp", "fn"))
    p, r = tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def evaluate(corpus: Corpus, model: str) -> dict:
    """Every measure above for one text model, with the cost of fitting it."""
    t, cpu = time.perf_counter(), time.process_time()
    sg = Suggester(corpus, model=make(model))
    fit_s, fit_cpu = time.perf_counter() - t, time.process_time() - cpu
    out: dict = {"method": sg.model.version, "texts": len(sg.iris),
                 "fit_s": round(fit_s, 2), "fit_cpu_s": round(fit_cpu, 2),
                 "fit_ms_per_text": round(1000 * fit_s / len(sg.iris), 2),
                 "fit_cpu_ms_per_text": round(1000 * fit_cpu / len(sg.iris), 2),
                 "load": os.getloadavg()}
    out["classification"] = eval_classification(corpus, sg)
    base = sg.weights
    out["related"] = eval_related(corpus, sg, {
        "ours": base,
        "text_only": Weights(text=1, facets=0, neighbours=0, elements=0),
        "structure_only": Weights(text=0, facets=0.2, neighbours=0.6, elements=0.2)})
    out["near_duplicates"] = eval_gold(sg)
    out["all_s"] = round(time.perf_counter() - t, 2)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--i40kg", type=Path, default=I40KG)
    ap.add_argument("--json", type=Path, default=None, help="write the results here too")
    ap.add_argument("--models", default="lexical",
                    help=f"text models to evaluate, comma-separated ({', '.join(MODELS)})")
    args = ap.parse_args(argv)
    results: dict = {"seed": SEED, "folds": FOLDS, "cpus": os.cpu_count(),
                     "load": os.getloadavg()}
    t = time.perf_counter()
    corpus = canonical_elements(load_i40kg(args.i40kg))
    standards = len(corpus.of_kind("standard"))
    results["i40kg"] = {"standards": standards, "elements": len(corpus.of_kind("element")),
                        "load_s": round(time.perf_counter() - t, 2)}
    results["models"] = {name: evaluate(corpus, name) for name in args.models.split(",")}
    print(json.dumps(results, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
