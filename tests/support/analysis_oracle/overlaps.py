# The analyses as they were before issue 20 (main at 97eed66), kept as the test oracle:
# every link through links.rq, everything recomputed per call. Do not change, but for
# what the definitions change (issue 17: relations and architecture mappings count at the
# evidence level, and their coverage is stated).
# ruff: noqa
# fmt: off
"""Overlaps: pairs of standards that share architecture elements, scored by Jaccard index.

Definitions (docs/analyses.md holds the same text):

- The *coverage* of a standard is the set of architecture elements it is classified in
  (``sg:classifiedIn`` links at the evidence level; a series also gets its parts'
  classifications, as the property chain ``sg:hasPart o sg:classifiedIn`` says, each link at
  the level). ``dimensions=all`` adds the barriers, themes and technologies the standard serves
  (``sg:addressesBarrier``, ``sg:supportsTheme``, ``sg:concernsTechnology``). The document's
  ``coverage`` key says how many standards have any such link (stdgraph.analysis.evidence).
- Elements declared the same (``sg:sameElementAs``, either direction, followed transitively:
  one element that two architectures contain, kept once in each) are one concept: each is
  replaced by the representative of its connected component, the smallest IRI of the component
  that some standard uses.
- ``expand=true`` also merges the connected components under ``skos:exactMatch`` /
  ``skos:closeMatch`` (either direction, followed transitively), with the same representative.
- Two distinct standards overlap when they share at least ``min_shared`` concepts. Score =
  Jaccard index |A ∩ B| / |A ∪ B|. Each unordered pair appears once (``a`` < ``b`` by IRI).
- Items are sorted by score, then shared count (both descending), then ``a``, then ``b``.

How it is computed without looping over all pairs: standards with the same coverage set are
grouped (a pair inside a group has score 1); distinct sets are compared with *prefix filtering*
(Bayardo et al. 2007): two sets with Jaccard >= t and overlap >= m share a token among their
first ``n - max(m, ceil(t*n)) + 1`` tokens in a global rarest-first order. The pairs are produced
in score bands (1, [0.9, 1), [0.8, 0.9), ...), candidates from the prefix index and verified
with bit sets in numpy, so a capped answer only computes the top bands it needs.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from stdgraph.analysis.common import (
    DEFAULT_LIMIT,
    PROLOGUE,
    SKOS,
    AnalysisDocument,
    Labels,
    Parameter,
    RawParams,
    cap,
    components,
    iris,
    json_params,
    labels,
    limit_param,
    parse_params,
    ref,
    same_element_pairs,
    values_block,
)
from support.analysis_oracle.evidence import (
    Evidence,
    LinkReader,
    evidence_params,
    picked,
    picked_entry,
    selection_params,
)
from stdgraph.store.base import Store

PARAMS = [
    Parameter("min_shared", "integer", default="2", minimum=1, label="Least shared elements",
              description="Least number of shared elements for a pair to count as an overlap."),
    Parameter("expand", "boolean", default="false", label="Merge matching elements",
              description="Treat elements linked by skos:exactMatch/closeMatch as the same."),
    Parameter("dimensions", "string", default="elements", allowed=("elements", "all"),
              label="Compare on",
              description="'elements': architecture elements only; 'all': also barriers, themes "
                          "and technologies."),
    *evidence_params(),
    # issue 19: the publisher filter (pairs with a standard of one of these bodies)
    Parameter("body", "iri", multiple=True, label="Published by", pick="body"),
    # issue 19: the status filter (pairs whose two standards both have one of these statuses)
    Parameter("status", "iri", multiple=True, label="Status", pick="status"),
    *selection_params(),
    limit_param(),
]

CLUSTER_PARAMS = [
    Parameter("threshold", "decimal", default="0.5", minimum=0, maximum=1, label="Least score",
              description="Least score for an overlap to connect two standards."),
    *PARAMS[:5],
    # issue 19: groups with a member of one of these bodies; groups among standards of these
    # statuses only
    Parameter("body", "iri", multiple=True, label="Published by", pick="body"),
    Parameter("status", "iri", multiple=True, label="Status", pick="status"),
    *selection_params(),
    Parameter("members", "integer", default="100", minimum=0, label="Members listed",
              description="Most members listed for each cluster, the first by IRI (default "
                          "100); size says how many there are; 0 = all."),
    limit_param(),
]


Q_MATCHES = PROLOGUE + "SELECT DISTINCT ?a ?b WHERE { ?a skos:exactMatch|skos:closeMatch ?b }"
# (the GRAPH pattern sits in each branch: Virtuoso 7.2 joins a UNION of VALUES and a path with
# a following GRAPH pattern wrongly, keeping only the path branch's rows; docs/deploy.md)
Q_RELATIONS = PROLOGUE + """SELECT DISTINCT ?a ?p ?b ?g WHERE {
  {
    VALUES ?p { sg:partOf sg:hasPart sg:supersedes sg:supersededBy sg:relatedTo
                sg:references sg:normativelyReferences sg:basedOn }
    GRAPH ?g { ?a ?p ?b }
  } UNION {
    ?p rdfs:subPropertyOf+ sg:references .
    GRAPH ?g { ?a ?p ?b }
  }
  FILTER(isIRI(?b))
}"""

SG = "https://w3id.org/stdgraph/ontology#"
#: the links ``dimensions=all`` adds to the classifications
DIMENSIONS = (SG + "addressesBarrier", SG + "supportsTheme", SG + "concernsTechnology")
_PART = {SG + "partOf": False, SG + "hasPart": True}  # True: read backwards
_SUPERSEDES = {SG + "supersedes": False, SG + "supersededBy": True}
_RELATED_TO = SG + "relatedTo"


# -- coverage ----------------------------------------------------------------------------------

@dataclass
class Coverage:
    """Standards (sorted by IRI), tokens, and each standard's token set."""

    standards: list[str]
    tokens: list[str]
    sets: list[frozenset[int]]
    #: with expand: standard index -> token -> the concepts it actually uses for that token
    actual: dict[int, dict[int, list[str]]] = field(default_factory=dict)

    def index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.standards)}


