"""What the graph holds at a glance: instances per class, the members of a class, and the
choices of a relevance profile."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.catalog.architecture import elements_by_scheme, order_key
from stdgraph.catalog.common import SG, iris
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["COUNTED", "PROFILE_CLASSES", "counts", "landing", "members", "mentioned",
           "profile_options", "scheme_key", "tree_keys"]

#: the classes counted on the landing page (local name in sg:, plural), in order
COUNTED = [("Standard", "standards"), ("ReferenceArchitecture", "reference architectures"),
           ("ArchitectureElement", "architecture elements"), ("Barrier", "barriers"),
           ("Theme", "themes"), ("Technology", "technologies"),
           ("StakeholderType", "stakeholder types"), ("Recommendation", "recommendations"),
           ("RoadmapItem", "roadmap items"), ("StandardsBody", "standards bodies")]


def counts(store: Store) -> list[dict]:
    """``{"label", "count"}`` for each class of :data:`COUNTED`, in that order."""
    n = {str(c): int(v) for c, v in select(store, "class-counts",
                                             **{"class": iris(SG + k for k, _ in COUNTED)})}
    return [{"label": name, "count": n.get(SG + k, 0)} for k, name in COUNTED]


def members(store: Store, cls: str, labels: Labels | None = None) -> list[dict]:
    """The instances of ``sg:{cls}`` as ``{"iri", "label"}``, in their scheme's order
    (:func:`tree_keys`: a scheme's concepts together, each after its broader one; among
    siblings :func:`scheme_key`: ``sg:order``, then ``skos:notation``, then label: barriers as
    the report lists them, themes and recommendations by number, statuses in their life cycle's
    order, the rest by label)."""
    lab = labels or Labels(store)
    keys: dict[str, tuple[object, object]] = {}
    for _c, x, _name, notation, order in select(store, "concept-names",
                                                 **{"class": [URIRef(SG + cls)]}):
        if str(x) not in keys or (notation, order) != (None, None):
            keys[str(x)] = (notation, order)
    lab.fetch(keys)
    where = tree_keys(store, [cls], keys, lab)
    return [lab.ref(x) for x in sorted(keys, key=where.__getitem__)]


def tree_keys(store: Store, classes: list[str], keys: dict[str, tuple[object, object]],
              lab: Labels) -> dict[str, tuple]:
    """A sort key for each concept of ``keys`` (IRI -> its ``skos:notation`` and ``sg:order``)
    that lists a flat list of them as their schemes' trees: by scheme (its label; the
    concepts of no scheme last), then each concept right after its broader one (depth first),
    siblings by :func:`scheme_key`. A concept of several schemes or broader concepts sits
    under the first (by key); a cycle of broader links is cut where it closes."""
    broader: dict[str, set[str]] = defaultdict(set)
    schemes: dict[str, set[str]] = defaultdict(set)
    for x, b, scheme in select(store, "concept-tree",
                               **{"class": iris(SG + c for c in classes)}):
        if b is not None and str(b) in keys and str(b) != str(x):
            broader[str(x)].add(str(b))
        if scheme is not None:
            schemes[str(x)].add(str(scheme))
    lab.fetch({s for ss in schemes.values() for s in ss})
    memo: dict[str, tuple] = {}

    def path(x: str, seen: frozenset[str]) -> tuple:
        if x in memo:
            return memo[x]
        own = (scheme_key(*keys[x], lab(x)), x)
        ups = [path(b, seen | {x}) for b in broader.get(x, ()) if b not in seen | {x}]
        found = (min(ups) if ups else ()) + (own,)
        if not seen:
            memo[x] = found
        return found

    out = {}
    for x in keys:
        p = path(x, frozenset())
        top = p[0][1]
        names = sorted((lab(s).casefold(), s) for s in schemes.get(top) or schemes.get(x) or ())
        out[x] = ((0, *names[0]) if names else (1, "", ""), p)
    return out


def landing(store: Store) -> dict[str, Any]:
    """The landing page: ``counts``, and the ``architectures``, ``barriers``, ``themes`` and
    ``recommendations`` to start from."""
    lab = Labels(store)
    return {"counts": counts(store),
            "architectures": members(store, "ReferenceArchitecture", lab),
            "barriers": members(store, "Barrier", lab), "themes": members(store, "Theme", lab),
            "recommendations": members(store, "Recommendation", lab)}


#: the kinds of a relevance profile chosen from a class's instances: kind -> class (sg:)
PROFILE_CLASSES = {"technology": "Technology", "barrier": "Barrier", "theme": "Theme",
                   "stakeholder": "StakeholderType"}


def scheme_key(notation: object, order: object, label: str) -> tuple:
    """Where a concept sits in its scheme: by ``sg:order``, then ``skos:notation`` (numbers
    as numbers), then label; what has none after what has."""
    n = str(notation) if notation is not None else None
    return (order_key(order),
            (0, int(n), "") if n is not None and n.isdigit() else
            (1, 0, n) if n is not None else (2, 0, ""),
            label.casefold())


def profile_options(store: Store) -> dict[str, list]:
    """What a relevance profile can name: ``technology``, ``barrier``, ``theme`` and
    ``stakeholder`` (``{"iri", "label", "names"}``: ``names`` the concept's labels and
    alternative labels, the words :func:`mentioned` looks for) in their scheme's order
    (:func:`tree_keys`: each after its broader concept; the barriers as the report lists them,
    the themes by number, the others by label where the graph gives no order), and
    ``element`` ((architecture, elements) pairs, each in its scheme's order)."""
    lab = Labels(store)
    rows = select(store, "concept-names",
                  **{"class": iris(SG + c for c in PROFILE_CLASSES.values())})
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    keys: dict[tuple[str, str], tuple[object, object]] = {}
    for cls, x, name, notation, order in rows:
        at = (str(cls), str(x))
        if name is not None:
            names[at].add(str(name))
        else:
            names.setdefault(at, set())
        if at not in keys or (notation, order) != (None, None):
            keys[at] = (notation, order)
    lab.fetch([x for _c, x in keys])
    options: dict[str, list] = {}
    for kind, cls in PROFILE_CLASSES.items():
        mine = {x: keys[(c, x)] for c, x in keys if c == SG + cls}
        where = tree_keys(store, [cls], mine, lab)
        options[kind] = [{**lab.ref(x), "names": sorted(names[(SG + cls, x)])}
                         for x in sorted(mine, key=where.__getitem__)]
    options["element"] = elements_by_scheme(store, lab)
    return options


_WORD = re.compile(r"\w", re.UNICODE)


def mentioned(text: str, options: dict[str, list]) -> dict[str, str]:
    """The profile choices (``profile_options``, but the elements) a free text names: choice
    IRI -> the name found. A name counts as a whole word or phrase (a plural "s" allowed:
    "SMEs"), ignoring case, but a name of three characters or fewer must be written as the
    graph writes it ("AI", "IoT", "SME", "ERP", "UAS"), so that "ai" or "it" in a sentence
    ticks nothing."""
    found: dict[str, str] = {}
    for kind in PROFILE_CLASSES:
        for o in options.get(kind, ()):
            for name in sorted(o.get("names", ()), key=len, reverse=True):
                words = name.split()
                if not words or not _WORD.search(name):
                    continue
                pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"s?(?!\w)"
                flags = 0 if len(name) <= 3 else re.IGNORECASE
                if re.search(pattern, text, flags):
                    found.setdefault(o["iri"], name)
                    break
    return found
