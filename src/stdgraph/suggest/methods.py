"""The four kinds of suggestion, computed over a :class:`~stdgraph.suggest.corpus.Corpus`
(docs/suggestions.md, "Methods"):

(a) ``pairs``: standards that say the same things (near-duplicates, parts, editions, related
    standards): the pair score of two standards, :meth:`Suggester.pair_row`, is a weighted sum
    of their text similarity (the lexical model's cosine) and three structural similarities
    (cosines of their rows): facets shared (publisher, committee, ICS codes), neighbours shared
    in the graph of relations between standards (related, part of, supersedes, references) and
    architecture elements shared;
(b) ``classify``: architecture elements for a standard: the k most similar classified standards
    (pair score) vote for their elements, weighted by their similarity, plus the text similarity
    of the standard to the element;
(c) ``links``: barriers, themes and technologies for a standard, the same way;
(d) ``profile``: standards for a free text: the text's similarity to each standard, plus its
    similarity to the barriers, themes and technologies the standard is linked to.

Each suggestion carries its evidence: the terms the two texts share, the neighbours that voted.
A link that exists already (in any graph but the suggestions, either direction for a relation)
or was rejected is never suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stdgraph.rdf.namespaces import SG
from stdgraph.suggest.corpus import CLASSIFIED, CONCEPT_LINKS, RELATED, Corpus
from stdgraph.suggest.lexical import LexicalModel, require
from stdgraph.suggest.models import TextModel

__all__ = ["BLOCKING", "Blocking", "KINDS", "NEAR_DUPLICATE", "STRUCTURE", "Suggester",
           "Suggestion", "Weights", "duplicate_score", "part_paths", "same_document"]

#: the kinds stored and served: name -> the properties they suggest
KINDS: dict[str, tuple[str, ...]] = {
    "pairs": (RELATED,),
    "classify": (CLASSIFIED,),
    "links": tuple(CONCEPT_LINKS),
}
#: a standard's number and the part path after it: "IEC 60870-6-501:1995" -> ("60870", "6-501");
#: I40KG's identifiers spell parts "P6 S501" ("IEC 60870 P6 S501 E1")
_NUMBERED = re.compile(r"(?<![\d.])(\d{3,6})((?:-\d+)+|(?:\s+[PS]\d+)+)?")
#: the near-duplicate score at or above which a pair is called a near-duplicate
#: (docs/suggestions.md, Evaluation: each half of the gold set chooses about 0.65 - 0.658 and
#: 0.647 - and the threshold chosen on one half is checked on the other)
NEAR_DUPLICATE = 0.65

#: relations between standards that make them neighbours in the structure
STRUCTURE = (RELATED, str(SG.partOf), str(SG.supersedes), str(SG.references), str(SG.basedOn))


@dataclass(frozen=True)
class Weights:
    """The parts of the pair score (they sum to 1, so the score is between 0 and 1) and of the
    link score (``vote`` for the neighbours' votes, the rest for the text similarity)."""

    text: float = 0.5
    facets: float = 0.1
    neighbours: float = 0.3
    elements: float = 0.1
    vote: float = 0.8
    k: int = 10


@dataclass(frozen=True)
class Blocking:
    """How the bulk methods (``pairs``, ``classify``, ``links`` over every standard) find each
    standard's partners in a large corpus. Every pair costs the square of the standards (the
    product of the text rows is dense: common character n-grams are in every text), so from
    ``from_standards`` standards up each standard is scored only against candidates: its
    ``candidates`` best by the features of the text rows that at most ``max_df`` standards
    have (rare words, word pairs and character n-grams: a sparse product), and every standard
    two steps away in the relations between standards. A candidate's pair score is exact (the
    common features' part added back); what blocking can miss is a partner that shares no rare
    feature, which the evaluation measures (docs/suggestions.md, Cost). Below
    ``from_standards``, every pair."""

    max_df: int = 300
    candidates: int = 30
    from_standards: int = 5000


#: the default: every pair below 5,000 standards, candidates above
BLOCKING = Blocking()


@dataclass
class Suggestion:
    """One suggested link, its score (0-1), the method, and the evidence: ``terms`` shared by
    the texts, ``neighbours`` that voted ([iri, label, similarity])."""

    subject: str
    predicate: str
    object: str
    score: float
    method: str
    terms: list[str] = field(default_factory=list)
    neighbours: list[tuple[str, str, float]] = field(default_factory=list)
    #: for a pair: the near-duplicate score (``Suggester.duplicate_rows``)
    duplicate: float | None = None
    #: the near-duplicate score from which the pair is flagged (``Suggester.near_duplicate``)
    near_at: float = NEAR_DUPLICATE

    def sentence(self) -> str:
        """The evidence in one line (the record's ``rdfs:comment``)."""
        parts = []
        if self.duplicate is not None and self.duplicate >= self.near_at:
            parts.append(f"near-duplicate ({self.duplicate:.2f})")
        if self.terms:
            parts.append("shared terms: " + ", ".join(self.terms))
        if self.neighbours:
            parts.append("similar standards that have it: " + "; ".join(
                f"{label} ({sim:.2f})" for _, label, sim in self.neighbours))
        return ". ".join(parts) or "text similarity"

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "predicate": self.predicate, "object": self.object,
                "score": round(self.score, 4), "method": self.method, "terms": self.terms,
                **({} if self.duplicate is None else {
                    "near_duplicate": self.duplicate >= self.near_at,
                    "duplicate_score": round(self.duplicate, 4)}),
                "neighbours": [{"iri": i, "label": lb, "similarity": round(s, 4)}
                               for i, lb, s in self.neighbours]}


