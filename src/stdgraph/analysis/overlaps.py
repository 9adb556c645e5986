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
  ``skos:closeMatch`` (either direction, followed transitively; each mapping at the evidence
  level), with the same representative.
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
import copy
import heapq
import itertools
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from stdgraph.analysis.common import (
    DEFAULT_LIMIT,
    ITEM_SEPARATOR,
    PROLOGUE,
    RDFS,
    SKOS,
    AnalysisDocument,
    AnalysisStream,
    Column,
    Labels,
    Listed,
    Parameter,
    RawParams,
    Template,
    cap,
    cells,
    components,
    csv_cell,
    inverse,
    iris,
    item_text,
    json_params,
    labels,
    limit_param,
    parse_params,
    reachable,
    ref,
    same_element_pairs,
    slot,
    values_block,
)
from stdgraph.analysis.evidence import (
    STANDARD,
    Evidence,
    LinkReader,
    Selection,
    evidence_params,
    selection_params,
    status_param,
)
from stdgraph.analysis.layered import Layered, layered
from stdgraph.analysis.registry import Analysis
from stdgraph.analysis.snapshot import FAST_KINDS, Dirty, Snapshot, rows, snapshot, text
from stdgraph.store.base import Store

PARAMS = [
    Parameter("min_shared", "integer", default="2", minimum=1, label="Least shared elements",
              description="Least number of shared elements for a pair to count as an overlap."),
    Parameter("expand", "boolean", default="false", label="Merge matching elements",
              description="Count two elements a mapping says are an exact or close match "
                          "(skos:exactMatch, skos:closeMatch) as one."),
    Parameter("dimensions", "string", default="elements", allowed=("elements", "all"),
              label="Compare on",
              value_labels={"elements": "Architecture elements",
                            "all": "Elements, barriers, themes and technologies"},
              description="What two standards are compared on: the architecture elements they "
                          "are classified in only, or also the barriers, themes and "
                          "technologies they are linked to."),
    *evidence_params(),
    Parameter("body", "iri", multiple=True, label="Published by", pick="body",
              description="Only the pairs in which at least one of the two standards is "
                          "published by one of these standards bodies (sg:publisher); none "
                          "chosen: every pair."),
    status_param("Only the pairs whose two standards both have one of these statuses "
                 "(sg:status): the overlaps among, say, published standards."),
    *selection_params("the pairs of two such standards."),
    limit_param(),
]

#: how many members of each cluster an answer lists by default (``members``)
CLUSTER_MEMBERS = 100
CLUSTER_PARAMS = [
    Parameter("threshold", "decimal", default="0.5", minimum=0, maximum=1, label="Least score",
              description="Least score for an overlap to connect two standards."),
    *PARAMS[:5],
    Parameter("body", "iri", multiple=True, label="Published by", pick="body",
              description="Only the groups with at least one member published by one of "
                          "these standards bodies (sg:publisher); none chosen: every group."),
    status_param("Only the standards with one of these statuses (sg:status) take part: the "
                 "groups are made of such standards and of the strong overlaps between "
                 "them, so every member of a group has one of them."),
    *selection_params("the groups are made of such standards and of the strong overlaps "
                      "between them."),
    Parameter("members", "integer", default=str(CLUSTER_MEMBERS), minimum=0,
              label="Members listed",
              description=f"Most members listed for each cluster, the first by IRI (default "
                          f"{CLUSTER_MEMBERS}); size says how many there are; 0 = all."),
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
MATCH_READS = (SKOS + "exactMatch", SKOS + "closeMatch")
#: the relations of Q_RELATIONS, read from the snapshot's tables (with the sub-properties of
#: sg:references, Q_REFERENCE_PROPS)
RELATION_PROPS = tuple(SG + p for p in ("partOf", "hasPart", "supersedes", "supersededBy",
                                        "relatedTo", "references", "normativelyReferences",
                                        "basedOn"))
Q_REFERENCE_PROPS = PROLOGUE + "SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ sg:references }"
#: the links ``dimensions=all`` adds to the classifications
DIMENSIONS = (SG + "addressesBarrier", SG + "supportsTheme", SG + "concernsTechnology")
_PART = {SG + "partOf": False, SG + "hasPart": True}  # True: read backwards
_SUPERSEDES = {SG + "supersedes": False, SG + "supersededBy": True}
_RELATED_TO = SG + "relatedTo"
#: standards touched by the writes since the relations were kept, at most, for bringing them
#: up to date (``Relations.update``) rather than reading them all again
MAX_RELATION_UPDATE = 5000


# -- coverage ----------------------------------------------------------------------------------

@dataclass
class Coverage:
    """Standards (sorted by IRI), tokens, and each standard's token set."""

    standards: list[str]
    tokens: list[str]
    sets: list[frozenset[int]]
    #: with expand: standard index -> token -> the concepts it actually uses for that token
    actual: dict[int, dict[int, list[str]]] = field(default_factory=dict)
    #: what ``update_coverage`` needs: each standard's concepts and token set, token ids,
    #: concept -> representative, how many standards use each concept, the components of the
    #: links that merge concepts, and the classifications it was made from
    raw: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)
    by_std: Mapping[str, frozenset[int]] = field(default_factory=dict, repr=False)
    actual_by_std: Mapping[str, dict[int, list[str]]] = field(default_factory=dict, repr=False)
    token_id: dict[str, int] = field(default_factory=dict, repr=False)
    rep: dict[str, str] = field(default_factory=dict, repr=False)
    root: dict[str, str] = field(default_factory=dict, repr=False)
    used: dict[str, int] = field(default_factory=dict, repr=False)
    classified: Any = field(default=None, repr=False)
    #: brought up to date from an earlier coverage (``update_coverage``): the positions in
    #: it of the standards taken out, and those in this one of the standards put in (a
    #: standard whose concepts changed is both)
    removed: list[int] = field(default_factory=list, repr=False)
    added: list[int] = field(default_factory=list, repr=False)

    def index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.standards)}

    def _tokens_of(self, concepts: frozenset[str]) -> tuple[frozenset[int], dict[int, list[str]]]:
        """A standard's token set (new concepts get new ids) and, where a token stands for
        other concepts than itself, which."""
        m: dict[str, list[str]] = defaultdict(list)
        for e in sorted(concepts):
            m[self.rep.get(e, e)].append(e)
        ids = []
        for t in m:
            i = self.token_id.get(t)
            if i is None:
                i = self.token_id[t] = len(self.tokens)
                self.tokens.append(t)
            ids.append(i)
        diff = {self.token_id[t]: es for t, es in m.items() if es != [t]}
        return frozenset(ids), diff


def _concepts(reader: LinkReader, dimensions: str, only: Iterable[str] | None = None
              ) -> dict[str, frozenset[str]]:
    """standard -> the concepts of its coverage (``only``: for these standards)."""
    classified = reader.classified()
    dims = [reader.links(prop) for prop in DIMENSIONS] if dimensions == "all" else []
    subjects = (set(classified).union(*dims) if only is None else only)
    out = {}
    for s in subjects:
        concepts = set(classified.get(s, ()))
        for links in dims:
            concepts |= links.get(s, set())
        if concepts:
            out[s] = frozenset(concepts)
    return out


def fetch_coverage(store: Store, *, expand: bool = False, dimensions: str = "elements",
                   reader: LinkReader | None = None) -> Coverage:
    """Each standard's concepts, read through ``reader`` (its evidence level; default
    ``stated+reading``)."""
    reader = reader or LinkReader(store)
    snap = reader.snapshot
    raw = _concepts(reader, dimensions)
    standards = sorted(raw)
    links = same_element_pairs(store, snap)
    if expand:
        links += sorted((a, b) for a, p, b in reader.mappings() if p in MATCH_READS)
    used: dict[str, int] = defaultdict(int)
    for es in raw.values():
        for e in es:
            used[e] += 1
    cov = Coverage(standards, [], [], raw=raw, used=dict(used), classified=reader.classified())
    if links:
        cov.root = components(links)
        best: dict[str, str] = {}
        for node, r in cov.root.items():
            if node in used and (r not in best or node < best[r]):
                best[r] = node
        cov.rep = {node: best[r] for node, r in cov.root.items() if r in best}
    # token ids in IRI order (any order would do: ids only name tokens)
    cov.tokens = sorted({cov.rep.get(e, e) for e in used})
    cov.token_id = {t: i for i, t in enumerate(cov.tokens)}
    by_std: dict[str, frozenset[int]] = {}
    actual_by_std: dict[str, dict[int, list[str]]] = {}
    for s in standards:
        by_std[s], diff = cov._tokens_of(raw[s])
        if diff:
            actual_by_std[s] = diff
    cov.sets = [by_std[s] for s in standards]
    cov.raw, cov.by_std, cov.actual_by_std = layered(raw), layered(by_std), layered(actual_by_std)
    cov.actual = _actual(cov)
    return cov


def _actual(cov: Coverage) -> dict[int, dict[int, list[str]]]:
    return {bisect.bisect_left(cov.standards, s): diff for s, diff in cov.actual_by_std.items()}


def update_coverage(old: Coverage, reader: LinkReader, dirty: Dirty, expand: bool,
                    dimensions: str) -> Coverage | None:
    """``old`` brought up to date with the writes ``dirty`` describes: the standards whose
    concepts changed are mapped again; None when the writes changed which concepts are merged
    (a representative may change for every standard: compute afresh)."""
    merging = {SG + "sameElementAs", *(MATCH_READS if expand else ())}
    # (a changed record of a mapping names the mapping's property in ``subjects`` only)
    if dirty.everything or (dirty.reads | dirty.subjects.keys()) & merging \
            or old.classified is None:
        return None
    new_classified = reader.classified()
    changed = reader.classification_changes(dirty, old.classified, new_classified)
    if dimensions == "all":
        changed |= dirty.touched(DIMENSIONS, (STANDARD,))
    if not changed:
        return old
    fresh = _concepts(reader, dimensions, changed)
    used = dict(old.used)
    flipped: set[str] = set()
    for s in changed:
        before, after = old.raw.get(s, frozenset()), fresh.get(s, frozenset())
        for e in before - after:
            used[e] -= 1
            if not used[e]:
                del used[e]
                flipped.add(e)
        for e in after - before:
            used[e] = used.get(e, 0) + 1
            if used[e] == 1:
                flipped.add(e)
    if flipped & old.root.keys():
        return None  # a component's representative may be another concept now
    # (the token numbers are shared with the old coverage unless a concept is new)
    new_token = any(old.rep.get(e, e) not in old.token_id for cs in fresh.values() for e in cs)
    cov = Coverage(list(old.standards), list(old.tokens) if new_token else old.tokens, [],
                   token_id=dict(old.token_id) if new_token else old.token_id, rep=old.rep,
                   root=old.root, used=used, classified=new_classified)
    raw, by_std = layered(old.raw).edit(), layered(old.by_std).edit()
    actual_by_std = layered(old.actual_by_std).edit()
    sets = list(old.sets)
    removed = sorted(bisect.bisect_left(old.standards, s) for s in changed if s in old.raw)
    for x in reversed(removed):
        del cov.standards[x], sets[x]
    put = []
    for s in sorted(changed):
        concepts = fresh.get(s)
        actual_by_std.pop(s, None)
        if concepts:
            raw[s] = concepts
            by_std[s], diff = cov._tokens_of(concepts)
            if diff:
                actual_by_std[s] = diff
            x = bisect.bisect_left(cov.standards, s)
            cov.standards.insert(x, s)
            sets.insert(x, by_std[s])
            put.append(s)
        elif s in raw:
            raw.pop(s)
            by_std.pop(s)
    cov.raw, cov.by_std, cov.actual_by_std = raw.done(), by_std.done(), actual_by_std.done()
    cov.sets = sets
    cov.removed = removed
    cov.added = [bisect.bisect_left(cov.standards, s) for s in put]
    cov.actual = _actual(cov)
    return cov


