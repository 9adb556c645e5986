"""What the CLI and HTTP ask of suggestions, over a store: compute a kind and store it (a
guarded change), list what is stored, answer a profile or one standard live, and record a
reviewer's decision.

The kinds stored are ``pairs`` (``sg:relatedTo``), ``classify`` (``sg:classifiedIn``) and
``links`` (``sg:addressesBarrier``, ``sg:supportsTheme``, ``sg:concernsTechnology``); a
``profile`` is answered, never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stdgraph import __version__
from stdgraph.change.guard import Change, store_change
from stdgraph.errors import NotFound, UsageError
from stdgraph.project import Project
from stdgraph.store.base import Store
from stdgraph.suggest import lexical, models, records
from stdgraph.suggest.corpus import CLASSIFIED, CONCEPT_LINKS, Corpus, read_corpus
from stdgraph.suggest.methods import KINDS, Suggester, Suggestion

__all__ = ["DECISIONS", "KINDS", "PER_STANDARD", "STORED_KINDS", "compute", "computed", "decide",
           "for_one", "for_standard", "listed", "profile", "run", "store_computed", "suggester"]

STORED_KINDS = tuple(KINDS)
#: accept / reject -> the function that writes the decision
DECISIONS: dict[str, Callable[[Change, str, str], dict[str, str]]] = {
    "accept": records.accept, "reject": records.reject}


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise UsageError(f"no kind of suggestion {kind!r} (known: {', '.join(KINDS)})")


def _check_numbers(min_score: float, limit: int | None) -> None:
    if not 0 <= min_score <= 1:
        raise UsageError(f"min_score {min_score:g}: give a number from 0 to 1")
    if limit is not None and limit < 1:
        raise UsageError(f"limit {limit}: give a positive number")


def method_name(suggester: Suggester) -> str:
    """What ``sg:method`` says after the kind: the model with its settings and versions."""
    return f"{suggester.model.version}; stdgraph {__version__}"


def suggester(corpus: Corpus, model: str | None = None) -> Suggester:
    """``corpus`` with the text model named ``model`` (``models.MODELS``; default
    ``models.DEFAULT``) fitted on it."""
    return Suggester(corpus, models.make(model))


def compute(corpus: Corpus, kind: str, min_score: float = 0.0, limit: int | None = None,
            model: str | None = None) -> tuple[list[Suggestion], Suggester]:
    """The suggestions of ``kind`` over ``corpus``, best first."""
    _check(kind)
    _check_numbers(min_score, limit)
    sg = suggester(corpus, model)
    found: list[Suggestion] = getattr(sg, kind)(min_score=min_score, limit=limit)
    return found, sg


def run(store: Store, kind: str, *, min_score: float = 0.0, limit: int | None = None,
        project: Project | None = None, model: str | None = None) -> dict[str, Any]:
    """Compute ``kind`` on ``store`` and store it in place of the last run's (decisions stay:
    accepted links are links, rejected ones are skipped); what was stored."""
    found, sg = compute(read_corpus(store), kind, min_score, limit, model)
    with store_change(store, project) as change:
        written = records.write(change, found, KINDS[kind], method_name(sg))
    return {"kind": kind, "stored": written, "min_score": min_score, "limit": limit,
            "method": f"{kind}; {method_name(sg)}",
            "suggestions": [_labelled(x, sg.corpus) for x in found]}


def _labelled(x: Suggestion, corpus: Corpus) -> dict[str, Any]:
    out = x.as_dict()
    for end in ("subject", "object"):
        r = corpus.resources.get(out[end])
        out[f"{end}_label"] = r.label if r else None
    if x.subject and x.predicate:
        out["record"] = records.record_iri(x.subject, x.predicate, x.object)
    return out


def listed(store: Store, kind: str | None = None, subject: str | None = None,
           min_score: float = 0.0, limit: int | None = None) -> list[dict[str, Any]]:
    """The stored suggestions (of ``kind``, about ``subject``), best first."""
    if kind is not None:
        _check(kind)
    _check_numbers(min_score, limit)
    return records.stored(store, subject=subject, predicates=KINDS[kind] if kind else (),
                          min_score=min_score, limit=limit)


def profile(store: Store, text: str, min_score: float = 0.0, limit: int | None = 10,
            model: str | None = None) -> list[dict[str, Any]]:
    """Standards for a free-text profile, best first (computed, not stored)."""
    text = " ".join(text.split())
    if not text:
        raise UsageError("give the profile's text")
    if len(text) > 5000:
        raise UsageError("the profile's text is longer than 5000 characters")
    _check_numbers(min_score, limit)
    sg = fitted(store, model)
    return [_labelled(x, sg.corpus) for x in sg.profile(text, min_score, limit)]


def fitted(store: Store, model: str | None = None) -> Suggester:
    """The store's text read and ``model`` fitted: once per store state in the query runner,
    in the background (``DeadlineStore.prepared``: the relevance finder's text box and the live
    suggestions ask for it at every request, and fitting takes longer than a request may run
    from about 10,000 standards: ``Preparing`` until it is ready), afresh elsewhere (the
    CLI)."""
    def build(st: Store) -> Suggester:
        return suggester(read_corpus(st), model)

    lexical.require()  # the extra's absence is said at every call, cached model or not
    prepared = getattr(store, "prepared", None)
    if prepared is None:
        return build(store)
    key = "suggest.fitted" + ("" if model in (None, models.DEFAULT) else f".{model}")
    fit: Suggester = prepared(key, build, "the suggestions' text model")
    return fit


#: per standard, how many of each kind ``pairs``, ``classify`` and ``links`` keep
PER_STANDARD = {"pairs": 5, "classify": 3, "links": 3}


def for_one(sg: Suggester, standard: str, kind: str, min_score: float = 0.0,
            limit: int | None = None) -> list[Suggestion]:
    """The suggestions of ``kind`` about one standard, best first: its ``limit`` best
    partners (pairs, each with its near-duplicate score), or its ``limit`` best objects of
    each property (classify, links); not linked already, not rejected."""
    _check(kind)
    limit = PER_STANDARD[kind] if limit is None else limit
    corpus = sg.corpus
    if kind != "pairs":
        props = {CLASSIFIED: "element"} if kind == "classify" else CONCEPT_LINKS
        return [x for prop, of_kind in props.items()
                for x in sg.links_for(standard, prop, of_kind, min_score, limit, kind)]
    row = sg.pair_row(standard)
    related: list[Suggestion] = []
    for j in row.argsort(kind="stable")[::-1]:
        other, score = sg.standards[j], float(row[j])
        if len(related) == limit or score < min_score or score <= 0:
            break
        if other == standard or corpus.has_link(standard, KINDS["pairs"][0], other) \
                or corpus.is_rejected(standard, KINDS["pairs"][0], other):
            continue
        related.append(Suggestion(standard, KINDS["pairs"][0], other, score, "pairs",
                                  sg.terms(standard, other),
                                  duplicate=sg.duplicate_of(standard, other),
                                  near_at=sg.near_duplicate))
    return related


def _standard(corpus: Corpus, standard: str) -> None:
    if corpus.resources.get(standard) is None or corpus.resources[standard].kind != "standard":
        raise NotFound(f"no standard {standard}")


def for_standard(store: Store, standard: str, min_score: float = 0.0, limit: int = 5,
                 model: str | None = None) -> dict[str, Any]:
    """Live suggestions for one standard: related standards, elements, and barriers, themes
    and technologies (not stored; the stored ones are ``listed(subject=...)``)."""
    _check_numbers(min_score, limit)
    sg = fitted(store, model)  # once per store state in the query runner, like the profile's
    corpus = sg.corpus
    _standard(corpus, standard)
    out: dict[str, Any] = {"standard": standard, "label": corpus.resources[standard].label,
                           "method": method_name(sg)}
    for kind in KINDS:
        out[kind] = [_labelled(x, corpus) for x in for_one(sg, standard, kind, min_score,
                                                            limit)]
    return out


def computed(store: Store, kind: str, standard: str | None = None, min_score: float = 0.0,
             limit: int | None = None, model: str | None = None) -> dict[str, Any]:
    """The suggestions of ``kind`` to store: about one ``standard`` (``for_one``; ``limit``
    per property, by default as many as a run keeps per standard) or about every standard
    (as ``run``); with the method and the suggestions labelled. ``store_computed`` writes
    them (the server computes in its query runner, at the query time limit, and writes on its
    write thread)."""
    _check(kind)
    _check_numbers(min_score, limit)
    corpus = read_corpus(store)
    if standard is not None:
        _standard(corpus, standard)
    sg = suggester(corpus, model)
    found: list[Suggestion] = (getattr(sg, kind)(min_score=min_score, limit=limit)
                               if standard is None
                               else for_one(sg, standard, kind, min_score, limit))
    return {"kind": kind, "standard": standard, "min_score": min_score, "limit": limit,
            "method": method_name(sg), "found": found,
            "suggestions": [_labelled(x, corpus) for x in found]}


def store_computed(change: Change, result: dict[str, Any]) -> int:
    """Write what ``computed`` found in place of what was stored of its kind (about its
    standard only, when it was for one); the number written."""
    return records.write(change, result["found"], KINDS[result["kind"]], result["method"],
                         about=result["standard"])


def decide(change: Change, action: str, record: str, reviewer: str) -> dict[str, str]:
    """Accept or reject the stored suggestion ``record`` in ``change``."""
    if action not in DECISIONS:
        raise UsageError(f"no decision {action!r} (known: accept, reject)")
    return {"decision": action, **DECISIONS[action](change, record, reviewer)}