def part_paths(names: Iterable[str], first: bool = False) -> dict[str, set[str]]:
    """Number -> the part paths the names give it ("6-501"; "" for the number alone).
    ``first``: only the first number of each name, the document's (not the year of an
    edition, "IEC 60870-6-701:1998")."""
    out: dict[str, set[str]] = {}
    for name in names:
        for number, part in _NUMBERED.findall(name)[:1 if first else None]:
            path = "-".join(re.findall(r"\d+", part)) if part else ""
            out.setdefault(number, set()).add(path)
    return out


def other_parts(a: dict[str, set[str]], b: dict[str, set[str]]) -> bool:
    """The two standards name different parts of one numbered series: a number both name, each
    with a part path, and no part path in common."""
    for number in a.keys() & b.keys():
        pa, pb = a[number] - {""}, b[number] - {""}
        if pa and pb and not pa & pb:
            return True
    return False


def same_document(a: dict[str, set[str]], b: dict[str, set[str]]) -> bool:
    """The two standards name one numbered document: a number both name, with a part path
    in common, or with none on either side ("ISO 13849" and "DIN EN ISO 13849"; "IEC 60870-6-502"
    and "IEC 60870 P6 S502 E1"). A series and one of its parts are not one document."""
    for number in a.keys() & b.keys():
        pa, pb = a[number] - {""}, b[number] - {""}
        if pa & pb or not (pa or pb):
            return True
    return False


def duplicate_score(text: float, a: dict[str, set[str]], b: dict[str, set[str]],
                    doc_a: dict[str, set[str]], doc_b: dict[str, set[str]]) -> float:
    """The near-duplicate score of two standards from their text cosine and the part paths
    of their names (``a``, ``b``: every number; ``doc_a``, ``doc_b``: the first number of each
    name): halved for different parts of one series (two parts are two documents,
    however alike their titles); for one numbered document (``same_document``) halfway from
    the cosine to 1 (two records of one document number and part are the same document or
    another edition of it unless their texts say otherwise: the ISO and IEC records of a joint
    standard, a national adoption, an edition whose description was rewritten)."""
    if other_parts(a, b):
        return text * 0.5
    if same_document(doc_a, doc_b):
        return (1 + text) / 2
    return text