# -- the pair engine ---------------------------------------------------------------------------

class PairIndex:
    """Overlapping pairs of a coverage, produced lazily in the documented order.

    ``pairs()`` yields ``(a, b, shared, union)`` with standard indices ``a < b`` (indices follow
    IRI order) sorted by Jaccard desc, shared desc, a, b; ``pairs_at_least(t)`` gives every
    pair of groups with score >= t, for clusters.

    The standards with the same set form a *group*; groups are numbered once. An index brought
    up to date after a write (:meth:`updated`) keeps every group's number and the order of its
    tokens, numbers the new sets' groups after the others, and keeps a group whose standards
    have all gone (empty: none of its pairs yields a pair of standards) until the empty ones
    grow to a share of all (then it is made afresh). So what depends only on the groups' sets
    carries over from one version to the next (the pairs of groups per score band, kept as
    they are found; the cluster edges, ``lineage``) and a write costs the pairs of its new
    groups, not those of the store."""

    BANDS = [Fraction(k, 10) for k in range(9, -1, -1)]  # 0.9, 0.8, ..., 0
    #: candidate pairs verified per numpy batch (bounds memory: each candidate costs about ten
    #: int64 temporaries; 4M of them took `stdgraph analyse clusters --limit 0` at 100k
    #: standards to 1,075 MiB peak, 1M to 873 MiB)
    BATCH = 1_000_000
    #: an updated index is made afresh when more than this share of its groups is empty
    #: (and at least EMPTY_MIN of them)
    EMPTY_SHARE = 8
    EMPTY_MIN = 64
    #: the most pairs of groups of one score band kept with the index (``band``)
    BAND_KEEP = 1_000_000
    #: the pairs kept from the head of ``pairs()`` (``head``), at least; at most HEAD_MAX
    HEAD = 2002
    #: groups added since the postings (token -> groups) were made, at most, before they are
    #: made again (an updated index checks them one by one)
    POSTED_LAG = 4096
    HEAD_MAX = 100_000

    def __init__(self, sets: list[frozenset[int]], n_tokens: int, min_shared: int) -> None:
        self.m = min_shared
        self.n = len(sets)
        groups: dict[frozenset[int], list[int]] = {}
        for i, s in enumerate(sets):
            if len(s) >= min_shared:
                groups.setdefault(s, []).append(i)
        # signatures in a fixed order: by their smallest member (members are ascending)
        order = sorted(groups.items(), key=lambda kv: kv[1][0])
        self.sigs = [s for s, _ in order]
        #: how many standards each group holds, and the standards, group after group
        self.count = np.array([len(m) for _, m in order], dtype=np.int64)
        self.member_std = np.fromiter((x for _, m in order for x in m), dtype=np.int64,
                                      count=int(self.count.sum()))
        self.member_off = np.concatenate(([0], np.cumsum(self.count))).astype(np.int64)
        self.group_at: Layered[frozenset[int], int] = layered(
            {s: g for g, s in enumerate(self.sigs)})
        sizes = np.array([len(s) for s in self.sigs], dtype=np.int64)
        sig = np.repeat(np.arange(len(self.sigs), dtype=np.int64), sizes)
        tok = np.fromiter((t for s in self.sigs for t in s), dtype=np.int64, count=len(sig))
        # global token order: rarest first (number of standards using it), then token id
        freq = np.zeros(max(n_tokens, 1), dtype=np.int64)
        np.add.at(freq, tok, self.count[sig])
        self.rank = np.empty_like(freq)
        self.rank[np.lexsort((np.arange(len(freq)), freq))] = np.arange(len(freq))
        self.sizes, self.flat_sig, self.flat_tok, self.position, self.bits = self._rows(
            self.sigs, 0, self.rank, max(1, (n_tokens + 63) // 64))
        #: the chain of indexes that number their groups alike (this one and those updated
        #: from it)
        self.lineage = object()
        self._postings: tuple[np.ndarray, np.ndarray] | None = None  # token -> groups
        #: the groups the postings cover (those before this number): an updated index keeps
        #: its predecessor's and looks at its later groups one by one
        self._posted = 0
        self._group_of: np.ndarray | None = None
        #: (t, upper) -> the pairs of groups in that score band, as found (set_pairs)
        self._bands: dict[tuple[Fraction, Fraction | None],
                          tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        #: the first pairs of ``pairs()`` (``head``), and whether they are all of them
        self._head: list[tuple[int, int, int, int]] | None = None
        self._head_all = False

    @staticmethod
    def _rows(sigs: list[frozenset[int]], first: int, rank: np.ndarray, words: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The sizes, the flat (group, token) rows (each group's tokens in ``rank`` order),
        the tokens' positions in their group, and the bit sets of groups ``first``,
        ``first + 1``, ... with sets ``sigs``."""
        sizes = np.array([len(s) for s in sigs], dtype=np.int64)
        local = np.repeat(np.arange(len(sigs), dtype=np.int64), sizes)
        tok = np.fromiter((t for s in sigs for t in s), dtype=np.int64, count=len(local))
        by_rank = np.lexsort((rank[tok], local))
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])) if len(sigs) else \
            np.zeros(0, dtype=np.int64)
        position = np.arange(len(local), dtype=np.int64) - np.repeat(starts, sizes)
        bits = np.zeros((len(sigs), words), dtype=np.uint64)
        np.bitwise_or.at(bits, (local, tok // 64),
                         np.left_shift(np.uint64(1), (tok % 64).astype(np.uint64)))
        return sizes, local[by_rank] + first, tok[by_rank], position, bits

    def members_of(self, g: int) -> list[int]:
        """The standards of group ``g`` (indices, ascending)."""
        found: list[int] = self.member_std[self.member_off[g]:self.member_off[g + 1]].tolist()
        return found

    @property
    def members(self) -> list[list[int]]:
        """Every group's standards (a list per group: costs a pass over every standard)."""
        return [self.members_of(g) for g in range(len(self.sigs))]

    # -- a new version ---------------------------------------------------------------------
    def updated(self, sets: list[frozenset[int]], n_tokens: int, removed: Iterable[int],
                added: Iterable[int]) -> PairIndex:
        """This index for ``sets``, the next version of the coverage: the standards at
        positions ``removed`` of the old one were taken out and those at positions ``added``
        of the new one put in (a standard whose set changed is both); the others kept their
        sets and their order. The new index shares what did not change."""
        gone = np.array(sorted(set(removed)), dtype=np.int64)
        came = np.array(sorted(set(added)), dtype=np.int64)
        n_old, n_new = self.n, len(sets)
        if n_old - len(gone) != n_new - len(came):
            raise ValueError("the positions removed and added do not match the sizes")
        keep = np.ones(n_old, dtype=bool)
        keep[gone] = False
        slots = np.ones(n_new, dtype=bool)
        slots[came] = False
        moved = np.full(n_old + 1, -1, dtype=np.int64)
        moved[:n_old][keep] = np.flatnonzero(slots)
        n_groups = len(self.sigs)
        stride = n_new + 1
        group = np.repeat(np.arange(n_groups, dtype=np.int64), self.count)
        std = moved[self.member_std]
        alive = std >= 0
        keys = group[alive] * stride + std[alive]  # still ascending: moved keeps the order
        group_at = self.group_at.edit()
        new_sigs: list[frozenset[int]] = []
        add = []
        for x in came.tolist():
            s = sets[x]
            if len(s) < self.m:
                continue
            g = group_at.get(s)
            if g is None:
                g = group_at[s] = n_groups + len(new_sigs)
                new_sigs.append(s)
            add.append(g * stride + x)
        if add:
            extra = np.sort(np.array(add, dtype=np.int64))
            keys = np.insert(keys, np.searchsorted(keys, extra), extra)
        total = n_groups + len(new_sigs)
        count = np.bincount(keys // stride, minlength=total).astype(np.int64)
        if int((count == 0).sum()) > max(self.EMPTY_MIN, total // self.EMPTY_SHARE):
            return PairIndex(sets, n_tokens, self.m)
        new = PairIndex.__new__(PairIndex)
        new.m, new.n, new.lineage = self.m, n_new, self.lineage
        new.sigs = self.sigs + new_sigs
        new.count, new.member_std = count, keys % stride
        new.member_off = np.concatenate(([0], np.cumsum(count))).astype(np.int64)
        new.group_at = group_at.done()
        # tokens seen for the first time come last in the order
        rank = self.rank
        if n_tokens > len(rank):
            rank = np.concatenate((rank, np.arange(len(rank), n_tokens, dtype=np.int64)))
        new.rank = rank
        words = max(self.bits.shape[1], (n_tokens + 63) // 64)
        bits = self.bits
        if words > bits.shape[1]:
            bits = np.pad(bits, ((0, 0), (0, words - bits.shape[1])))
        sizes, flat_sig, flat_tok, position, more = self._rows(new_sigs, n_groups, rank, words)
        new.sizes = np.concatenate((self.sizes, sizes))
        new.flat_sig = np.concatenate((self.flat_sig, flat_sig))
        new.flat_tok = np.concatenate((self.flat_tok, flat_tok))
        new.position = np.concatenate((self.position, position))
        new.bits = np.concatenate((bits, more))
        # the postings stay (their groups kept their numbers); the new groups are checked
        # one by one until they are many (``POSTED_LAG``: then the postings are made again)
        new._postings, new._posted = self._postings, self._posted
        new._group_of = None
        new._bands = {}
        new._head, new._head_all = None, False
        if self._head is not None:
            new._head, new._head_all = self._head_update(new, moved, came)
        if self._bands:
            # the pairs of groups found so far stay; the new groups' pairs join their bands
            news = [(k, *new.partners_shared(k, Fraction(0))) for k in range(n_groups, total)]
            pi = np.concatenate([np.minimum(js, k) for k, js, _sh in news] or [_EMPTY])
            pj = np.concatenate([np.maximum(js, k) for k, js, _sh in news] or [_EMPTY])
            psh = np.concatenate([sh for _k, _js, sh in news] or [_EMPTY])
            first = np.unique(pi * total + pj, return_index=True)[1]  # once each
            pi, pj, psh = pi[first], pj[first], psh[first]
            pun = new.sizes[pi] + new.sizes[pj] - psh
            for (t, upper), (i, j, sh, un) in self._bands.items():
                inside = psh * t.denominator >= t.numerator * pun
                if upper is not None:
                    inside &= psh * upper.denominator < upper.numerator * pun
                new._bands[(t, upper)] = (np.concatenate((i, pi[inside])),
                                          np.concatenate((j, pj[inside])),
                                          np.concatenate((sh, psh[inside])),
                                          np.concatenate((un, pun[inside])))
        return new

    def _head_update(self, new: PairIndex, moved: np.ndarray, came: np.ndarray
                     ) -> tuple[list[tuple[int, int, int, int]] | None, bool]:
        """``new``'s head of pairs from this index's: the pairs between standards kept (at
        their new positions: the order among them does not change) and the pairs of the
        standards put in, as far as both are known (up to the last pair kept, unless this
        head held every pair)."""
        assert self._head is not None
        kept = [(int(moved[a]), int(moved[b]), s, u) for a, b, s, u in self._head
                if moved[a] >= 0 and moved[b] >= 0]
        if not self._head_all and not kept:
            return None, False
        last = None if self._head_all else kept[-1]
        bound = Fraction(0) if last is None else Fraction(last[2], last[3])
        fresh: set[tuple[int, int, int, int]] = set()
        for x in came.tolist():
            g = new.group_of(x)
            if g is None:
                continue
            size = int(new.sizes[g])
            fresh.update((min(x, b), max(x, b), size, size) for b in new.members_of(g) if b != x)
            for j, sh in zip(*(a.tolist() for a in new.partners_shared(g, bound)), strict=True):
                union = size + int(new.sizes[j]) - sh
                fresh.update((min(x, b), max(x, b), sh, union) for b in new.members_of(j))
        if last is not None:  # (the written standards' pairs past the last one kept: unknown)
            end = _pair_key(last)
            fresh = {p for p in fresh if _pair_key(p) <= end}
        merged = sorted(set(kept) | fresh, key=_pair_key)
        if last is not None:
            # no longer than it was: a written standard in a large group of equal sets has
            # pairs with every member up to the last pair kept, and the head would grow with
            # each such write (the first pairs of all are still the first pairs)
            del merged[len(self._head):]
        return merged, self._head_all

    def head(self, k: int) -> list[tuple[int, int, int, int]]:
        """The first ``k`` pairs of ``pairs()`` (all of them when fewer), kept with the index
        and carried over to the next version (``updated``: a write costs its standards'
        pairs, not the pairs enumerated again)."""
        held = self._head
        if held is not None and (len(held) >= k or self._head_all):
            return held[:k]
        want = max(k, self.HEAD)
        found = list(itertools.islice(self.pairs(), want))
        if want <= self.HEAD_MAX:
            self._head, self._head_all = found, len(found) < want
        return found[:k]

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

    def band(self, t: Fraction, upper: Fraction | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``set_pairs(t, upper)`` between groups that hold standards, kept with the index
        (and carried over to the next version: :meth:`updated`)."""
        found = self._bands.get((t, upper))
        if found is None:
            found = self.set_pairs(t, upper)
            if len(found[0]) <= self.BAND_KEEP:
                self._bands[(t, upper)] = found
        i, j, shared, union = found
        held = self.count > 0
        if not held.all():
            keep = held[i] & held[j]
            i, j, shared, union = i[keep], j[keep], shared[keep], union[keep]
        return i, j, shared, union

    def set_pairs(self, t: Fraction, upper: Fraction | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of distinct signatures (i < j) with shared >= m and t <= J (< upper):
        arrays i, j, shared, union (empty groups included: see ``band``)."""
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
        mem = self.members_of(g)
        for x in range(len(mem)):
            a = mem[x]
            for b in mem[x + 1:]:
                yield a, b

    def _across(self, g1: int, g2: int) -> Iterator[tuple[int, int]]:
        x, y = self.members_of(g1), self.members_of(g2)
        for a, side in heapq.merge(((v, 0) for v in x), ((v, 1) for v in y)):
            other = y if side == 0 else x
            for b in other[bisect.bisect_right(other, a):]:
                yield a, b

    def pairs(self) -> Iterator[tuple[int, int, int, int]]:
        # band "1": pairs inside a group of identical sets, larger sets first
        multi = np.flatnonzero(self.count > 1)
        multi_size = self.sizes[multi]
        for size in sorted(set(multi_size.tolist()), reverse=True):
            gens = [self._within(g) for g in multi[multi_size == size].tolist()]
            for a, b in heapq.merge(*gens):
                yield a, b, size, size
        upper = Fraction(1)
        for t in self.BANDS:
            i, j, shared, union = self.band(t, upper)
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

    def group_of(self, standard: int) -> int | None:
        """The group of a standard (index), None when its set is too small to overlap."""
        if self._group_of is None:
            at = np.full(self.n, -1, dtype=np.int64)
            at[self.member_std] = np.repeat(np.arange(len(self.sigs), dtype=np.int64),
                                            self.count)
            self._group_of = at
        g = int(self._group_of[standard]) if 0 <= standard < self.n else -1
        return None if g < 0 else g

    def partners(self, k: int, t: Fraction) -> np.ndarray:
        """The groups j != k whose set shares at least ``m`` tokens with group k's and has a
        score of at least ``t`` with it (empty groups included)."""
        return self.partners_shared(k, t)[0]

    def partners_shared(self, k: int, t: Fraction) -> tuple[np.ndarray, np.ndarray]:
        """``partners`` and how many tokens each shares with group k."""
        if self._postings is None or len(self.sigs) - self._posted > self.POSTED_LAG:
            order = np.argsort(self.flat_tok, kind="stable")
            n_tok = int(self.flat_tok.max()) + 1 if len(self.flat_tok) else 1
            self._postings = (self.flat_sig[order],
                              np.searchsorted(self.flat_tok[order], np.arange(n_tok + 1)))
            self._posted = len(self.sigs)
        by_tok, off = self._postings
        toks = np.fromiter(self.sigs[k], dtype=np.int64)
        toks = toks[toks < len(off) - 1]
        lens = off[toks + 1] - off[toks]
        cand = np.unique(by_tok[_ranges(off[toks], lens)])
        if self._posted < len(self.sigs):  # groups the postings do not cover: each a candidate
            cand = np.union1d(cand, np.arange(self._posted, len(self.sigs), dtype=np.int64))
        cand = cand[cand != k]
        shared = np.zeros(len(cand), dtype=np.int64)
        for w in range(self.bits.shape[1]):
            shared += np.bitwise_count(self.bits[cand, w] & self.bits[k, w]).astype(np.int64)
        union = self.sizes[cand] + self.sizes[k] - shared
        keep = (shared >= self.m) & (shared * t.denominator >= t.numerator * union)
        return cand[keep], shared[keep]

    def pairs_at_least(self, t: Fraction) -> Iterator[tuple[int, int]]:
        """(group, group) pairs with score >= t, plus (g, g) for groups of 2+ members."""
        for g in np.flatnonzero(self.count > 1).tolist():
            yield g, g
        i, j, _s, _u = self.band(t)
        yield from zip(i.tolist(), j.tolist(), strict=True)


_EMPTY = np.zeros(0, dtype=np.int64)


def _pair_key(p: tuple[int, int, int, int]) -> tuple[float, int, int, int]:
    """The documented order of pairs (a, b, shared, union): score, shared (both descending),
    a, b. (The score as a float, as ``pairs`` orders its bands: equal fractions divide to
    the same float, and two scores of such small numbers differ by far more than its
    precision.)"""
    return (-p[2] / p[3], -p[2], p[0], p[1])



class FullPairs:
    """Every overlapping pair of a :class:`PairIndex`, in the documented order (score desc,
    shared desc, a, b), with memory bounded by a constant rather than by the number of pairs:
    what ``limit=0`` streams.

    One pass over the standards in IRI order finds each one's partners b > a (the groups of
    sets sharing at least ``min_shared`` tokens with its own, through a token -> groups index,
    in numpy), and files each pair under its class (shared, union): pairs go to a temporary
    file in batches, a class's pairs in (a, b) order, since the pass goes a by a and sorts each
    a's partners. :meth:`__iter__` then reads the classes back best first: each class is one
    score and one shared count, so that is the documented order with no sort of the pairs.
    ``keep(a, bs)`` (a boolean mask over the partner indices ``bs``) drops pairs as they are
    found (a filter over the pairs; none by default). ``count`` is the number of pairs, known
    before the first.
    """

    #: pairs gathered before they are sorted into their classes and written
    BATCH = 1 << 20
    #: a standard's candidate groups are counted in an array of every group (rather than
    #: sorted) when they are at least 1/DENSE of the groups: at 100k standards a standard
    #: has some 100k candidates among 73k groups, and sorting them was half the pass
    DENSE = 16

    def __init__(self, index: PairIndex, n_standards: int,
                 keep: Callable[[int, np.ndarray], np.ndarray] | None = None,
                 beat: Callable[[], None] | None = None) -> None:
        import tempfile
        import time

        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close() or the GC
        self.chunks: dict[int, list[tuple[int, int]]] = defaultdict(list)  # class -> (at, n)
        self.count = 0
        m = index.m
        sizes = index.sizes
        n_sigs = len(index.sigs)
        top = int(sizes.max()) if n_sigs else 1
        self.width = width = 2 * top + 1  # class key: shared * width + union
        classes = sorted(((sh, un) for sh in range(1, top + 1) for un in range(sh, 2 * top + 1)),
                         key=lambda c: (-Fraction(c[0], c[1]), -c[0]))
        self.classes = classes
        cls_of = np.full(width * width, -1, dtype=np.int64)
        for k, (sh, un) in enumerate(classes):
            cls_of[sh * width + un] = k
        mem_len, mem_off, mem_flat = index.count, index.member_off, index.member_std
        sig_of = np.full(n_standards, -1, dtype=np.int64)
        sig_of[mem_flat] = np.repeat(np.arange(n_sigs, dtype=np.int64), mem_len)
        # token -> groups holding it; group -> its tokens
        order = np.argsort(index.flat_tok, kind="stable")
        by_tok, tok_sig = index.flat_tok[order], index.flat_sig[order]
        n_tok = int(index.flat_tok.max()) + 1 if len(index.flat_tok) else 1
        tok_off = np.searchsorted(by_tok, np.arange(n_tok + 1))
        sig_start = np.concatenate(([0], np.cumsum(sizes)))
        batch_a: list[np.ndarray] = []
        batch_b: list[np.ndarray] = []
        batch_c: list[np.ndarray] = []
        held = 0
        next_beat = time.monotonic() + 1.0
        for a in range(n_standards):
            i = int(sig_of[a])
            if i < 0:
                continue
            if beat is not None and not a % 256 and time.monotonic() > next_beat:
                beat()
                next_beat = time.monotonic() + 1.0
            toks = index.flat_tok[sig_start[i]:sig_start[i + 1]]
            lens = tok_off[toks + 1] - tok_off[toks]
            cand = tok_sig[_ranges(tok_off[toks], lens)]
            if len(cand) * self.DENSE >= n_sigs:  # many candidates: counted, not sorted
                counts = np.bincount(cand, minlength=n_sigs)
                counts[i] = 0
                js = np.flatnonzero(counts >= m)
                shared = counts[js]
            else:
                js, shared = np.unique(cand, return_counts=True)
                ok = (shared >= m) & (js != i)
                js, shared = js[ok], shared[ok]
            keys = shared * width + (sizes[i] + sizes[js] - shared)
            lens = mem_len[js]
            bs = mem_flat[_ranges(mem_off[js], lens)]
            ks = np.repeat(keys, lens)
            own = mem_flat[mem_off[i]:mem_off[i + 1]]
            own = own[own > a]
            if len(own):
                bs = np.concatenate((bs, own))
                ks = np.concatenate((ks, np.full(len(own), sizes[i] * width + sizes[i])))
            later = bs > a
            bs, ks = bs[later], ks[later]
            if keep is not None and len(bs):
                kept = keep(a, bs)
                bs, ks = bs[kept], ks[kept]
            if not len(bs):
                continue
            by_b = np.argsort(bs, kind="stable")
            batch_a.append(np.full(len(bs), a, dtype=np.uint32))
            batch_b.append(bs[by_b].astype(np.uint32))
            batch_c.append(cls_of[ks[by_b]])
            held += len(bs)
            if held >= self.BATCH:
                self._write(batch_a, batch_b, batch_c)
                held = 0
        self._write(batch_a, batch_b, batch_c)

    def _write(self, batch_a: list[np.ndarray], batch_b: list[np.ndarray],
               batch_c: list[np.ndarray]) -> None:
        if not batch_a:
            return
        a, b, c = (np.concatenate(x) for x in (batch_a, batch_b, batch_c))
        batch_a.clear()
        batch_b.clear()
        batch_c.clear()
        order = np.argsort(c, kind="stable")  # keeps (a, b) order inside a class
        a, b, c = a[order], b[order], c[order]
        cuts = np.flatnonzero(np.diff(c)) + 1
        for lo, hi in zip(np.concatenate(([0], cuts)).tolist(),
                          np.concatenate((cuts, [len(c)])).tolist(), strict=True):
            pairs = np.empty((hi - lo, 2), dtype=np.uint32)
            pairs[:, 0], pairs[:, 1] = a[lo:hi], b[lo:hi]
            at = self.file.seek(0, 2)
            self.file.write(pairs.tobytes())
            self.chunks[int(c[lo])].append((at, hi - lo))
            self.count += hi - lo

    def __iter__(self) -> Iterator[tuple[int, int, int, int]]:
        """(a, b, shared, union), best class first."""
        for sh, un, a_s, b_s in self.blocks(self.BATCH):
            for a, b in zip(a_s, b_s, strict=True):
                yield a, b, sh, un

    def blocks(self, size: int) -> Iterator[tuple[int, int, list[int], list[int]]]:
        """The pairs in the order of :meth:`__iter__`, in blocks of at most ``size`` pairs of
        one class: (shared, union, the a's, the b's)."""
        for k in sorted(self.chunks):
            sh, un = self.classes[k]
            for at, n in self.chunks[k]:
                for lo in range(0, n, size):
                    count = min(size, n - lo)
                    self.file.seek(at + 8 * lo)
                    data = np.frombuffer(self.file.read(8 * count), dtype=np.uint32)
                    pairs = data.reshape(-1, 2)
                    yield sh, un, pairs[:, 0].tolist(), pairs[:, 1].tolist()

    def close(self) -> None:
        self.file.close()


def _put(mapping: Any, key: Any, values: Any) -> None:
    """``values`` under ``key`` in ``mapping`` when there are any, else no entry for ``key``
    (the relations keep no empty sets)."""
    if values:
        mapping[key] = values
    else:
        mapping.pop(key, None)


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The indices starts[0]..starts[0]+lens[0]-1, starts[1].., one array."""
    total = int(lens.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lens)
    return np.repeat(starts - (ends - lens), lens) + np.arange(total, dtype=np.int64)


# -- relations between standards ---------------------------------------------------------------

def chain_edge(a: str, p: str, b: str) -> tuple[str, str, str] | None:
    """``a p b`` as the edge a part-of or supersession path follows: ``("part-of", part,
    whole)`` or ``("supersession", superseding, superseded)``; None for a direct relation."""
    if p in _PART:
        return ("part-of", b, a) if _PART[p] else ("part-of", a, b)
    if p in _SUPERSEDES:
        return ("supersession", b, a) if _SUPERSEDES[p] else ("supersession", a, b)
    return None


class Relations:
    """Part-of (transitive, either direction), supersession (transitive, either direction),
    sg:relatedTo and references (any sub-property of sg:references) between standards, from
    relation rows ``(a, property, b, graph)``: all of them (``of``), or those a page reads
    around one standard (``stdgraph.catalog.findings``)."""

    def __init__(self, found: Iterable[tuple[str, str, str, str]] = ()) -> None:
        part: dict[str, set[str]] = defaultdict(set)  # x -> wholes x is part of
        sup: dict[str, set[str]] = defaultdict(set)  # x -> what x supersedes
        direct: dict[frozenset[str], dict[str, set[str]]] = defaultdict(
            lambda: defaultdict(set))  # {a,b} -> property -> graphs
        edge_graphs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for a, p, b, g in found:
            if a == b:
                continue
            edge = chain_edge(a, p, b)
            if edge is None:
                direct[frozenset((a, b))][p].add(g)
                edge_graphs[("direct:" + p, a, b)].add(g)
            else:
                kind, x, y = edge
                (part if kind == "part-of" else sup)[x].add(y)
                edge_graphs[edge].add(g)
        # (read-only from here on: a version brought up to date shares what did not change)
        self.part: Mapping[str, set[str]] = part
        self.sup: Mapping[str, set[str]] = sup
        self.direct: Mapping[frozenset[str], Mapping[str, set[str]]] = direct
        self.edge_graphs: Mapping[tuple[str, str, str], set[str]] = edge_graphs
        self._nodes: set[str] | None = None
        # for ``related``, made when first asked for: part-of and supersession turned round,
        # standard -> those directly related to it
        self._around: tuple[dict[str, set[str]], dict[str, set[str]],
                            dict[str, set[str]]] | None = None
        #: the rows read, by their first standard (``of``: for bringing the relations up to
        #: date, ``updated``); None when not kept
        self.by_subject: Mapping[str, tuple[tuple[str, str, str, str], ...]] | None = None

    @property
    def nodes(self) -> set[str]:
        """Every standard with a relation (the others are related to none)."""
        if self._nodes is None:
            self._nodes = {x for _kind, a, b in self.edge_graphs for x in (a, b)}
        return self._nodes

    def updated(self, subjects: Mapping[str, tuple[tuple[str, str, str, str], ...]]
                ) -> Relations:
        """These relations with the rows of ``subjects`` (standard -> its rows now, each
        ``(standard, property, b, graph)``) in place of those they had (``by_subject``): a
        new ``Relations`` sharing what did not change (this one stays as it is)."""
        assert self.by_subject is not None
        new = Relations()
        part, sup = layered(self.part).edit(), layered(self.sup).edit()
        direct, edge_graphs = layered(self.direct).edit(), layered(self.edge_graphs).edit()
        touched: dict[tuple[str, str, str], tuple[tuple[str, str, str] | None, str, str,
                                                  str]] = {}
        for found, add in ((r for s in subjects for r in self.by_subject.get(s, ())), False), \
                (((r for rs in subjects.values() for r in rs)), True):
            for a, p, b, g in found:
                if a == b:
                    continue
                edge = chain_edge(a, p, b)
                key = edge if edge is not None else ("direct:" + p, a, b)
                graphs = set(edge_graphs.get(key, ()))
                if add:
                    graphs.add(g)
                else:
                    graphs.discard(g)
                _put(edge_graphs, key, graphs)
                touched[key] = (edge, p, a, b)
        for key, (edge, p, a, b) in touched.items():
            if edge is None:  # the pair's graphs of p, either way
                pair = frozenset((a, b))
                props = {q: gs for q, gs in direct.get(pair, {}).items() if q != p}
                gs = set(edge_graphs.get(key, ())) | set(
                    edge_graphs.get(("direct:" + p, b, a), ()))
                if gs:
                    props[p] = gs
                _put(direct, pair, props)
            else:
                kind, x, y = edge
                towards = part if kind == "part-of" else sup
                ys = set(towards.get(x, ()))
                if key in edge_graphs:
                    ys.add(y)
                else:
                    ys.discard(y)
                _put(towards, x, ys)
        new.part, new.sup = part.done(), sup.done()
        new.direct, new.edge_graphs = direct.done(), edge_graphs.done()
        by_subject = layered(self.by_subject).edit()
        for s, held in subjects.items():
            if held:
                by_subject[s] = held
            else:
                by_subject.pop(s, None)
        new.by_subject = by_subject.done()
        return new

    @classmethod
    def of(cls, store: Store, snap: Snapshot | None = None,
           reader: LinkReader | None = None) -> Relations:
        """Every relation of the store (Q_RELATIONS, or the snapshot's tables) whose link
        counts at the evidence level of ``reader`` (``LinkReader.counted``: from a standard,
        each graph of a counted link; default ``stated+reading``)."""
        found = (relation_rows(store, snap) if snap is not None
                 else [(str(a), str(p), str(b), str(g))
                       for a, p, b, g in store.query(Q_RELATIONS).rows])
        reader = reader or LinkReader(store, snapshot=snap)
        counted = reader.counted(found)
        out = cls(counted)
        if snap is not None:  # kept with the snapshot: made ready for ``updated``
            by_subject: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
            for row in counted:
                by_subject[row[0]].append(row)
            out.by_subject = layered({s: tuple(rs) for s, rs in by_subject.items()})
            out.part, out.sup = layered(dict(out.part)), layered(dict(out.sup))
            out.direct = layered({k: dict(v) for k, v in out.direct.items()})
            out.edge_graphs = layered(dict(out.edge_graphs))
        return out

    @classmethod
    def update(cls, old: Relations, store: Store, snap: Snapshot, reader: LinkReader,
               dirty: Dirty) -> Relations | None:
        """``old`` (an earlier version's ``of``) brought up to date with the rows of the
        standards the writes since touched (a relation property's triple, a record about
        one, their typing as standards); None when it cannot be (the reference properties
        or an evidence default changed, or too much did: made afresh)."""
        if (old.by_subject is None or dirty.everything
                or RDFS + "subPropertyOf" in dirty.reads):
            return None
        props = sorted(set(RELATION_PROPS) | reference_props(store, snap))
        subjects = dirty.touched(props, [STANDARD])
        if not subjects:
            return old
        if len(subjects) > MAX_RELATION_UPDATE:
            return None
        tables = [(p, snap.table(store, p)) for p in props]
        now: dict[str, tuple[tuple[str, str, str, str], ...]] = {}
        for s in subjects:
            found = [(s, p, b, g) for p, table in tables
                     for b, graphs in table.get(s, {}).items() if isinstance(b, str)
                     for g in graphs if g is not None]
            now[s] = tuple(reader.counted(found))
        return old.updated(now)

    @staticmethod
    def _path(graph: Mapping[str, set[str]], start: str, goal: str) -> list[str] | None:
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

    def related(self, x: str) -> set[str]:
        """Every standard ``between`` finds a relation of ``x`` with, read from ``x`` rather
        than pair by pair: a part-of or supersession path from it or to it, or a direct
        relation either way."""
        if x not in self.nodes:
            return set()
        if self._around is None:
            direct: dict[str, set[str]] = defaultdict(set)
            for pair in self.direct:
                for y in pair:
                    direct[y] |= pair
            self._around = (inverse(self.part), inverse(self.sup), direct)
        part_in, sup_in, direct = self._around
        out = set(direct.get(x, ()))
        for graph in (self.part, part_in, self.sup, sup_in):
            out |= reachable(graph, x)
        out.discard(x)
        return out

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


def reference_props(store: Store, snap: Snapshot | None = None) -> set[str]:
    """sg:references, sg:normativelyReferences, sg:basedOn and every sub-property of
    sg:references."""
    props = {SG + "references", SG + "normativelyReferences", SG + "basedOn"}
    props |= {str(p) for (p,) in rows(store, snap, Q_REFERENCE_PROPS, [RDFS + "subPropertyOf"])}
    return props


def relation_rows(store: Store, snap: Snapshot) -> list[tuple[str, str, str, str]]:
    """Q_RELATIONS' rows from the snapshot's tables: (a, property, b, named graph), b an
    IRI."""
    def compute() -> list[tuple[str, str, str, str]]:
        out = []
        for p in sorted(set(RELATION_PROPS) | reference_props(store, snap)):
            for a, objs in snap.table(store, p).items():
                for b, graphs in objs.items():
                    if isinstance(b, str):
                        out += [(a, p, b, g) for g in graphs if g is not None]
        return out
    return snap.memoised("relation-rows", compute)


def classification_graphs(store: Store, standards: list[str], snap: Snapshot | None = None
                          ) -> dict[tuple[str, str], set[str]]:
    """(standard, element) -> named graphs holding ``standard sg:classifiedIn element``."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    if not standards:
        return out
    if snap is not None:
        table = snap.table(store, SG + "classifiedIn")
        for s in standards:
            for e, graphs in table.get(s, {}).items():
                named = {g for g in graphs if g is not None}
                if named:
                    out[(s, text(e))] |= named
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
    """Coverage, pair engine and relations of one store, reusable by any caller of the pairs."""

    store: Store
    min_shared: int = 2
    expand: bool = False
    dimensions: str = "elements"
    evidence: Evidence = field(default_factory=Evidence)

    snapshot: Snapshot | None = None

    def __post_init__(self) -> None:
        if self.snapshot is None and self.store.kind in FAST_KINDS:
            self.snapshot = snapshot(self.store)
        self.reader = LinkReader(self.store, self.evidence, snapshot=self.snapshot)
        # kept with the snapshot: the same for every request on one store version
        self.coverage, self.index = self.reader.memoised(
            ("overlap-index", self.min_shared, self.expand, self.dimensions), self._index,
            self._index_update)
        self._relations: Relations | None = None
        #: the filters that pick the standards the index holds (``scoped``; empty: every
        #: standard), and those standards (None: every one)
        self.selection = Selection()
        self.picked: frozenset[str] | None = None

    def scoped(self, selection: Selection) -> OverlapRun:
        """This run with the pairs among the standards ``selection`` picks only (an empty
        one: this run): its index is made of their coverage alone, numbered as this one's,
        kept with the snapshot among the last few filters asked for (made afresh after a
        write)."""
        if not selection:
            return self
        out = copy.copy(self)
        out.selection = selection
        picked = out.picked = selection.standards(self.reader)
        out.index = self.reader.recent(
            ("overlap-index-scoped", self.min_shared, self.expand, self.dimensions, selection),
            lambda: self._scoped_index(picked))
        return out

    def _scoped_index(self, keep: frozenset[str]) -> PairIndex:
        cov = self.coverage
        sets = [s if std in keep else frozenset()
                for std, s in zip(cov.standards, cov.sets, strict=True)]
        return PairIndex(sets, len(cov.tokens), self.min_shared)

    def _index(self) -> tuple[Coverage, PairIndex]:
        coverage = fetch_coverage(self.store, expand=self.expand, dimensions=self.dimensions,
                                  reader=self.reader)
        return coverage, PairIndex(coverage.sets, len(coverage.tokens), self.min_shared)

    def _index_update(self, old: tuple[Coverage, PairIndex], dirty: Dirty
                      ) -> tuple[Coverage, PairIndex] | None:
        coverage = update_coverage(old[0], self.reader, dirty, self.expand, self.dimensions)
        if coverage is None:
            return None
        if coverage is old[0]:
            return old
        return coverage, old[1].updated(coverage.sets, len(coverage.tokens), coverage.removed,
                                        coverage.added)

    @property
    def relations(self) -> Relations:
        if self._relations is None:
            snap, reader = self.snapshot, self.reader
            self._relations = reader.memoised(
                "relations", lambda: Relations.of(self.store, snap, reader),
                None if snap is None else
                lambda old, dirty: Relations.update(old, self.store, snap, reader, dirty))
        return self._relations

    def pairs(self) -> Iterator[tuple[int, int, int, int]]:
        return self.index.pairs()

    def pairs_of(self, standard: str) -> list[tuple[int, int, int, int]]:
        """The overlapping pairs (a, b, shared, union) one standard is in, in the documented
        order: the pairs of the limit=0 answer that name it, found from its own group."""
        cov, idx = self.coverage, self.index
        x = bisect.bisect_left(cov.standards, standard)
        if x == len(cov.standards) or cov.standards[x] != standard:
            return []
        k = idx.group_of(x)
        if k is None:
            return []
        size = int(idx.sizes[k])
        found = [(min(x, b), max(x, b), size, size) for b in idx.members_of(k) if b != x]
        groups, shared = idx.partners_shared(k, Fraction(0))
        for j, sh in zip(groups.tolist(), shared.tolist(), strict=True):
            union = size + int(idx.sizes[j]) - sh
            found += [(min(x, b), max(x, b), sh, union) for b in idx.members_of(j)]
        found.sort(key=lambda p: (-p[2] / p[3], -p[2], p[0], p[1]))
        return found

    def link_coverage(self) -> list[dict]:
        """The coverage entries of the links the run rests on, over every standard."""
        scope = self.reader.instances()
        out = [self.reader.coverage(SG + "classifiedIn", self.reader.classified(), scope)]
        if self.dimensions == "all":
            out += [self.reader.coverage(p, self.reader.links(p), scope) for p in DIMENSIONS]
        out += self.reader.relation_coverage(reference_props(self.store, self.snapshot))
        if self.expand:
            out.append(self.reader.mapping_coverage())
        if self.picked is not None:
            out.append(self.selection.coverage(self.reader, self.picked,
                                               Labels.of(self.store, self.snapshot)))
        return out

    def items(self, chosen: list[tuple[int, int, int, int]], lab: Labels) -> list[dict]:
        """The items of the pairs ``chosen`` (a, b, shared, union)."""
        return PairItems(self, lab).items(chosen)


_NO_GRAPHS: dict[str, frozenset[str]] = {}


class PairItems:
    """Renders overlap items. ``shared=True`` (a stream) keeps what pairs have in common
    between calls and hands the same ``{"iri", "label"}`` objects to many items (do not change
    them); each cache is cleared when it grows past ``KEEP`` entries, so memory stays
    bounded."""

    KEEP = 50_000

    def __init__(self, run: OverlapRun, lab: Labels, shared: bool = False) -> None:
        self.run = run
        self.lab = lab
        self.share = shared
        self._shared: dict[frozenset[int], tuple[list[int], list[dict]]] = {}
        self._graph_refs: dict[frozenset[str], list[dict]] = {}
        self._named: dict[frozenset, frozenset[str]] = {}
        self._cgraphs: dict[str, dict[str, frozenset[str]]] = {}

    def _keep(self, cache: dict) -> dict:
        if len(cache) > self.KEEP:
            cache.clear()
        return cache

    def _classification_graphs(self, involved: list[str]) -> None:
        """standard -> element -> the named graphs of its classification, for ``involved``."""
        run, cache = self.run, self._keep(self._cgraphs)
        todo = [x for x in involved if x not in cache]
        if run.snapshot is None:
            found = classification_graphs(run.store, todo)
            for x in todo:
                cache[x] = {}
            for (x, e), graphs in found.items():
                cache[x][e] = frozenset(graphs)
            return
        table = run.snapshot.table(run.store, SG + "classifiedIn")
        named = self._named
        for x in todo:
            out = {}
            for e, graphs in table.get(x, {}).items():
                g = named.get(graphs)
                if g is None:
                    g = named[graphs] = frozenset(y for y in graphs if y is not None)
                if g:
                    out[text(e)] = g
            cache[x] = out

    @property
    def cgraphs(self) -> dict[str, dict[str, frozenset[str]]]:
        """standard -> element -> the named graphs of its classification there, for the
        standards prepared."""
        return self._cgraphs

    def keep(self, cache: dict) -> None:
        """Clear ``cache`` when it has grown past ``KEEP`` entries."""
        self._keep(cache)

    def prepare_standards(self, involved: list[str]) -> None:
        """Read the classifications' graphs and the labels of the standards ``involved``."""
        self._classification_graphs(involved)
        self.lab.fetch(involved)

    def prepare(self, chosen: list[tuple[int, int, int, int]]) -> None:
        """Read what the items of the pairs ``chosen`` need: the classifications' graphs of
        their standards, the labels of the standards and of the shared elements."""
        cov = self.run.coverage
        std, sets, tokens = cov.standards, cov.sets, cov.tokens
        involved = sorted({std[x] for a, b, _s, _u in chosen for x in (a, b)})
        self._classification_graphs(involved)
        self._keep(self._shared)
        self._keep(self._graph_refs)
        self.lab.fetch(involved + [tokens[t] for t in {t for a, b, _s, _u in chosen
                                                       for t in sets[a] & sets[b]}])

    def items(self, chosen: list[tuple[int, int, int, int]]) -> list[dict]:
        self.prepare(chosen)
        return [self.item(a, b, s, u) for a, b, s, u in chosen]

    def shared_refs(self, common: frozenset[int]) -> tuple[list[int], list[dict]]:
        """The tokens of ``common`` in the items' order (by IRI), and their refs."""
        hit = self._shared.get(common)
        if hit is None:
            tokens = self.run.coverage.tokens
            order = sorted(common, key=tokens.__getitem__)
            hit = self._shared[common] = (order, self.lab.refs(tokens[t] for t in order))
        return hit

    def graph_refs(self, graphs: frozenset[str]) -> list[dict]:
        grefs = self._graph_refs.get(graphs)
        if grefs is None:
            grefs = self._graph_refs[graphs] = self.lab.graph_refs(graphs)
        return grefs

    def item(self, a: int, b: int, s: int, u: int) -> dict:
        """The item of pair (a, b) sharing ``s`` of ``u`` (after :meth:`prepare`)."""
        run, lab = self.run, self.lab
        cov = run.coverage
        std, sets, tokens = cov.standards, cov.sets, cov.tokens
        cgraphs = self._cgraphs
        copy = not self.share
        ia, ib = std[a], std[b]
        shared, shared_refs = self.shared_refs(sets[a] & sets[b])
        relations = run.relations.between(ia, ib)
        ga, gb = cgraphs.get(ia, _NO_GRAPHS), cgraphs.get(ib, _NO_GRAPHS)
        graphs: set[str] = set()
        matched = []
        aa, ab = cov.actual.get(a), cov.actual.get(b)
        if aa is None and ab is None:  # every shared token stands for itself
            for t in shared:
                concept = tokens[t]
                graphs.update(ga.get(concept, ()), gb.get(concept, ()))
        else:
            for t in shared:
                concept = tokens[t]
                ea = (aa or {}).get(t, [concept])
                eb = (ab or {}).get(t, [concept])
                for e in ea:
                    graphs |= ga.get(e, frozenset())
                for e in eb:
                    graphs |= gb.get(e, frozenset())
                if ea != [concept] or eb != [concept]:
                    matched.append({"concept": lab.ref(concept), "a": lab.refs(ea),
                                    "b": lab.refs(eb)})
        grefs = self.graph_refs(frozenset(graphs))
        if relations:
            lab.fetch(x for r in relations for x in r["path"])
        evidence: dict = {
            "a_coverage": len(sets[a]), "b_coverage": len(sets[b]), "union": u,
            "graphs": [dict(r) for r in grefs] if copy else grefs,
            "relations": [
                {"relation": r["relation"],
                 **({"property": lab.ref(r["property"])} if "property" in r else {}),
                 "path": lab.refs(r["path"]), "graphs": lab.graph_refs(r["graphs"])}
                for r in relations
            ],
        }
        if run.expand:
            evidence["matched"] = matched
        return {
            "a": ia, "b": ib, "a_label": lab(ia), "b_label": lab(ib),
            "shared": [dict(r) for r in shared_refs] if copy else shared_refs,
            "score": round(s / u, 6), "related": bool(relations), "evidence": evidence,
        }


class PairTexts:
    """The text of overlap items in a stream's format (``AnalysisStream.texts``: JSON, JSON
    lines, CSV), made without their dicts: what ``limit=0`` writes, a block of pairs of one
    class (one score, one union) at a time. A pair with a standard that is related to some
    other, or (``expand``) whose tokens stand for other concepts, is rendered as a dict
    (:class:`PairItems`) and checked on its own; every other item has one shape, filled
    from texts kept per standard (IRI, label, coverage, and the graphs of its
    classifications when they are the same for all its tokens), per set of shared elements
    and per pair of graph sets (each cache cleared past ``PairItems.KEEP`` entries, the
    standards' past ``STANDARDS``: a class's pairs name standards all over the store, so
    that a smaller cache would be refilled at every block). The text is the dicts' to the
    byte (tests/analysis/test_stream.py)."""

    #: standards whose texts are kept (about 300 bytes each)
    STANDARDS = 200_000

    def __init__(self, render: PairItems, fmt: str, columns: list[Column]) -> None:
        self.render = render
        self.fmt = fmt
        self.columns = columns
        run = render.run
        cov = run.coverage
        self.template: Template | None = None
        if fmt != "csv":
            proto = {"a": slot(0), "b": slot(1), "a_label": slot(2), "b_label": slot(3),
                     "shared": slot(4), "score": slot(5), "related": False,
                     "evidence": {"a_coverage": slot(6), "b_coverage": slot(7),
                                  "union": slot(8), "graphs": slot(9), "relations": [],
                                  **({"matched": []} if run.expand else {})}}
            self.template = Template(proto, fmt, 10)
        #: the standards whose pairs are checked one by one (related to some standard, or
        #: with tokens standing for other concepts)
        nodes = run.relations.nodes
        self.special = set(cov.actual) | {x for x, iri in enumerate(cov.standards)
                                          if iri in nodes}
        render.lab.fetch(cov.tokens)
        #: the CSV text of the columns after the analysis' own, each after a comma
        self._extra: str | None = None
        self._std: dict[int, tuple[str, str, str, frozenset[str] | None,
                                   dict[str, frozenset[str]]]] = {}
        self._shared: dict[frozenset[int], tuple[str, list[int]]] = {}
        self._graphs: dict[tuple[frozenset[str], frozenset[str]], str] = {}
        #: special standard -> the standards it is related to (``Relations.related``)
        self._related: dict[int, set[str]] = {}

    @classmethod
    def writer(cls, render: PairItems,
               blocks: Callable[[], Iterator[tuple[int, int, list[int], list[int]]]]
               ) -> Callable[[str, list[Column]], Iterator[tuple[int, str]] | None]:
        """``AnalysisStream.texts`` of the blocks of pairs ``blocks()`` gives."""
        def texts(fmt: str, columns: list[Column]) -> Iterator[tuple[int, str]] | None:
            if fmt not in ("json", "ndjson", "csv"):
                return None
            if fmt == "csv" and tuple(columns[:len(CSV_COLUMNS)]) != tuple(CSV_COLUMNS):
                return None
            writer = cls(render, fmt, columns)
            return (writer.text(*block) for block in blocks())
        return texts

    def _standards(self, involved: set[int]) -> None:
        """The texts of the standards ``involved`` that are not kept yet."""
        render, t = self.render, self.template
        cov = render.run.coverage
        std, sets, tokens = cov.standards, cov.sets, cov.tokens
        new = [x for x in involved if x not in self._std]
        if not new:
            return
        render.prepare_standards([std[x] for x in new])
        lab, cgraphs = render.lab, render.cgraphs
        for x in new:
            iri = std[x]
            mine = cgraphs.get(iri, _NO_GRAPHS)
            found = {mine.get(tokens[k]) for k in sets[x]}
            whole = found.pop() if len(found) == 1 else None
            if whole is not None:
                mine = _NO_GRAPHS  # not read again: kept only where the graphs differ
            label = lab(iri)
            self._std[x] = ((csv_cell(iri), csv_cell(label), "", whole, mine) if t is None else
                            (t.part(0, iri), t.part(2, label), str(len(sets[x])), whole, mine))

    def _graphs_of(self, mine: dict[str, frozenset[str]], shared: list[int]) -> frozenset[str]:
        """The graphs of a standard's classifications (``mine``: element -> graphs) in the
        tokens ``shared``."""
        tokens = self.render.run.coverage.tokens
        out: set[str] = set()
        for k in shared:
            out.update(mine.get(tokens[k], ()))
        return frozenset(out)

    def text(self, s: int, u: int, a_s: list[int], b_s: list[int]) -> tuple[int, str]:
        """(how many pairs, the text of their items): pairs (a_s[k], b_s[k]), each sharing
        ``s`` of ``u`` tokens."""
        render = self.render
        keep = render.keep
        for cache in (self._shared, self._graphs, self._related):
            keep(cache)
        if len(self._std) > self.STANDARDS:
            self._std.clear()
        involved = set(a_s)
        involved.update(b_s)
        self._standards(involved)
        sets, tokens = render.run.coverage.sets, render.run.coverage.tokens
        t, columns, special = self.template, self.columns, self.special
        stds, shared_texts, graph_texts = self._std, self._shared, self._graphs
        value = round(s / u, 6)
        score = csv_cell(str(value)) if t is None else t.part(5, value)
        union = str(u)
        out: list[str] = []
        if t is None and self._extra is None and a_s:
            # the cells of the columns after the analysis' own (the registry's coverage
            # column), the same for every item: from the first one
            render.prepare([(a_s[0], b_s[0], s, u)])
            extra = cells(render.item(a_s[0], b_s[0], s, u), columns[len(CSV_COLUMNS):])
            self._extra = "".join("," + csv_cell(c) for c in extra)
        # a CSV row: the cells of a, a_label, b, b_label, score, (shared_count, shared,
        # shared_labels), related, relations, graphs, then the columns after these
        row = t.form if t is not None else (
            "%s,%s,%s,%s,%s,%s," + csv_cell("false") + "," + csv_cell("") + ",%s" +
            (self._extra or "").replace("%", "%%") + "\r\n")
        for a, b in zip(a_s, b_s, strict=True):
            if (a in special or b in special) and self._checked(a, b, s, u, out):
                continue
            sa, sb = stds[a], stds[b]
            common = sets[a] & sets[b]
            shared = shared_texts.get(common)
            if shared is None:
                order = sorted(common, key=tokens.__getitem__)
                refs = render.lab.refs(tokens[k] for k in order)
                shared = shared_texts[common] = (
                    ",".join(map(csv_cell, (str(len(order)), iris(refs), labels(refs))))
                    if t is None else t.part(4, refs), order)
            ga, gb = sa[3], sb[3]
            if ga is None:
                ga = self._graphs_of(sa[4], shared[1])
            if gb is None:
                gb = self._graphs_of(sb[4], shared[1])
            graphs = graph_texts.get((ga, gb))
            if graphs is None:
                refs = render.graph_refs(ga | gb)
                graphs = graph_texts[(ga, gb)] = (csv_cell(iris(refs)) if t is None
                                                  else t.part(9, refs))
            if t is None:
                out.append(row % (sa[0], sa[1], sb[0], sb[1], score, shared[0], graphs))
            else:
                out.append(row % (sa[0], sb[0], sa[1], sb[1], shared[0], score, sa[2], sb[2],
                                  union, graphs))
        return len(a_s), (ITEM_SEPARATOR if self.fmt == "json" else "").join(out)

    def _checked(self, a: int, b: int, s: int, u: int, out: list[str]) -> bool:
        """The item of a pair with a special standard, written as a dict's text when it is
        not of the common shape (related, or tokens standing for other concepts); False
        when it is."""
        run = self.render.run
        std, actual = run.coverage.standards, run.coverage.actual
        if a not in actual and b not in actual:
            x, y = (a, b) if a in self.special else (b, a)
            related = self._related.get(x)
            if related is None:
                related = self._related[x] = run.relations.related(std[x])
            if std[y] not in related:
                return False
        self.render.prepare([(a, b, s, u)])
        out.append(item_text(self.render.item(a, b, s, u), self.fmt, self.columns))
        return True


def published_by(run: OverlapRun, bodies: Iterable[str]) -> list[int]:
    """The standards of the run's coverage (their numbers) that one of ``bodies`` publishes
    (``sg:publisher``, at the run's evidence level)."""
    wanted = set(bodies)
    pubs = run.reader.links(SG + "publisher")
    return [k for k, s in enumerate(run.coverage.standards) if pubs.get(s, set()) & wanted]


#: with a publisher filter naming at most this many standards, their pairs are gathered from
#: each one's own (``pairs_of``); with more, the pairs of the whole answer are filtered
FEW_STANDARDS = 500


def filtered_pairs(run: OverlapRun, bodies: list[str] | None
                   ) -> Iterator[tuple[int, int, int, int]] | list[tuple[int, int, int, int]]:
    """The run's pairs in the answer's order, those with a standard of ``bodies`` only (every
    pair when None or empty)."""
    if not bodies:
        return run.pairs()
    chosen = published_by(run, bodies)
    if len(chosen) <= FEW_STANDARDS:
        std = run.coverage.standards
        found = {p for k in chosen for p in run.pairs_of(std[k])}
        return sorted(found, key=lambda p: (-Fraction(p[2], p[3]), -p[2], p[0], p[1]))
    keep = set(chosen)
    return (p for p in run.pairs() if p[0] in keep or p[1] in keep)


def overlaps(store: Store, raw: RawParams | None = None, *, ignore=("format",)
             ) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    limit = params["limit"]
    if not limit:
        return overlaps_stream(store, raw, ignore=ignore).document()
    run = OverlapRun(store, params["min_shared"], params["expand"], params["dimensions"],
                     Evidence.of(params)).scoped(Selection.of(params))
    # one more than the limit tells whether it cut; a limit of a machine word or more cuts nothing
    if params["body"]:  # a publisher's pairs, read from the ordered pairs (filtered_pairs)
        stream = iter(filtered_pairs(run, params["body"]))
        chosen = (list(itertools.islice(stream, limit + 1)) if limit < sys.maxsize
                  else list(stream))
    else:  # the top, kept with the index and carried over a write
        chosen = run.index.head(limit + 1) if limit < sys.maxsize else list(run.pairs())
    chosen, truncated = cap(chosen, limit)
    items = run.items(chosen, Labels.of(store, run.snapshot))
    return AnalysisDocument("overlaps", json_params(params), items, truncated,
                            {"coverage": run.link_coverage()})


#: pairs rendered at a time when every pair is streamed (labels and evidence are read per batch)
STREAM_BATCH = 2000


def overlaps_stream(store: Store, raw: RawParams | None = None, *, ignore=("format",)
                    ) -> AnalysisStream:
    """``overlaps`` with its items made as they are written out: with ``limit=0`` every pair,
    in the documented order, with memory bounded by a constant (``FullPairs``)."""
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    if params["limit"]:
        return AnalysisStream.of(overlaps(store, raw, ignore=ignore))
    run = OverlapRun(store, params["min_shared"], params["expand"], params["dimensions"],
                     Evidence.of(params)).scoped(Selection.of(params))
    render = PairItems(run, Labels.of(store, run.snapshot), shared=True)
    if params["body"]:  # the filtered pairs, held (a filter is what keeps them few)
        kept = list(filtered_pairs(run, params["body"]))

        def some() -> Iterator[dict]:
            for start in range(0, len(kept), STREAM_BATCH):
                yield from render.items(kept[start:start + STREAM_BATCH])

        return AnalysisStream("overlaps", json_params(params), some(), len(kept), False,
                              {"coverage": run.link_coverage()})
    full = FullPairs(run.index, len(run.coverage.standards), beat=getattr(store, "beat", None))

    def blocks() -> Iterator[tuple[int, int, list[int], list[int]]]:
        try:
            yield from full.blocks(STREAM_BATCH)
        finally:
            full.close()

    def items() -> Iterator[dict]:
        for s, u, a_s, b_s in blocks():
            yield from render.items([(a, b, s, u) for a, b in zip(a_s, b_s, strict=True)])

    return AnalysisStream("overlaps", json_params(params), items(), full.count, False,
                          {"coverage": run.link_coverage()},
                          texts=PairTexts.writer(render, blocks))


def standard_overlaps(store: Store, iri: str, raw: RawParams | None = None, *,
                      ignore=("format", "limit")) -> list[dict]:
    """The items of the overlaps answer with every pair (``limit=0``) that name standard
    ``iri`` (as ``a`` or ``b``), in its order, found from the standard's own coverage: what a
    standard's page shows, at the cost of its own pairs. ``raw``: the overlaps parameters."""
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    run = OverlapRun(store, params["min_shared"], params["expand"], params["dimensions"],
                     Evidence.of(params))
    return run.items(run.pairs_of(iri), Labels.of(store, run.snapshot))


def clusters(store: Store, raw: RawParams | None = None, *, ignore=("format",)
             ) -> AnalysisDocument:
    """Connected components of standards over overlaps with score >= threshold."""
    params = parse_params(CLUSTER_PARAMS, raw or {}, ignore=ignore)
    threshold = Fraction(str(params["threshold"]))
    # the filters keep the whole store's index and edges (an edge depends on the two groups'
    # coverages, not on their members) and count only the members they pick (_clusters): a
    # pair index made for the picked standards took over 10 s at 100k
    run = OverlapRun(store, params["min_shared"], params["expand"], params["dimensions"],
                     Evidence.of(params))
    selection = Selection.of(params)
    picked = selection.standards(run.reader) if selection else None
    key = ("clusters", run.min_shared, run.expand, run.dimensions, threshold, selection)
    if picked is None:
        found = run.reader.memoised(key, lambda: _clusters(run, threshold))
    else:  # (kept among the last few filters asked for)
        found = run.reader.recent(key, lambda: _clusters(run, threshold, picked))
    if params["body"]:  # the groups with a member of one of the bodies
        chosen = set(published_by(run, params["body"]))
        found = [c for c in found if not chosen.isdisjoint(c[2])]
    limit = params["limit"]
    found, truncated = cap(found, limit)
    # each cluster's first members (by IRI), not all of them: the largest of 100,000
    # standards has 85,000
    listed = [ms[:params["members"]] if params["members"] else ms
              for _size, _pairs, ms, _common in found]
    cov = run.coverage
    lab = Labels.of(store, run.snapshot)
    lab.fetch(cov.standards[s] for ms in listed for s in ms)
    lab.fetch(cov.tokens[t] for _size, _pairs, _ms, common in found for t, _c in common)
    items = [{
        "cluster": n, "size": size, "pairs": pairs,
        "standards": lab.refs(cov.standards[s] for s in members),
        "elements": [{**lab.ref(cov.tokens[t]), "standards": c} for t, c in common],
    } for n, ((size, pairs, _ms, common), members) in enumerate(zip(found, listed, strict=True),
                                                               start=1)]
    coverage = run.link_coverage()
    if picked is not None:
        coverage.append(selection.coverage(run.reader, picked, lab))
    return AnalysisDocument("overlap-clusters", json_params(params), items, truncated,
                            {"coverage": coverage})


@dataclass
class ClusterEdges:
    """The groups (distinct coverages) of a pair index that overlap with a score of at least
    the threshold: pairs ``i < j`` of group numbers, and the groups' token sets (what an edge
    depends on: not the members), so that an index of the next store version can take them
    over and compute only the edges of its new groups."""

    sigs: list[frozenset[int]]
    tokens: list[str]
    i: np.ndarray
    j: np.ndarray
    #: the index's ``lineage`` and how many groups it had: an index of the same lineage
    #: numbers those groups alike, so only its later groups' edges are to be found
    lineage: object = None
    groups: int = 0
    #: edges with the same origin extend one another (``_cluster_edges_update``: the older
    #: ones first, then the new ones)
    origin: object = field(default_factory=object)


def _cluster_edges(run: OverlapRun, threshold: Fraction) -> ClusterEdges:
    idx = run.index
    i, j, _s, _u = idx.set_pairs(threshold)
    return ClusterEdges(idx.sigs, list(run.coverage.tokens), i, j, idx.lineage, len(idx.sigs))


def _cluster_edges_update(run: OverlapRun, threshold: Fraction, old: ClusterEdges
                          ) -> ClusterEdges | None:
    """``old``'s edges between the groups still there, and those of the new groups (the
    edges of a group that has become empty stay: ``_clusters`` leaves them out)."""
    idx, tokens = run.index, run.coverage.tokens
    if tokens[:len(old.tokens)] != old.tokens:
        return None  # token numbers changed (the coverage was derived afresh)
    if old.lineage is idx.lineage and old.groups <= len(idx.sigs):
        fresh = range(old.groups, len(idx.sigs))
        found = [(k, idx.partners(k, threshold)) for k in fresh]
        if not found:
            return ClusterEdges(idx.sigs, list(tokens), old.i, old.j, idx.lineage,
                                len(idx.sigs), old.origin)
        n = max(len(idx.sigs), 1)
        keys = np.unique(np.concatenate([np.minimum(js, k) * n + np.maximum(js, k)
                                         for k, js in found]))
        return ClusterEdges(idx.sigs, list(tokens), np.concatenate((old.i, keys // n)),
                            np.concatenate((old.j, keys % n)), idx.lineage, len(idx.sigs),
                            old.origin)
    at = {sig: k for k, sig in enumerate(idx.sigs)}
    remap = np.array([at.get(sig, -1) for sig in old.sigs] or [-1], dtype=np.int64)
    i, j = remap[old.i], remap[old.j]
    kept = (i >= 0) & (j >= 0)
    i, j = np.minimum(i[kept], j[kept]), np.maximum(i[kept], j[kept])
    before = set(old.sigs)
    new_i, new_j = [], []
    for k, sig in enumerate(idx.sigs):
        if sig not in before:
            partners = idx.partners(k, threshold)
            new_i.append(np.minimum(partners, k))
            new_j.append(np.maximum(partners, k))
    if new_i:  # each edge once (between two new groups it was found from both ends)
        n = max(len(idx.sigs), 1)
        keys = np.unique(np.concatenate(new_i) * n + np.concatenate(new_j))
        i, j = np.concatenate((i, keys // n)), np.concatenate((j, keys % n))
    return ClusterEdges(idx.sigs, list(tokens), i, j, idx.lineage, len(idx.sigs))


@dataclass
class ClusterLabels:
    """Each group's component over the cluster edges (``_components``), with what it was
    found from: the edges (their origin and how many), the index's lineage, its groups and
    which held standards."""

    origin: object
    edges: int
    lineage: object
    groups: int
    held: np.ndarray
    label: np.ndarray
    #: the edges between groups that hold standards (in no order), and which groups have one
    ei: np.ndarray = field(default_factory=lambda: _EMPTY)
    ej: np.ndarray = field(default_factory=lambda: _EMPTY)
    linked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _labels(run: OverlapRun, threshold: Fraction, edges: ClusterEdges,
            counts: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The groups' components (``_components`` over the edges between groups that hold
    standards), those edges and which groups have one; kept with the snapshot and brought up
    to date when the writes since only added edges and groups (a group that lost its last
    standard may split a component: then found afresh) - the edges carried over with the
    new ones added, not picked out of all of them again. ``counts``: each group's members
    that the filters pick (then found afresh, not kept: the clusters made of them are)."""
    idx = run.index
    n = len(idx.sigs)
    # the edges of an empty group (of an updated index; with filters, of a group with no
    # member they pick: ``counts``) connect nothing
    held = (idx.count if counts is None else counts) > 0

    def compute() -> ClusterLabels:
        keep = held[edges.i] & held[edges.j]
        ei, ej = edges.i[keep], edges.j[keep]
        linked = np.zeros(n, dtype=bool)
        linked[ei] = linked[ej] = True
        return ClusterLabels(edges.origin, len(edges.i), idx.lineage, n, held,
                             _components(n, ei, ej), ei, ej, linked)

    def update(old: ClusterLabels, _dirty: Dirty) -> ClusterLabels | None:
        m = old.edges
        if (old.lineage is not idx.lineage or old.groups > n or len(edges.i) < m
                or edges.origin is not old.origin or (old.held & ~held[:old.groups]).any()):
            return None
        # the edges the old labels did not follow: new ones, and those of groups held again
        if (~old.held & held[:old.groups]).any():
            was = np.zeros(n, dtype=bool)
            was[:old.groups] = old.held
            fresh = ~was[edges.i] | ~was[edges.j]
            fresh[m:] = True
            fresh &= held[edges.i] & held[edges.j]
            new_i, new_j = edges.i[fresh], edges.j[fresh]
        else:  # (only the new edges: no pass over the others)
            new_i, new_j = edges.i[m:], edges.j[m:]
            keep = held[new_i] & held[new_j]
            new_i, new_j = new_i[keep], new_j[keep]
        ei, ej = np.concatenate((old.ei, new_i)), np.concatenate((old.ej, new_j))
        linked = np.zeros(n, dtype=bool)
        linked[:old.groups] = old.linked
        linked[new_i] = linked[new_j] = True
        label = np.concatenate((old.label, np.arange(old.groups, n, dtype=np.int64)))
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while x in parent:
                x = parent[x]
            return x

        for a, b in zip(label[new_i].tolist(), label[new_j].tolist(), strict=True):
            ra, rb = find(a), find(b)
            if ra != rb:  # each component is named by its smallest group
                parent[max(ra, rb)] = min(ra, rb)
        if parent:
            root = np.arange(n, dtype=np.int64)
            for x in parent:
                root[x] = find(x)
            label = root[label]
        return ClusterLabels(edges.origin, len(edges.i), idx.lineage, n, held, label, ei, ej,
                             linked)

    if counts is not None:
        found = compute()
    else:
        key = ("cluster-labels", run.min_shared, run.expand, run.dimensions, threshold)
        found = run.reader.memoised(key, compute, update)
    return found.label, found.ei, found.ej, found.linked


def _scoped_counts(run: OverlapRun, chosen: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """How many members of each group of the run's index are among the standards
    ``chosen``, and which standards (by number) are."""
    std = run.coverage.standards
    keep = np.fromiter((s in chosen for s in std), dtype=bool, count=len(std))
    idx = run.index
    n = len(idx.sigs)
    group = np.repeat(np.arange(n, dtype=np.int64), idx.count)
    counts = np.bincount(group, weights=keep[idx.member_std], minlength=n)
    return counts.astype(np.int64), keep


def _clusters(run: OverlapRun, threshold: Fraction, picked: frozenset[str] | None = None
              ) -> list[tuple[int, int, list[int], list[tuple[int, int]]]]:
    """The clusters in order, without labels: (size, pairs, members, [(token, standards)]
    of its up to 10 most common elements). Components of the groups over the edges, in numpy
    (label propagation with pointer jumping; kept and brought up to date: ``_labels``).
    ``picked``: the standards that alone take part (None: every standard) - the same edges,
    each group counting only its members picked."""
    key = ("cluster-edges", run.min_shared, run.expand, run.dimensions, threshold)
    edges = run.reader.memoised(key, lambda: _cluster_edges(run, threshold),
                                lambda old, _dirty: _cluster_edges_update(run, threshold, old))
    idx, cov = run.index, run.coverage
    n = len(idx.sigs)
    if not n:
        return []
    full = idx.count
    sizes, keep = (full, None) if picked is None else _scoped_counts(run, picked)
    label, ei, ej, has_edge = _labels(run, threshold, edges,
                                      None if picked is None else sizes)
    # a group is in a cluster when it has an edge or two members of its own
    linked = has_edge | (sizes >= 2)
    standards = np.bincount(label, weights=np.where(linked, sizes, 0), minlength=n)
    pairs = (np.bincount(label[ei], weights=sizes[ei] * sizes[ej], minlength=n)
             + np.bincount(label, weights=sizes * (sizes - 1) // 2, minlength=n))
    roots = np.flatnonzero(standards >= 2)
    chosen = np.flatnonzero(linked & np.isin(label, roots))
    chosen = chosen[np.argsort(label[chosen], kind="stable")]
    cuts = np.flatnonzero(np.diff(label[chosen])) + 1
    found = []
    for gs in np.split(chosen, cuts) if len(chosen) else []:
        members = np.sort(idx.member_std[_ranges(idx.member_off[gs], full[gs])])
        if keep is not None:
            members = members[keep[members]]
        found.append((int(label[gs[0]]), members.tolist(), gs))
    found.sort(key=lambda rm: (-len(rm[1]), rm[1][0]))
    out = []
    for root, members, gs in found:
        # how many members use each token: each group's tokens, weighted by its members
        first = np.searchsorted(idx.flat_sig, gs)
        toks = idx.flat_tok[_ranges(first, idx.sizes[gs])]
        weight = np.repeat(sizes[gs], idx.sizes[gs])
        tally = np.bincount(toks, weights=weight).astype(np.int64)
        counts = {int(t): int(tally[t]) for t in np.flatnonzero(tally >= 2)}
        common = sorted(counts, key=lambda t: (-counts[t], cov.tokens[t]))[:10]
        out.append((len(members), int(pairs[root]), members,
                    [(t, counts[t]) for t in common]))
    return out


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Each node's component: the smallest node of it (label propagation over the edges,
    with pointer jumping; a few rounds on these graphs)."""
    label = np.arange(n, dtype=np.int64)
    while True:
        a, b = label[i], label[j]
        new = label.copy()
        np.minimum.at(new, np.maximum(a, b), np.minimum(a, b))
        while True:
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


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
def _relations(item: dict) -> str:
    """The relations that explain a pair, in words ("references (based on)", "part-of")."""
    return "; ".join(r["relation"] + (f" ({r['property']['label']})" if "property" in r else "")
                     for r in item["evidence"]["relations"])


REPORT_COLUMNS = [
    ("score", lambda i: f"{i['score']:.3f}"),
    ("shared / in all", lambda i: f"{len(i['shared'])} / {i['evidence']['union']}"),
    ("a", lambda i: ref(i["a"], i["a_label"])), ("b", lambda i: ref(i["b"], i["b_label"])),
    ("related", lambda i: f"yes ({_relations(i)})" if i["related"] else "no"),
    ("shared elements", lambda i: i["shared"]),
    ("stated in", lambda i: [{"iri": "", "label": g["label"]} for g in i["evidence"]["graphs"]]),
]
CLUSTER_REPORT_COLUMNS = [
    ("cluster", lambda i: str(i["cluster"])), ("size", lambda i: str(i["size"])),
    ("pairs", lambda i: str(i["pairs"])),
    ("standards", lambda i: Listed(i["standards"], i["size"])),
    ("common elements", lambda i: i["elements"]),
]

ANALYSES = (
    Analysis(
        "overlaps", "Pairs of standards sharing architecture elements",
        description="Each item is a pair of standards classified in some of the same "
                    "architecture elements (at least 'Least shared elements' of them). Its score "
                    "is the share of their elements they have in common: the shared elements "
                    "divided by all the elements either is classified in, from 0 (nothing in "
                    "common) to 1 (exactly the same places); an element that two architectures "
                    "both contain counts once. A pair marked related is already "
                    "linked - one is part of, supersedes or references the other - so the "
                    "overlap is explained; an unrelated pair with a high score may be "
                    "duplicated work.",
        path="/analysis/overlaps", function=overlaps, params=PARAMS,
        csv_columns=CSV_COLUMNS, table_columns=TABLE_COLUMNS, report_columns=REPORT_COLUMNS,
        docs="docs/analyses.md#overlaps", streamer=overlaps_stream,
        order="by score, highest first, then by the number of shared elements, most first, "
              "then by the two standards' IRIs",
        # "shared / in all" by its numbers; related by yes or no alone (not the relations'
        # words), so that related pairs stay in score order
        sort_keys={"shared / in all": lambda i: (len(i["shared"]), i["evidence"]["union"]),
                   "related": lambda i: bool(i["related"])},
        definitions=(
            ("Item", "A pair of standards classified in at least 'Least shared elements' of the "
                     "same architecture elements (with 'Compare on' set to everything, the "
                     "barriers, themes and technologies they are linked to count too)."),
            ("Score", "The elements the two share divided by all the elements either of them "
                      "is classified in: 'shared / in all'. 0 means nothing in common, 1 "
                      "exactly the same places; 2 shared of 3 in all is 0.667. An element that "
                      "two architectures both contain counts once."),
            ("Related", "Yes when one standard is part of, supersedes or references the "
                        "other: the overlap is explained. An unrelated pair with a high score "
                        "may be duplicated work."),
            ("Evidence", "Each row names the shared elements and the source files that state "
                         "the two standards' classifications in them; only links with the "
                         "evidence counted (below) take part."),
        )),
    Analysis(
        "clusters", "Groups of standards connected by strong overlaps",
        description="Each item is a group of standards joined by strong overlaps: every "
                    "member overlaps at least one other member with a score of at least 'Least "
                    "score' (the share of elements two standards have in common, 0 to 1). The "
                    "item lists the members, how many strong pairs the group holds, and the "
                    "elements most of its members are classified in. A large group marks a "
                    "field crowded with similar standards. Groups are listed largest first.",
        path="/analysis/overlaps/clusters", function=clusters, params=CLUSTER_PARAMS,
        csv_columns=CLUSTER_CSV_COLUMNS, table_columns=CLUSTER_TABLE_COLUMNS,
        report_columns=CLUSTER_REPORT_COLUMNS, docs="docs/analyses.md#overlaps",
        order="largest group first, then by the IRI of its first member",
        definitions=(
            ("Item", "A group of standards in which every member overlaps at least one other "
                     "member with a score of at least 'Least score'; a standard is in one "
                     "group at most."),
            ("Score", "Groups have no score. 'Least score' is the overlap score (the elements "
                      "two standards share divided by all the elements either is classified "
                      "in, 0 to 1) that a pair needs to join a group."),
            ("Pairs", "How many pairs of members have such a strong overlap."),
            ("Common elements", "The elements most members of the group are classified in."),
        )),
)

__all__ = ["overlaps", "overlaps_stream", "standard_overlaps", "clusters", "OverlapRun",
           "PairIndex", "FullPairs", "PairItems", "PairTexts", "Coverage", "fetch_coverage",
           "update_coverage", "Relations", "chain_edge", "PARAMS", "CLUSTER_PARAMS",
           "DEFAULT_LIMIT", "ANALYSES"]
