"""Deterministic synthetic graphs of N standards, for the benchmarks.

The same (standards, seed, vocabulary) always gives the same lines, byte for byte. Shape:

- ``schemes`` reference architectures (default 6) holding ``elements`` architecture elements
  between them (default 150), each ``skos:inScheme`` its scheme, plus a few SKOS mappings
  (``skos:exactMatch`` / ``skos:closeMatch``) between elements of different schemes;
- six standards bodies;
- N standards, each with an identifier, a label, a publisher, a status and a source, classified
  in 1-8 distinct elements (uniform count, or Zipf-skewed with ``count_zipf``) drawn from a
  Zipf distribution over a seeded ranking of the elements (exponent ``zipf``, default 1.0:
  the most used element is drawn about 30 times as often as the median one); about 5 % are
  ``sg:partOf`` an earlier standard, 3 % ``sg:supersedes`` one and 5 % ``sg:references`` one;
  10 % address one of 20 barriers.

``text=True`` (stdgraph vocabulary only) gives every standard what suggestions read
(docs/suggestions.md): an identifier ``BENCH n`` as its label, a title of 4-8 words and a
description of 25-45 words, drawn from a vocabulary of 6,000 made-up words (Zipf-like); and
PLANTS near-duplicates: a tenth of the standards (after the first ten) copy an earlier
standard that is not itself a copy, each original copied at most once, as a new edition
(``BENCH m:2021``) or a technical specification of it (``BENCH TS m``), with the same title
and a reworded description (a fifth of its words replaced, two neighbouring words swapped).
``standard_texts`` returns the texts and the planted pairs (the truth the cost benchmark's
recall is measured against); the texts come from a random stream of their own, so the rest of
the graph is the same with or without them.

``vocabulary="stdgraph"`` writes stdgraph's own terms (sg:classifiedIn, skos:inScheme, ...);
every resource has an English label and a ``dcterms:source``, so the graph conforms to the
project's shapes and ``stdgraph build`` accepts it (the references to withdrawn standards give
warnings). ``vocabulary="sto"`` writes the same graph in the I40KG STO vocabulary, shaped like
``i40kg.ttl`` (sto:Standard and owl:NamedIndividual, rdfs:label, sto:hasPublisher,
sto:hasStatus with I40KG's literals "Valid", "Pre release version (PRV)", "Withdrawn",
"Replaced", sto:hasClassification, sto:StandardClassification sto:isDescribedin a
sto:StandardizationFramework, sto:alignsWith, sto:isPartOf, sto:hasPreviousVersion,
sto:relatedTo; no barriers), for the importer benchmark (``benchmarks/sto.py``).

Function API (used by the other benchmarks)::

    from generate import lines, write, load_store
    write("bench.nt", standards=10_000)          # N-Triples (.nq: N-Quads, two graphs)
    store = load_store(OxigraphStore(dir), standards=10_000)

CLI::

    python benchmarks/generate.py --standards 10000 --out bench.nt [--seed 42] [--sto]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

SG = "https://w3id.org/stdgraph/ontology#"
SGID = "https://w3id.org/stdgraph/id/"
STO = "https://w3id.org/i40/sto#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCTERMS_SOURCE = DCTERMS + "source"
GRAPH_BASE = "https://w3id.org/stdgraph/graph/"
ARCH_GRAPH = GRAPH_BASE + "bench/architectures"
STANDARDS_GRAPH = GRAPH_BASE + "bench/standards"

STATUSES = [("Published", 80), ("UnderDevelopment", 8), ("Withdrawn", 6), ("Superseded", 6)]
#: I40KG's sto:hasStatus literal for each status (stdgraph.importers.sto.STATUS_BACK)
STO_STATUS = {"Published": "Valid", "UnderDevelopment": "Pre release version (PRV)",
              "Withdrawn": "Withdrawn", "Superseded": "Replaced"}
OWL_NAMED_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
SOURCE_DOC = "https://example.org/bench/source"
BODIES = 6
BARRIERS = 20
MAPPINGS = 20


def made_up_words(size: int = 6000, seed: int = 7) -> list[str]:
    """``size`` distinct pronounceable words of 2-4 syllables, the same for a seed."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < size:
        w = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def standard_texts(standards: int, seed: int = 42, near_duplicates: float = 0.1
                   ) -> tuple[list[tuple[str, str, str]], list[tuple[int, int, str]]]:
    """(identifier, title, description) of each standard, and the planted near-duplicates
    (original, copy, "edition" or "ts"): see the module's docstring."""
    rng = random.Random(f"text-{seed}")
    vocab = made_up_words()
    cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(vocab))))

    def draw(k: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cum, k=k)

    texts: list[tuple[str, str, str]] = []
    planted: list[tuple[int, int, str]] = []
    originals: list[int] = []
    for n in range(standards):
        if n > 10 and originals and rng.random() < near_duplicates:
            m = originals.pop(rng.randrange(len(originals)))
            ident, title, description = texts[m]
            words = description.split()
            for _ in range(len(words) // 5):
                words[rng.randrange(len(words))] = draw(1)[0]
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
            kind = rng.choice(("edition", "ts"))
            ident = f"BENCH {m}:{2010 + rng.randrange(15)}" if kind == "edition" \
                else f"BENCH TS {m}"
            texts.append((ident, title, " ".join(words)))
            planted.append((m, n, kind))
        else:
            title = " ".join(draw(rng.randint(4, 8))).capitalize()
            texts.append((f"BENCH {n}", title,
                          " ".join(draw(rng.randint(25, 45))).capitalize() + "."))
            originals.append(n)
    return texts, planted


def _iri(x: str) -> str:
    return f"<{x}>"


def _lit(x: str, lang: str | None = None) -> str:
    text = x.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def standard_iri(n: int, vocabulary: str = "stdgraph") -> str:
    return f"{STO}Bench_{n:06d}" if vocabulary == "sto" else f"{SGID}standard/bench-{n:06d}"


def element_iri(scheme: int, i: int, vocabulary: str = "stdgraph") -> str:
    if vocabulary == "sto":
        return f"{STO}BenchClass_{scheme}_{i:03d}"
    return f"{SGID}architecture/bench-{scheme}/e{i:03d}"


def scheme_iri(scheme: int, vocabulary: str = "stdgraph") -> str:
    if vocabulary == "sto":
        return f"{STO}BenchFramework_{scheme}"
    return f"{SGID}architecture/bench-{scheme}"


class _Sampler:
    """Weighted sampling of k distinct items (Zipf weights over a seeded ranking)."""

    def __init__(self, items: list, exponent: float, rng: random.Random) -> None:
        ranked = list(items)
        rng.shuffle(ranked)
        self.items = ranked
        weights = [1.0 / (rank ** exponent) for rank in range(1, len(ranked) + 1)]
        self.cum = list(itertools.accumulate(weights))
        self.rng = rng

    def draw(self, k: int) -> list:
        chosen: list = []
        seen: set[int] = set()
        total = self.cum[-1]
        while len(chosen) < k:
            i = bisect.bisect_right(self.cum, self.rng.random() * total)
            if i not in seen:
                seen.add(i)
                chosen.append(self.items[i])
        return chosen


def quads(
    standards: int,
    *,
    seed: int = 42,
    elements: int = 150,
    schemes: int = 6,
    zipf: float = 1.0,
    vocabulary: str = "stdgraph",
    count_zipf: float | None = None,
    text: bool = False,
) -> Iterator[tuple[str, str, str, str]]:
    """(subject, predicate, object, graph) in N-Triples term syntax, graph as a bare IRI."""
    if vocabulary not in {"stdgraph", "sto"}:
        raise ValueError("vocabulary must be 'stdgraph' or 'sto'")
    sto = vocabulary == "sto"
    if text and sto:
        raise ValueError("text=True is for the stdgraph vocabulary")
    texts = standard_texts(standards, seed)[0] if text else None
    rng = random.Random(seed)
    a, g_std = ARCH_GRAPH, STANDARDS_GRAPH
    t = _iri(RDF_TYPE)
    label = _iri(RDFS_LABEL)
    source, doc = _iri(DCTERMS_SOURCE), _iri(SOURCE_DOC)

    # -- architectures ------------------------------------------------------------------------
    elems: list[tuple[int, int]] = []
    for j in range(schemes):
        s = _iri(scheme_iri(j, vocabulary))
        if sto:
            yield s, t, _iri(STO + "StandardizationFramework"), a
        else:
            yield s, t, _iri(SG + "ReferenceArchitecture"), a
            yield s, t, _iri(SKOS + "ConceptScheme"), a
            yield s, source, doc, a
        yield s, label, _lit(f"Bench architecture {j}", "en"), a
    for i in range(elements):
        j = i % schemes
        elems.append((j, i))
        e = _iri(element_iri(j, i, vocabulary))
        if sto:
            yield e, t, _iri(STO + "StandardClassification"), a
            yield e, label, _lit(f"Element {i} of architecture {j}", "en"), a
            yield e, _iri(STO + "isDescribedin"), _iri(scheme_iri(j, vocabulary)), a
        else:
            yield e, t, _iri(SG + "ArchitectureElement"), a
            yield e, t, _iri(SKOS + "Concept"), a
            yield e, _iri(SKOS + "prefLabel"), _lit(f"Element {i} of architecture {j}", "en"), a
            yield e, _iri(SKOS + "inScheme"), _iri(scheme_iri(j, vocabulary)), a
            yield e, source, doc, a
    for _ in range(MAPPINGS):
        (j1, i1), (j2, i2) = rng.sample(elems, 2)
        if j1 == j2:
            continue
        rel = "exactMatch" if rng.random() < 0.3 else "closeMatch"
        prop = STO + "alignsWith" if sto else SKOS + rel
        yield (_iri(element_iri(j1, i1, vocabulary)), _iri(prop),
               _iri(element_iri(j2, i2, vocabulary)), a)

    # -- bodies and barriers ------------------------------------------------------------------
    bodies = []
    for b in range(BODIES):
        iri = _iri(f"{STO}BenchOrg_{b}" if sto else f"{SGID}body/bench-{b}")
        bodies.append(iri)
        cls = STO + "StandardOrganization" if sto else SG + "StandardsBody"
        yield iri, t, _iri(cls), g_std
        yield iri, label, _lit(f"Bench body {b}", "en"), g_std
        if not sto:
            yield iri, source, doc, g_std
    barriers = []
    if not sto:
        for b in range(BARRIERS):
            iri = _iri(f"{SGID}barrier/bench-{b}")
            barriers.append(iri)
            yield iri, t, _iri(SG + "Barrier"), g_std
            yield iri, _iri(SKOS + "prefLabel"), _lit(f"Bench barrier {b}", "en"), g_std
            yield iri, source, doc, g_std

    # -- standards ----------------------------------------------------------------------------
    sampler = _Sampler(elems, zipf, rng)
    # classifications per standard: 1-8, uniform; or Zipf-skewed (weight k^-count_zipf, so
    # 1.2 gives a mean of about 2.65, the shape of the I40KG data)
    count_cum = (list(itertools.accumulate(k ** -count_zipf for k in range(1, 9)))
                 if count_zipf is not None else None)
    status_names = [s for s, _w in STATUSES]
    status_cum = list(itertools.accumulate(w for _s, w in STATUSES))
    p = {name: _iri((STO if sto else SG) + name) for name in (
        "identifier", "publisher", "status", "classifiedIn", "partOf", "supersedes",
        "references", "addressesBarrier", "hasClassification", "hasPublisher", "isPartOf",
        "hasStatus", "relatedTo", "hasPreviousVersion")}
    cls_std = _iri((STO if sto else SG) + "Standard")
    for n in range(standards):
        s = _iri(standard_iri(n, vocabulary))
        if sto:
            yield s, t, _iri(OWL_NAMED_INDIVIDUAL), g_std
        yield s, t, cls_std, g_std
        if texts is not None:
            ident, title, description = texts[n]
            yield s, label, _lit(ident, "en"), g_std
            yield s, p["identifier"], _lit(ident), g_std
            yield s, _iri(DCTERMS + "title"), _lit(title, "en"), g_std
            yield s, _iri(DCTERMS + "description"), _lit(description, "en"), g_std
        else:
            yield s, label, _lit(f"BENCH {n} Synthetic standard {n}", "en"), g_std
        if not sto and texts is None:
            yield s, p["identifier"], _lit(f"BENCH {n}"), g_std
        yield s, p["hasPublisher" if sto else "publisher"], bodies[rng.randrange(BODIES)], g_std
        st = status_names[bisect.bisect_right(status_cum, rng.randrange(status_cum[-1]))]
        if sto:
            yield s, p["hasStatus"], _lit(STO_STATUS[st]), g_std
        else:
            yield s, p["status"], _iri(SG + st), g_std
            yield s, source, _iri(f"https://example.org/bench/{n}"), g_std
        cls = p["hasClassification" if sto else "classifiedIn"]
        k = (rng.randint(1, 8) if count_cum is None
             else 1 + bisect.bisect_right(count_cum, rng.random() * count_cum[-1]))
        for j, i in sampler.draw(min(k, 8)):
            yield s, cls, _iri(element_iri(j, i, vocabulary)), g_std
        if n > 0:
            r = rng.random()
            if r < 0.05:
                yield s, p["isPartOf" if sto else "partOf"], \
                    _iri(standard_iri(rng.randrange(n), vocabulary)), g_std
            elif r < 0.08:
                yield s, p["hasPreviousVersion" if sto else "supersedes"], \
                    _iri(standard_iri(rng.randrange(n), vocabulary)), g_std
            elif r < 0.13:
                yield s, p["relatedTo" if sto else "references"], \
                    _iri(standard_iri(rng.randrange(n), vocabulary)), g_std
        if barriers and rng.random() < 0.10:
            yield s, p["addressesBarrier"], barriers[rng.randrange(BARRIERS)], g_std


def lines(standards: int, *, nquads: bool = False, **kwargs) -> Iterator[str]:
    """N-Triples lines (or N-Quads lines with two named graphs), newline-terminated."""
    if nquads:
        for s, p, o, g in quads(standards, **kwargs):
            yield f"{s} {p} {o} <{g}> .\n"
    else:
        for s, p, o, _g in quads(standards, **kwargs):
            yield f"{s} {p} {o} .\n"


def write(path: str | Path, standards: int, **kwargs) -> int:
    """Write N-Triples (or N-Quads when the name ends in .nq); returns the number of lines."""
    path = Path(path)
    nquads = path.suffix == ".nq"
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        buf: list[str] = []
        for line in lines(standards, nquads=nquads, **kwargs):
            buf.append(line)
            if len(buf) >= 50_000:
                f.writelines(buf)
                n += len(buf)
                buf.clear()
        f.writelines(buf)
        n += len(buf)
    return n


def nquads_bytes(standards: int, **kwargs) -> bytes:
    return "".join(lines(standards, nquads=True, **kwargs)).encode()


def load_store(store, standards: int, **kwargs):
    """Fill a stdgraph Store (replacing its content) with the synthetic graph, two named graphs.

    An OxigraphStore is bulk-loaded from N-Quads; other stores go through ``replace_all``."""
    import pyoxigraph as ox

    data = nquads_bytes(standards, **kwargs)
    if getattr(store, "kind", "") == "oxigraph":
        from stdgraph.store.oxigraph import OxigraphStore

        assert isinstance(store, OxigraphStore)
        store.replace_all({})
        store.db.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        store.db.flush()
        return store
    from stdgraph.rdf.io import to_rdflib

    graphs: dict[str, list] = {}
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, []).append(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    store.replace_all(graphs)
    return store


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--standards", type=int, required=True, help="number of standards")
    ap.add_argument("--out", required=True, help="output file (.nt N-Triples, .nq N-Quads)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--elements", type=int, default=150)
    ap.add_argument("--schemes", type=int, default=6)
    ap.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent of element use")
    ap.add_argument("--count-zipf", type=float, default=None,
                    help="Zipf exponent of the number of classifications per standard "
                         "(default: uniform 1-8; 1.2 gives a mean of about 2.65)")
    ap.add_argument("--sto", action="store_true", help="write the I40KG STO vocabulary")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    n = write(args.out, args.standards, seed=args.seed, elements=args.elements,
              schemes=args.schemes, zipf=args.zipf, count_zipf=args.count_zipf,
              vocabulary="sto" if args.sto else "stdgraph")
    print(f"wrote {n} lines to {args.out} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