def _keys(rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    return rows.astype(np.int64) * n + cols.astype(np.int64)


def _row_dots(m: Any, i: np.ndarray, j: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """The dot products of rows ``i[x]`` and ``j[x]`` of the CSR matrix ``m``."""
    out = np.zeros(len(i))
    for start in range(0, len(i), chunk):
        a, b = m[i[start:start + chunk]], m[j[start:start + chunk]]
        out[start:start + chunk] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def _top_in_rows(m: Any, k: int) -> Any:
    """The CSR matrix ``m`` with each row's ``k`` largest entries only (ties at the k-th
    value broken as ``argpartition`` breaks them: these are candidates, scored after)."""
    keep = np.zeros(m.nnz, dtype=bool)
    indptr, data = m.indptr, m.data
    for i in range(m.shape[0]):
        lo, hi = indptr[i], indptr[i + 1]
        if hi - lo <= k:
            keep[lo:hi] = True
        else:
            keep[lo + np.argpartition(-data[lo:hi], k - 1)[:k]] = True
    out = m.copy()
    out.data = np.where(keep, out.data, 0)
    out.eliminate_zeros()
    return out


def _best_per_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int
                  ) -> np.ndarray:
    """The positions of each row's ``k`` best entries (highest value, then lowest column, as
    a stable sort of a dense row orders them), row by row, best first."""
    order = np.lexsort((cols, -vals, rows))
    r = rows[order]
    if not len(r):
        return order
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(r)]))
    return order[np.arange(len(r)) - first < k]


def _cosine_rows(m: Any) -> Any:
    """``m`` (sparse, rows = standards) with rows scaled to unit length (empty rows stay 0)."""
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    from scipy.sparse import diags  # the extra's library: imported once the model is there

    return diags(1 / norms) @ m