def fetch_coverage(store: Store, *, expand: bool = False, dimensions: str = "elements",
                   reader: LinkReader | None = None) -> Coverage:
    """Each standard's concepts, read through ``reader`` (its evidence level; default
    ``stated+reading``)."""
    reader = reader or LinkReader(store)
    by_std: dict[str, set[str]] = {s: set(es) for s, es in reader.classified().items()}
    if dimensions == "all":
        for prop in DIMENSIONS:
            for s, xs in reader.links(prop).items():
                by_std.setdefault(s, set()).update(xs)
    by_std = {s: es for s, es in by_std.items() if es}
    standards = sorted(by_std)
    actual: dict[int, dict[int, list[str]]] = {}
    links = same_element_pairs(store)
    if expand:
        links += [(a, b) for p in (SKOS + "exactMatch", SKOS + "closeMatch")
                  for a, bs in reader.links(p, SG + "ArchitectureElement").items() for b in bs]
    if links:
        root = components(links)
        used = {e for es in by_std.values() for e in es}
        best: dict[str, str] = {}
        for node, r in root.items():
            if node in used and (r not in best or node < best[r]):
                best[r] = node
        rep = {node: best[r] for node, r in root.items() if r in best}
        mapped: dict[str, dict[str, list[str]]] = {}
        for s in standards:
            m: dict[str, list[str]] = defaultdict(list)
            for e in sorted(by_std[s]):
                m[rep.get(e, e)].append(e)
            mapped[s] = m
        tokens = sorted({t for m in mapped.values() for t in m})
        tid = {t: i for i, t in enumerate(tokens)}
        sets = [frozenset(tid[t] for t in mapped[s]) for s in standards]
        for i, s in enumerate(standards):
            diff = {tid[t]: es for t, es in mapped[s].items() if es != [t]}
            if diff:
                actual[i] = diff
    else:
        tokens = sorted(set().union(*by_std.values()))
        tid = {t: i for i, t in enumerate(tokens)}
        sets = [frozenset(map(tid.__getitem__, by_std[s])) for s in standards]
    return Coverage(standards, tokens, sets, actual)