class Suggester:
    """The corpus with its fitted model and structural matrices. ``model`` defaults to
    :class:`LexicalModel`; any ``models.TextModel`` will do (``models.make(name)``)."""

    def __init__(self, corpus: Corpus, model: TextModel | None = None,
                 weights: Weights | None = None, blocking: Blocking | None = BLOCKING) -> None:
        require()  # the optional extra first: FeatureUnavailable names it
        from scipy.sparse import csr_matrix  # the extra's library, there once require() passed

        self.corpus = corpus
        self.weights = weights or Weights()
        self.model = model or LexicalModel()
        #: the near-duplicate score from which a pair is flagged: the model's own if it has one
        #: (the semantic models' cosines run higher: ``semantic.SemanticModel``), else 0.65
        self.near_duplicate: float = getattr(self.model, "near_duplicate", NEAR_DUPLICATE)
        self.iris = sorted(corpus.resources)
        self.row = {iri: i for i, iri in enumerate(self.iris)}
        texts = [corpus.resources[i].text for i in self.iris]
        self.X, self.W = self.model.fit_rows(texts)  # each vectorizer over the texts once
        self.standards = corpus.of_kind("standard")
        #: candidates instead of every pair in the bulk methods (``Blocking``)
        self.blocking = blocking if blocking is not None and len(
            self.standards) >= blocking.from_standards else None
        self.std_index = {iri: i for i, iri in enumerate(self.standards)}
        self.S = self.X[[self.row[s] for s in self.standards]]
        n = len(self.standards)

        def incidence(pairs: Iterable[tuple[int, int]], width: int) -> Any:
            rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
            return csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                              shape=(n, max(width, 1)))

        facet_ids: dict[str, int] = {}
        pairs = [(self.std_index[s], facet_ids.setdefault(v, len(facet_ids)))
                 for s, values in corpus.facets.items() if s in self.std_index
                 for v in sorted(values)]
        self.F = _cosine_rows(incidence(pairs, len(facet_ids)))
        self.FT = self.F.T.tocsr()
        self.refresh_links()

    def refresh_links(self) -> None:
        """(Re)compute the matrices built from the corpus's links (after links were hidden or
        added, as the evaluation does)."""
        from scipy.sparse import csr_matrix, identity  # the extra's (see __init__)

        n = len(self.standards)
        idx = self.std_index
        adj = set()
        elements: dict[str, int] = {}
        cls = []
        for s, props in self.corpus.links.items():
            if s not in idx:
                continue
            for p in STRUCTURE:
                for o in props.get(p, ()):
                    if o in idx:
                        adj.add((idx[s], idx[o]))
                        adj.add((idx[o], idx[s]))
            for e in sorted(props.get(CLASSIFIED, ())):
                cls.append((idx[s], elements.setdefault(e, len(elements))))
        rows, cols = zip(*sorted(adj), strict=True) if adj else ((), ())
        a = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
        self.A = _cosine_rows((a + identity(n, dtype=np.float32, format="csr")).tocsr())
        self.AT = self.A.T.tocsr()
        rows, cols = zip(*cls, strict=True) if cls else ((), ())
        c = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                       shape=(n, max(len(elements), 1)))
        self.C = _cosine_rows(c)
        self.CT = self.C.T.tocsr()
        self._pair_cache: dict[tuple[Weights, bytes | None], Any] = {}
        self._link_cache: dict[tuple[str, str], tuple[list[str], Any, np.ndarray]] = {}

    @property
    def ST(self) -> Any:
        """The text rows of the standards transposed, made on first use (as large as the rows:
        at 100,000 standards hundreds of MiB the bulk methods with blocking never need)."""
        if not hasattr(self, "_st"):
            self._st = self.S.T.tocsr()
        return self._st

    # -- scores ------------------------------------------------------------------------------
    def text_rows(self, standards: list[str]) -> np.ndarray:
        """Text similarity of each of ``standards`` to every standard (dense rows)."""
        q = self.S[[self.std_index[s] for s in standards]]
        return np.asarray((q @ self.ST).toarray(), dtype=np.float32)

    def duplicate_rows(self, standards: list[str]) -> np.ndarray:
        """The near-duplicate score of each of ``standards`` to every standard: their text
        similarity, halved when their identifiers or labels name different parts of one
        numbered series, raised halfway to 1 when they name one document (``duplicate_score``)."""
        out = self.text_rows(standards)
        names, docs = self._part_paths(), self.documents()
        for i, s in enumerate(standards):
            mine = names[s]
            if not mine:
                continue
            for j, other in enumerate(self.standards):
                if names[other] and mine.keys() & names[other].keys():
                    out[i, j] = duplicate_score(float(out[i, j]), mine, names[other], docs[s],
                                                docs[other])
        return out

    _NAMES = (str(SG.identifier), "http://www.w3.org/2000/01/rdf-schema#label",
              "http://www.w3.org/2004/02/skos/core#altLabel")

    def _part_paths(self) -> dict[str, dict[str, set[str]]]:
        if not hasattr(self, "_parts"):
            self._parts = {s: part_paths(t for f in self._NAMES
                                         for t in self.corpus.resources[s].texts.get(f, ()))
                           for s in self.standards}
        return self._parts

    def documents(self) -> dict[str, dict[str, set[str]]]:
        """Each standard's document numbers: the first number of each of its names."""
        if not hasattr(self, "_docs"):
            self._docs = {s: part_paths((t for f in self._NAMES
                                         for t in self.corpus.resources[s].texts.get(f, ())),
                                        first=True)
                          for s in self.standards}
        return self._docs

    def pair_rows(self, standards: list[str]) -> np.ndarray:
        """The pair score of each of ``standards`` to every standard (its own column 0)."""
        w = self.weights
        ix = [self.std_index[s] for s in standards]
        out = w.text * self.text_rows(standards)
        if w.facets:
            out += w.facets * (self.F[ix] @ self.FT).toarray()
        if w.neighbours:
            out += w.neighbours * (self.A[ix] @ self.AT).toarray()
        if w.elements:
            out += w.elements * (self.C[ix] @ self.CT).toarray()
        out[np.arange(len(ix)), ix] = 0
        return out

    def pair_matrix(self, batch: list[str], voters: np.ndarray | None = None) -> Any:
        """The pair scores of each of ``batch`` (rows) to the standards (columns) as a sparse
        matrix: every positive score (``pair_rows``) without ``blocking``; with it, the exact
        score of each candidate (``Blocking``), the candidates drawn from ``voters`` only (the
        indexes of the standards that can vote for a property) if given. What ``fill`` computed
        for every standard is kept and cut from."""
        from scipy.sparse import csr_matrix  # the extra's (see __init__)

        if self.blocking is None:
            return csr_matrix(self.pair_rows(batch))
        rows = np.array([self.std_index[s] for s in batch], dtype=np.int64)
        kept = self._pair_cache.get(self._key(voters))
        if kept is not None:
            return kept[rows]
        return self._blocked_pairs(rows, voters)

    def _key(self, voters: np.ndarray | None) -> tuple[Weights, bytes | None]:
        return self.weights, None if voters is None else voters.tobytes()

    def fill(self, voters: np.ndarray | None = None) -> None:
        """With ``blocking``: the candidates' pair scores of every standard computed once and
        kept (the bulk methods ask for them batch by batch, each property of ``classify`` and
        ``links`` with its own ``voters``)."""
        if self.blocking is not None and self._key(voters) not in self._pair_cache:
            self._pair_cache[self._key(voters)] = self._blocked_pairs(
                np.arange(len(self.standards)), voters)

    def _split(self) -> tuple[Any, Any]:
        """The text rows of the standards cut in two: the rare features (in at most
        ``max_df`` standards) and the common ones."""
        assert self.blocking is not None
        if not hasattr(self, "_halves"):
            df = np.bincount(self.S.indices, minlength=self.S.shape[1])
            rare = df <= self.blocking.max_df
            self._halves = (self.S[:, np.flatnonzero(rare)].tocsr(),
                            self.S[:, np.flatnonzero(~rare)].tocsr())
        return self._halves

    def _blocked_pairs(self, rows: np.ndarray, voters: np.ndarray | None = None,
                       chunk: int = 1024) -> Any:
        from scipy.sparse import csr_matrix, vstack  # the extra's (see __init__)

        assert self.blocking is not None
        w, n = self.weights, len(self.standards)
        R, Sc = self._split()
        pool = np.arange(n) if voters is None else voters  # the columns candidates come from
        in_pool = np.zeros(n, dtype=bool)
        in_pool[pool] = True
        RT = R[pool].T.tocsr()
        parts = []
        for start in range(0, len(rows), chunk):
            ix = rows[start:start + chunk]
            shared = (R[ix] @ RT).tocsr()  # the rare features' part of the text cosine
            own = pool[shared.indices] == np.repeat(ix, np.diff(shared.indptr))
            shared.data[own] = 0  # not its own partner
            shared.eliminate_zeros()
            best = _top_in_rows(shared, self.blocking.candidates).tocoo()
            r, c = best.row.astype(np.int64), pool[best.col].astype(np.int64)
            text = best.data + _row_dots(Sc, ix[r], c)  # and the common features' part
            near = (self.A[ix] @ self.AT).tocoo()  # two steps in the relations
            near_keys = _keys(near.row, near.col, n)[in_pool[near.col]]
            more = np.setdiff1d(near_keys, _keys(r, c, n))
            more = more[ix[more // n] != more % n]
            if len(more):
                r2, c2 = more // n, more % n
                r, c = np.concatenate([r, r2]), np.concatenate([c, c2])
                text = np.concatenate([text, _row_dots(self.S, ix[r2], c2)])
            score = w.text * text
            for weight, m in ((w.facets, self.F), (w.neighbours, self.A), (w.elements, self.C)):
                if weight:  # at the candidates only: a few facets are shared by thousands
                    score += weight * _row_dots(m, ix[r], c)
            keep = score > 0
            parts.append(csr_matrix((score[keep], (r[keep], c[keep])), shape=(len(ix), n)))
        return vstack(parts).tocsr() if parts else csr_matrix((0, n))

    def pair_row(self, standard: str) -> np.ndarray:
        return self.pair_rows([standard])[0]

    def _label(self, iri: str) -> str:
        r = self.corpus.resources.get(iri)
        return r.label if r else iri

    def terms(self, a: str, b: str, n: int = 6) -> list[str]:
        return self.model.shared_terms(self.W[self.row[a]], self.W[self.row[b]], n)

    # -- (a) pairs ---------------------------------------------------------------------------
    def pairs(self, min_score: float = 0.0, limit: int | None = None, per_standard: int = 5,
              chunk: int = 512) -> list[Suggestion]:
        """Pairs of standards not linked yet, each once (subject < object), best first: per
        standard its ``per_standard`` best partners at ``min_score`` or more."""
        found: dict[tuple[str, str], float] = {}
        linked = self._structurally_linked()
        if self.blocking is not None:
            self._blocked_best(found, linked, min_score, per_standard, chunk)
        for start in range(0, len(self.standards) if self.blocking is None else 0, chunk):
            batch = self.standards[start:start + chunk]
            rows = self.pair_rows(batch)
            for a, row in zip(batch, rows, strict=True):
                top = np.argsort(-row, kind="stable")[:per_standard + len(linked.get(a, ()))]
                kept = 0
                for j in top:
                    b, score = self.standards[j], float(row[j])
                    if score < min_score or kept == per_standard:
                        break
                    if b == a or b in linked.get(a, ()) or self.corpus.is_rejected(a, RELATED, b):
                        continue
                    kept += 1
                    key = (a, b) if a < b else (b, a)
                    found[key] = max(found.get(key, 0.0), score)
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Suggestion(a, RELATED, b, score, "pairs", self.terms(a, b),
                           duplicate=self.duplicate_of(a, b), near_at=self.near_duplicate)
                for (a, b), score in ranked]

    def _blocked_best(self, found: dict[tuple[str, str], float], linked: dict[str, set[str]],
                      min_score: float, per_standard: int, chunk: int) -> None:
        """``pairs`` over the candidates (``Blocking``): each standard's best partners."""
        for start in range(0, len(self.standards), chunk):
            batch = self.standards[start:start + chunk]
            m = self.pair_matrix(batch)
            for i, a in enumerate(batch):
                lo, hi = m.indptr[i], m.indptr[i + 1]
                cols, vals = m.indices[lo:hi], m.data[lo:hi]
                kept = 0
                for j in np.lexsort((cols, -vals)):
                    b, score = self.standards[cols[j]], float(vals[j])
                    if score < min_score or kept == per_standard:
                        break
                    if b in linked.get(a, ()) or self.corpus.is_rejected(a, RELATED, b):
                        continue
                    kept += 1
                    key = (a, b) if a < b else (b, a)
                    found[key] = max(found.get(key, 0.0), score)

    def duplicate_of(self, a: str, b: str) -> float:
        """The near-duplicate score of one pair (``duplicate_rows``)."""
        # two rows of the CSR matrix (a column of its transpose is slow to cut out)
        text = float(self.S[self.std_index[a]].multiply(self.S[self.std_index[b]]).sum())
        names, docs = self._part_paths(), self.documents()
        return duplicate_score(text, names[a], names[b], docs[a], docs[b])

    def _structurally_linked(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for s, props in self.corpus.links.items():
            for p in STRUCTURE:
                for o in props.get(p, ()):
                    out.setdefault(s, set()).add(o)
                    out.setdefault(o, set()).add(s)
        return out

    # -- (b), (c) links by neighbours' votes -------------------------------------------------
    def link_rows(self, batch: list[str], prop: str, kind: str,
                  pair: np.ndarray | None = None
                  ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """For each standard of ``batch``: every candidate object of ``prop`` (the resources
        of ``kind``) scored, and its voters. The score: ``vote`` times the similarity-weighted
        share of the ``k`` most similar standards with any ``prop`` link that have the
        candidate, plus the rest times the text similarity of standard and candidate.
        Returns (candidates, scores [batch x candidates], voters [batch x k] as indexes of
        standards or -1, their pair scores). ``pair``: the batch's ``pair_rows``, if known."""
        from scipy.sparse import csr_matrix  # the extra's (see __init__)

        w = self.weights
        candidates = self.corpus.of_kind(kind)
        n, b = len(self.standards), len(batch)
        if not candidates:
            return [], np.zeros((b, 0)), np.full((b, 0), -1), np.zeros((b, 0))
        links, can_vote = self._links_of(prop, kind)
        k = min(w.k, n)
        if self.blocking is not None and not isinstance(pair, np.ndarray):
            # the candidates among the standards that can vote (``Blocking``)
            pair = self.pair_matrix(batch, np.flatnonzero(can_vote))
        if pair is not None and not isinstance(pair, np.ndarray):  # sparse (``pair_matrix``)
            order, sims = self._sparse_voters(pair, can_vote, k)
        else:
            order, sims = self._dense_voters(pair, batch, can_vote, k)
        voters = np.where(sims > 0, order, -1)
        sims = np.where(sims > 0, sims, 0.0)
        totals = sims.sum(axis=1)
        totals[totals == 0] = 1
        weights = csr_matrix(((sims / totals[:, None]).ravel(),
                              (np.repeat(np.arange(b), order.shape[1]),
                               np.where(order < 0, 0, order).ravel())), shape=(b, n))
        votes = (weights @ links).toarray()
        cand_rows = self.X[[self.row[c] for c in candidates]]
        text = (self.X[[self.row[x] for x in batch]] @ cand_rows.T).toarray()
        return candidates, w.vote * votes + (1 - w.vote) * text, voters, sims

    def _links_of(self, prop: str, kind: str) -> tuple[Any, np.ndarray]:
        """The links of ``prop`` (standards x the resources of ``kind``) and which standards
        have any: kept until the links change (``refresh_links``)."""
        from scipy.sparse import csr_matrix  # the extra's (see __init__)

        if (prop, kind) not in self._link_cache:
            candidates = self.corpus.of_kind(kind)
            col = {c: i for i, c in enumerate(candidates)}
            pairs = [(i, col[o]) for i, st in enumerate(self.standards)
                     for o in self.corpus.linked(st, prop) if o in col]
            rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
            links = csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(len(self.standards), len(candidates)))
            self._link_cache[(prop, kind)] = (candidates, links,
                                              np.asarray(links.sum(axis=1)).ravel() > 0)
        _, links, can_vote = self._link_cache[(prop, kind)]
        return links, can_vote

    @staticmethod
    def _sparse_voters(pair: Any, can_vote: np.ndarray, k: int
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best voters of each row of a sparse matrix of pair scores (the positive
        ones, ties by position): their columns (-1 past the last) and scores (0 there)."""
        coo = pair.tocoo()
        keep = can_vote[coo.col] & (coo.data > 0)
        rows, cols, vals = coo.row[keep], coo.col[keep], coo.data[keep].astype(np.float64)
        best = _best_per_row(rows, cols, vals, k)
        rows, cols, vals = rows[best], cols[best], vals[best]
        starts = np.searchsorted(rows, np.arange(pair.shape[0]))
        rank = np.arange(len(rows)) - starts[rows]
        order = np.full((pair.shape[0], k), -1, dtype=np.int64)
        sims = np.zeros((pair.shape[0], k))
        order[rows, rank] = cols
        sims[rows, rank] = vals
        return order, sims

    def _dense_voters(self, pair: np.ndarray | None, batch: list[str], can_vote: np.ndarray,
                      k: int) -> tuple[np.ndarray, np.ndarray]:
        b, n = len(batch), len(self.standards)
        p = (self.pair_rows(batch) if pair is None else pair).astype(np.float64)
        p[:, ~can_vote] = 0
        # the k best of each row: partitioned, then only those sorted (stable on ties by
        # position, as a full stable sort would order them)
        top = np.argpartition(-p, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n),
                                                                               (b, 1))
        kth = np.take_along_axis(p, top, axis=1).min(axis=1)
        order = np.empty((b, k), dtype=np.int64)
        for i in range(b):
            cand = np.flatnonzero(p[i] >= kth[i])  # every tie at the k-th value, by position
            order[i] = cand[np.argsort(-p[i, cand], kind="stable")][:k]
        return order, np.take_along_axis(p, order, axis=1)

    def link_scores(self, standard: str, prop: str, kind: str
                    ) -> tuple[list[str], np.ndarray, list[list[tuple[str, str, float]]]]:
        """Every candidate object of ``prop`` for one standard, its score (``link_rows``) and
        the neighbours that voted for it ([iri, label, pair score])."""
        candidates, scores, voters, sims = self.link_rows([standard], prop, kind)
        return candidates, scores[0], self._voted(voters[0], sims[0], candidates, prop)

    def _voted(self, voters: np.ndarray, sims: np.ndarray, candidates: list[str], prop: str
               ) -> list[list[tuple[str, str, float]]]:
        col = {c: i for i, c in enumerate(candidates)}
        who: list[list[tuple[str, str, float]]] = [[] for _ in candidates]
        for j, sim in zip(voters, sims, strict=True):
            if j < 0:
                continue
            other = self.standards[j]
            for o in self.corpus.linked(other, prop):
                if o in col:
                    who[col[o]].append((other, self._label(other), float(sim)))
        return who

    def links_for(self, standard: str, prop: str, kind: str, min_score: float = 0.0,
                  limit: int | None = None, method: str = "classify") -> list[Suggestion]:
        """Suggested ``prop`` links of ``standard``, best first (not linked, not rejected)."""
        return self._links_for_rows([standard], prop, kind, min_score, limit, method)

    def _links_for_rows(self, batch: list[str], prop: str, kind: str, min_score: float,
                        limit: int | None, method: str, pair: np.ndarray | None = None
                        ) -> list[Suggestion]:
        candidates, scores, voters, sims = self.link_rows(batch, prop, kind, pair)
        out: list[Suggestion] = []
        for i, standard in enumerate(batch):
            kept: list[int] = []
            for c in np.argsort(-scores[i], kind="stable"):
                o, score = candidates[c], float(scores[i, c])
                if score < min_score or (limit is not None and len(kept) == limit):
                    break
                if self.corpus.has_link(standard, prop, o) or self.corpus.is_rejected(
                        standard, prop, o):
                    continue
                kept.append(c)
            if not kept:
                continue
            who = self._voted(voters[i], sims[i], candidates, prop)
            out += [Suggestion(standard, prop, candidates[c], float(scores[i, c]), method,
                               self.terms(standard, candidates[c]),
                               sorted(who[c], key=lambda t: -t[2])[:5]) for c in kept]
        return out

    def classify(self, min_score: float = 0.0, limit: int | None = None,
                 per_standard: int = 3) -> list[Suggestion]:
        """(b) Architecture elements for every standard."""
        return self._all_links({CLASSIFIED: "element"}, "classify", min_score, limit,
                               per_standard)

    def links(self, min_score: float = 0.0, limit: int | None = None,
              per_standard: int = 3) -> list[Suggestion]:
        """(c) Barriers, themes and technologies for every standard."""
        return self._all_links(CONCEPT_LINKS, "links", min_score, limit, per_standard)

    def _all_links(self, props: dict[str, str], method: str, min_score: float,
                   limit: int | None, per_standard: int, chunk: int = 256) -> list[Suggestion]:
        out: list[Suggestion] = []
        if self.blocking is not None:  # each property's voters' candidates, once
            for prop, kind in props.items():
                if self.corpus.of_kind(kind):
                    self.fill(np.flatnonzero(self._links_of(prop, kind)[1]))
        for start in range(0, len(self.standards), chunk):
            batch = self.standards[start:start + chunk]
            # once for every property; with blocking, link_rows asks for each one's
            pair: Any = self.pair_rows(batch) if self.blocking is None else None
            for prop, kind in props.items():
                out += self._links_for_rows(batch, prop, kind, min_score, per_standard, method,
                                            pair)
        out.sort(key=lambda x: (-x.score, x.subject, x.predicate, x.object))
        return out[:limit]

    # -- (d) profile -------------------------------------------------------------------------
    def profile(self, text: str, min_score: float = 0.0, limit: int | None = 10
                ) -> list[Suggestion]:
        """Standards for a free text, best first: 0.7 times the text's similarity to the
        standard plus 0.3 times its best similarity to a barrier, theme or technology the
        standard is linked to (the concept that matched is the evidence's neighbour)."""
        q = self.model.transform([text])
        direct = np.asarray((q @ self.ST).toarray()).ravel()
        concepts = [c for kind in ("barrier", "theme", "technology")
                    for c in self.corpus.of_kind(kind)]
        via = np.zeros(len(self.standards))
        best: dict[int, tuple[str, str, float]] = {}
        if concepts:
            sims = np.asarray((q @ self.X[[self.row[c] for c in concepts]].T).toarray()).ravel()
            sim_of = dict(zip(concepts, sims, strict=True))
            for i, s in enumerate(self.standards):
                for prop in CONCEPT_LINKS:
                    for c in self.corpus.linked(s, prop):
                        if c in sim_of and sim_of[c] > via[i]:
                            via[i] = sim_of[c]
                            best[i] = (c, self._label(c), float(sim_of[c]))
        scores = 0.7 * direct + 0.3 * via
        qw = self.model.word_vectors([text])
        out: list[Suggestion] = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] < min_score or scores[i] <= 0 or (limit is not None
                                                           and len(out) == limit):
                break
            s = self.standards[i]
            terms = self.model.shared_terms(qw[0], self.W[self.row[s]])
            out.append(Suggestion("", "", s, float(scores[i]), "profile", terms,
                                  [best[i]] if i in best else []))
        return out