# -- the pair engine ---------------------------------------------------------------------------

class PairIndex:
    """Overlapping pairs of a coverage, produced lazily in the documented order.

    ``pairs()`` yields ``(a, b, shared, union)`` with standard indices ``a < b`` (indices follow
    IRI order) sorted by Jaccard desc, shared desc, a, b; ``pairs_at_least(t)`` gives every
    pair of groups with score >= t, for clusters."""

    BANDS = [Fraction(k, 10) for k in range(9, -1, -1)]  # 0.9, 0.8, ..., 0
    #: candidate pairs verified per numpy batch (bounds memory)
    BATCH = 4_000_000

    def __init__(self, sets: list[frozenset[int]], n_tokens: int, min_shared: int) -> None:
        self.m = min_shared
        groups: dict[frozenset[int], list[int]] = {}
        for i, s in enumerate(sets):
            if len(s) >= min_shared:
                groups.setdefault(s, []).append(i)
        # signatures in a fixed order: by their smallest member (members are ascending)
        order = sorted(groups.items(), key=lambda kv: kv[1][0])
        self.sigs = [s for s, _ in order]
        self.members = [m for _, m in order]
        self.sizes = np.array([len(s) for s in self.sigs], dtype=np.int64)
        n_sigs = len(self.sigs)
        sig = np.repeat(np.arange(n_sigs, dtype=np.int64), self.sizes)
        tok = np.fromiter((t for s in self.sigs for t in s), dtype=np.int64, count=len(sig))
        # global token order: rarest first (number of standards using it), then token id
        freq = np.zeros(max(n_tokens, 1), dtype=np.int64)
        weight = np.array([len(m) for m in self.members], dtype=np.int64)
        np.add.at(freq, tok, weight[sig])
        rank = np.empty_like(freq)
        rank[np.lexsort((np.arange(len(freq)), freq))] = np.arange(len(freq))
        by_rank = np.lexsort((rank[tok], sig))
        self.flat_sig, self.flat_tok = sig[by_rank], tok[by_rank]
        starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1])) if n_sigs else \
            np.zeros(0, dtype=np.int64)
        self.position = np.arange(len(sig), dtype=np.int64) - np.repeat(starts, self.sizes)
        words = max(1, (n_tokens + 63) // 64)
        self.bits = np.zeros((n_sigs, words), dtype=np.uint64)
        np.bitwise_or.at(self.bits, (sig, tok // 64),
                         np.left_shift(np.uint64(1), (tok % 64).astype(np.uint64)))

    # -- set level -----------------------------------------------------------------------
    def _verify(self, i: np.ndarray, j: np.ndarray, t: Fraction, upper: Fraction | None):
        shared = np.zeros(len(i), dtype=np.int64)
        for w in range(self.bits.shape[1]):
            shared += np.bitwise_count(self.bits[i, w] & self.bits[j, w]).astype(np.int64)
        union = self.sizes[i] + self.sizes[j] - shared
        keep = (shared >= self.m) & (shared * t.denominator >= t.numerator * union)
        if upper is not None:
            keep &= shared * upper.denominator < upper.numerator * union
        return i[keep], j[keep]

    def set_pairs(self, t: Fraction, upper: Fraction | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of distinct signatures (i < j) with shared >= m and t <= J (< upper):
        arrays i, j, shared, union."""
        n = self.sizes
        need = np.maximum(self.m, -((-t.numerator * n) // t.denominator))
        prefix = n - need + 1
        mask = self.position < np.repeat(prefix, n)
        sig, tok = self.flat_sig[mask], self.flat_tok[mask]
        order = np.lexsort((sig, tok))
        sig, tok = sig[order], tok[order]
        bounds = np.flatnonzero(np.diff(tok)) + 1
        starts = np.concatenate(([0], bounds)).astype(np.int64)
        ends = np.concatenate((bounds, [len(tok)])).astype(np.int64)
        found_i: list[np.ndarray] = []
        found_j: list[np.ndarray] = []
        for s0, s1 in zip(starts.tolist(), ends.tolist(), strict=True):
            block = sig[s0:s1]
            g = len(block)
            if g < 2:
                continue
            # all pairs (x, y), x < y, of the block, row by row, in batches of ~BATCH pairs
            per_row = np.arange(g - 1, 0, -1, dtype=np.int64)  # row x has g-1-x partners
            cum = np.cumsum(per_row)
            x0 = 0
            while x0 < g - 1:
                done = cum[x0 - 1] if x0 else 0
                x1 = int(np.searchsorted(cum, done + self.BATCH, side="right"))
                x1 = min(max(x1, x0 + 1), g - 1)
                counts = per_row[x0:x1]
                rows = np.repeat(np.arange(x0, x1, dtype=np.int64), counts)
                row_start = np.repeat(np.cumsum(counts) - counts, counts)
                cols = rows + 1 + (np.arange(len(rows), dtype=np.int64) - row_start)
                i, j = self._verify(block[rows], block[cols], t, upper)
                found_i.append(i)
                found_j.append(j)
                x0 = x1
        empty = np.zeros(0, dtype=np.int64)
        if not found_i:
            return empty, empty, empty, empty
        n_sigs = len(self.sigs)
        keys = np.unique(np.concatenate(found_i) * n_sigs + np.concatenate(found_j))
        i, j = keys // n_sigs, keys % n_sigs
        shared = np.zeros(len(keys), dtype=np.int64)
        for w in range(self.bits.shape[1]):
            shared += np.bitwise_count(self.bits[i, w] & self.bits[j, w]).astype(np.int64)
        return i, j, shared, self.sizes[i] + self.sizes[j] - shared

    # -- standard level --------------------------------------------------------------------
    def _within(self, g: int) -> Iterator[tuple[int, int]]:
        mem = self.members[g]
        for x in range(len(mem)):
            a = mem[x]
            for b in mem[x + 1:]:
                yield a, b

    def _across(self, g1: int, g2: int) -> Iterator[tuple[int, int]]:
        x, y = self.members[g1], self.members[g2]
        for a, side in heapq.merge(((v, 0) for v in x), ((v, 1) for v in y)):
            other = y if side == 0 else x
            for b in other[bisect.bisect_right(other, a):]:
                yield a, b

    def pairs(self) -> Iterator[tuple[int, int, int, int]]:
        # band "1": pairs inside a group of identical sets, larger sets first
        by_size: dict[int, list[int]] = defaultdict(list)
        for g, mem in enumerate(self.members):
            if len(mem) > 1:
                by_size[len(self.sigs[g])].append(g)
        for size in sorted(by_size, reverse=True):
            gens = [self._within(g) for g in by_size[size]]
            for a, b in heapq.merge(*gens):
                yield a, b, size, size
        upper = Fraction(1)
        for t in self.BANDS:
            i, j, shared, union = self.set_pairs(t, upper)
            upper = t
            if len(i) == 0:
                continue
            score = shared / union
            order = np.lexsort((-shared, -score))
            i, j, shared, union, score = i[order], j[order], shared[order], union[order], \
                score[order]
            start = 0
            n = len(i)
            while start < n:
                end = start + 1
                while end < n and score[end] == score[start] and shared[end] == shared[start]:
                    end += 1
                s, u = int(shared[start]), int(union[start])
                gens = [self._across(int(i[k]), int(j[k])) for k in range(start, end)]
                for a, b in heapq.merge(*gens):
                    yield a, b, s, u
                start = end

    def pairs_at_least(self, t: Fraction) -> Iterator[tuple[int, int]]:
        """(group, group) pairs with score >= t, plus (g, g) for groups of 2+ members."""
        for g, mem in enumerate(self.members):
            if len(mem) > 1:
                yield g, g
        i, j, _s, _u = self.set_pairs(t)
        yield from zip(i.tolist(), j.tolist(), strict=True)


# -- relations between standards ---------------------------------------------------------------

class Relations:
    """Part-of (transitive, either direction), supersession (transitive, either direction),
    sg:relatedTo and references (any sub-property of sg:references) between standards."""

    def __init__(self, store: Store, reader: LinkReader) -> None:
        self.part: dict[str, set[str]] = defaultdict(set)  # x -> wholes x is part of
        self.sup: dict[str, set[str]] = defaultdict(set)  # x -> what x supersedes
        self.direct: dict[frozenset[str], dict[str, set[str]]] = defaultdict(
            lambda: defaultdict(set))  # {a,b} -> property -> graphs
        self.edge_graphs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        rows = [(str(a), str(p), str(b), str(g)) for a, p, b, g in store.query(Q_RELATIONS).rows]
        for a, p, b, g in reader.counted(rows):
            if a == b:
                continue
            if p in _PART:
                x, y = (b, a) if _PART[p] else (a, b)
                self.part[x].add(y)
                self.edge_graphs[("part-of", x, y)].add(g)
            elif p in _SUPERSEDES:
                x, y = (b, a) if _SUPERSEDES[p] else (a, b)
                self.sup[x].add(y)
                self.edge_graphs[("supersession", x, y)].add(g)
            else:
                self.direct[frozenset((a, b))][p].add(g)
                self.edge_graphs[("direct:" + p, a, b)].add(g)

    @staticmethod
    def _path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
        if start not in graph:
            return None
        prev: dict[str, str | None] = {start: None}
        frontier = [start]
        while frontier:
            nxt = []
            for x in sorted(frontier):
                for y in sorted(graph.get(x, ())):
                    if y in prev:
                        continue
                    prev[y] = x
                    if y == goal:
                        path = [y]
                        while prev[path[-1]] is not None:
                            path.append(prev[path[-1]])  # type: ignore[arg-type]
                        return path[::-1]
                    nxt.append(y)
            frontier = nxt
        return None

    def between(self, a: str, b: str) -> list[dict]:
        """The relations linking a and b: [{"relation", "property"?, "path", "graphs"}]."""
        out: list[dict] = []
        for kind, graph in (("part-of", self.part), ("supersession", self.sup)):
            for x, y in ((a, b), (b, a)):
                path = self._path(graph, x, y)
                if path:
                    graphs: set[str] = set()
                    for u, v in itertools.pairwise(path):
                        graphs |= self.edge_graphs[(kind, u, v)]
                    out.append({"relation": kind, "path": path, "graphs": sorted(graphs)})
        for p in sorted(self.direct.get(frozenset((a, b)), {})):
            kind = "related-to" if p == _RELATED_TO else "references"
            ends = [(x, y) for x, y in ((a, b), (b, a)) if self.edge_graphs.get(("direct:" + p,
                                                                                  x, y))]
            for x, y in ends:
                out.append({"relation": kind, "property": p, "path": [x, y],
                            "graphs": sorted(self.edge_graphs[("direct:" + p, x, y)])})
        return out


def classification_graphs(store: Store, standards: list[str]) -> dict[tuple[str, str], set[str]]:
    """(standard, element) -> named graphs holding ``standard sg:classifiedIn element``."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    if not standards:
        return out
    chunks = [standards[k:k + 500] for k in range(0, len(standards), 500)]
    for chunk in chunks:
        q = (PROLOGUE + "SELECT DISTINCT ?s ?e ?g WHERE { " + values_block("s", chunk) +
             " GRAPH ?g { ?s sg:classifiedIn ?e } }")
        for s, e, g in store.query(q).rows:
            out[(str(s), str(e))].add(str(g))
    return out


# -- the analysis ------------------------------------------------------------------------------

@dataclass
class OverlapRun:
    """Coverage, pair engine and relations of one store, reusable by conflicts (competing)."""

    store: Store
    min_shared: int = 2
    expand: bool = False
    dimensions: str = "elements"
    evidence: Evidence = field(default_factory=Evidence)

    def __post_init__(self) -> None:
        self.reader = LinkReader(self.store, self.evidence)
        self.coverage = fetch_coverage(self.store, expand=self.expand,
                                       dimensions=self.dimensions, reader=self.reader)
        self.index = PairIndex(self.coverage.sets, len(self.coverage.tokens), self.min_shared)
        self._relations: Relations | None = None

    @property
    def relations(self) -> Relations:
        if self._relations is None:
            self._relations = Relations(self.store, self.reader)
        return self._relations

    def pairs(self) -> Iterator[tuple[int, int, int, int]]:
        return self.index.pairs()

    def link_coverage(self) -> list[dict]:
        """The coverage entries of the links the run rests on, over every standard."""
        scope = self.reader.instances()
        out = [self.reader.coverage(SG + "classifiedIn", self.reader.classified(), scope)]
        if self.dimensions == "all":
            out += [self.reader.coverage(p, self.reader.links(p), scope) for p in DIMENSIONS]
        out += self.reader.relation_coverage()
        if self.expand:
            out.append(self.reader.mapping_coverage())
        return out

    def items(self, chosen: list[tuple[int, int, int, int]], lab: Labels) -> list[dict]:
        cov = self.coverage
        std = cov.standards
        involved = sorted({std[x] for a, b, _s, _u in chosen for x in (a, b)})
        tokens_used = {t for a, b, _s, _u in chosen for t in cov.sets[a] & cov.sets[b]}
        cgraphs = classification_graphs(self.store, involved)
        rel = self.relations
        lab.fetch(involved + [cov.tokens[t] for t in tokens_used])
        out = []
        for a, b, s, u in chosen:
            ia, ib = std[a], std[b]
            shared = sorted(cov.sets[a] & cov.sets[b], key=lambda t: cov.tokens[t])
            relations = rel.between(ia, ib)
            graphs: set[str] = set()
            matched = []
            for t in shared:
                concept = cov.tokens[t]
                ea = cov.actual.get(a, {}).get(t, [concept])
                eb = cov.actual.get(b, {}).get(t, [concept])
                for x, es in ((ia, ea), (ib, eb)):
                    for e in es:
                        graphs |= cgraphs.get((x, e), set())
                if ea != [concept] or eb != [concept]:
                    matched.append({"concept": lab.ref(concept), "a": lab.refs(ea),
                                    "b": lab.refs(eb)})
            lab.fetch(x for r in relations for x in r["path"])
            evidence: dict = {
                "a_coverage": len(cov.sets[a]), "b_coverage": len(cov.sets[b]), "union": u,
                "graphs": lab.graph_refs(graphs),
                "relations": [
                    {"relation": r["relation"],
                     **({"property": lab.ref(r["property"])} if "property" in r else {}),
                     "path": lab.refs(r["path"]), "graphs": lab.graph_refs(r["graphs"])}
                    for r in relations
                ],
            }
            if self.expand:
                evidence["matched"] = matched
            out.append({
                "a": ia, "b": ib, "a_label": lab(ia), "b_label": lab(ib),
                "shared": lab.refs(cov.tokens[t] for t in shared),
                "score": round(s / u, 6), "related": bool(relations), "evidence": evidence,
            })
        return out


def overlaps(store: Store, raw: RawParams | None = None, *, ignore=("format",)
             ) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    run = OverlapRun(store, params["min_shared"], params["expand"], params["dimensions"],
                     Evidence.of(params))
    limit = params["limit"]
    stream = run.pairs()
    if params["body"]:  # issue 19: every pair, then those with a standard of the bodies
        wanted, std = set(params["body"]), run.coverage.standards
        pubs = run.reader.links(SG + "publisher")
        stream = (p for p in list(stream)
                  if (pubs.get(std[p[0]], set()) | pubs.get(std[p[1]], set())) & wanted)
    keep = picked(run.reader, params)
    if keep is not None:  # issue 19: every pair, then those of two standards the filters pick
        std = run.coverage.standards
        stream = (p for p in list(stream) if std[p[0]] in keep and std[p[1]] in keep)
    chosen = list(itertools.islice(stream, limit + 1)) if limit else list(stream)
    chosen, truncated = cap(chosen, limit)
    lab = Labels(store)
    items = run.items(chosen, lab)
    coverage = run.link_coverage()
    if keep is not None:
        coverage.append(picked_entry(run.reader, params, keep, lab))
    return AnalysisDocument("overlaps", json_params(params), items, truncated,
                            {"coverage": coverage})


def clusters(store: Store, raw: RawParams | None = None, *, ignore=("format",)
             ) -> AnalysisDocument:
    """Connected components of standards over overlaps with score >= threshold."""
    params = parse_params(CLUSTER_PARAMS, raw or {}, ignore=ignore)
    threshold = Fraction(str(params["threshold"]))
    run = OverlapRun(store, params["min_shared"], params["expand"], params["dimensions"],
                     Evidence.of(params))
    if params["status"] or params["body"] or params["element"] or params["barrier"]:
        return _standard_clusters(store, params, threshold, run)
    idx = run.index
    parent = list(range(len(idx.members)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pair_count: dict[int, int] = defaultdict(int)
    edges = list(idx.pairs_at_least(threshold))
    for g1, g2 in edges:
        r1, r2 = find(g1), find(g2)
        if r1 != r2:
            parent[max(r1, r2)] = min(r1, r2)
    for g1, g2 in edges:
        n1, n2 = len(idx.members[g1]), len(idx.members[g2])
        pair_count[find(g1)] += n1 * (n1 - 1) // 2 if g1 == g2 else n1 * n2
    comps: dict[int, list[int]] = defaultdict(list)
    for g1, g2 in edges:
        for g in (g1, g2):
            comps[find(g)].append(g)
    cov = run.coverage
    found = []
    for root, gs in comps.items():
        members = sorted({s for g in set(gs) for s in idx.members[g]})
        if len(members) < 2:
            continue
        found.append((root, members))
    found.sort(key=lambda rm: (-len(rm[1]), rm[1][0]))
    limit = params["limit"]
    found, truncated = cap(found, limit)
    lab = Labels(store)
    lab.fetch(cov.standards[s] for _r, ms in found for s in ms)
    items = []
    for n, (root, members) in enumerate(found, start=1):
        counts: dict[int, int] = defaultdict(int)
        for s in members:
            for t in cov.sets[s]:
                counts[t] += 1
        common = sorted((t for t, c in counts.items() if c >= 2),
                        key=lambda t: (-counts[t], cov.tokens[t]))[:10]
        lab.fetch(cov.tokens[t] for t in common)
        items.append({
            "cluster": n, "size": len(members), "pairs": pair_count[root],
            "standards": lab.refs(cov.standards[s]
                                  for s in members[:params["members"] or len(members)]),
            "elements": [{**lab.ref(cov.tokens[t]), "standards": counts[t]} for t in common],
        })
    return AnalysisDocument("overlap-clusters", json_params(params), items, truncated,
                            {"coverage": run.link_coverage()})


def _standard_clusters(store: Store, params: dict, threshold: Fraction, run: OverlapRun
                       ) -> AnalysisDocument:
    """issue 19: the clusters by brute force over pairs of standards: union-find over every
    pair with score >= threshold whose two standards have one of the statuses (when given);
    then the groups with a member published by one of the bodies (when given), numbered
    from 1."""
    std = run.coverage.standards
    chosen = picked(run.reader, params)
    keep = set(std) if chosen is None else chosen
    strong = [(a, b) for a, b, s, u in run.pairs()
              if Fraction(s, u) >= threshold and std[a] in keep and std[b] in keep]
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in strong:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[int, set[int]] = defaultdict(set)
    pair_count: dict[int, int] = defaultdict(int)
    for a, b in strong:
        comps[find(a)] |= {a, b}
        pair_count[find(a)] += 1
    found = sorted(((r, sorted(ms)) for r, ms in comps.items()),
                   key=lambda rm: (-len(rm[1]), rm[1][0]))
    if params["body"]:
        pubs = run.reader.links(SG + "publisher")
        found = [(r, ms) for r, ms in found
                 if any(pubs.get(std[m], set()) & set(params["body"]) for m in ms)]
    found, truncated = cap(found, params["limit"])
    cov = run.coverage
    lab = Labels(store)
    items = []
    for n, (root, members) in enumerate(found, start=1):
        counts: dict[int, int] = defaultdict(int)
        for s in members:
            for t in cov.sets[s]:
                counts[t] += 1
        common = sorted((t for t, c in counts.items() if c >= 2),
                        key=lambda t: (-counts[t], cov.tokens[t]))[:10]
        items.append({
            "cluster": n, "size": len(members), "pairs": pair_count[root],
            "standards": lab.refs(cov.standards[s]
                                  for s in members[:params["members"] or len(members)]),
            "elements": [{**lab.ref(cov.tokens[t]), "standards": counts[t]} for t in common],
        })
    coverage = run.link_coverage()
    if chosen is not None:
        coverage.append(picked_entry(run.reader, params, chosen, lab))
    return AnalysisDocument("overlap-clusters", json_params(params), items, truncated,
                            {"coverage": coverage})


CSV_COLUMNS = [
    ("a", lambda i: i["a"]), ("a_label", lambda i: i["a_label"]),
    ("b", lambda i: i["b"]), ("b_label", lambda i: i["b_label"]),
    ("score", lambda i: i["score"]), ("shared_count", lambda i: len(i["shared"])),
    ("shared", lambda i: iris(i["shared"])), ("shared_labels", lambda i: labels(i["shared"])),
    ("related", lambda i: i["related"]),
    ("relations", lambda i: " ".join(sorted({r["relation"] for r in i["evidence"]["relations"]}))),
    ("graphs", lambda i: iris(i["evidence"]["graphs"])),
]
TABLE_COLUMNS = [
    ("score", lambda i: f"{i['score']:.3f}"), ("shared", lambda i: len(i["shared"])),
    ("a", lambda i: i["a_label"]), ("b", lambda i: i["b_label"]),
    ("related", lambda i: "yes" if i["related"] else ""),
    ("shared elements", lambda i: labels(i["shared"])),
]
CLUSTER_CSV_COLUMNS = [
    ("cluster", lambda i: i["cluster"]), ("size", lambda i: i["size"]),
    ("pairs", lambda i: i["pairs"]),
    ("standards", lambda i: iris(i["standards"])),
    ("standard_labels", lambda i: labels(i["standards"])),
    ("elements", lambda i: iris(i["elements"])),
    ("element_labels", lambda i: labels(i["elements"])),
]
CLUSTER_TABLE_COLUMNS = [
    ("cluster", lambda i: i["cluster"]), ("size", lambda i: i["size"]),
    ("pairs", lambda i: i["pairs"]), ("standards", lambda i: labels(i["standards"])),
    ("common elements", lambda i: labels(i["elements"])),
]
REPORT_COLUMNS = [
    ("score", lambda i: f"{i['score']:.3f}"), ("shared", lambda i: str(len(i["shared"]))),
    ("a", lambda i: ref(i["a"], i["a_label"])), ("b", lambda i: ref(i["b"], i["b_label"])),
    ("related", lambda i: "yes" if i["related"] else ""),
    ("shared elements", lambda i: i["shared"]),
]
CLUSTER_REPORT_COLUMNS = [
    ("cluster", lambda i: str(i["cluster"])), ("size", lambda i: str(i["size"])),
    ("pairs", lambda i: str(i["pairs"])), ("standards", lambda i: i["standards"]),
    ("common elements", lambda i: i["elements"]),
]


__all__ = ["overlaps", "clusters", "OverlapRun", "PairIndex", "Coverage", "fetch_coverage",
           "Relations", "PARAMS", "CLUSTER_PARAMS", "DEFAULT_LIMIT"]
