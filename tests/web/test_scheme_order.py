"""Lists of barriers in the report's order (issue 19, item 1: "lists in each scheme's own
order"): the landing page and the relevance finder's checkboxes list the barriers as the
BSI roadmap gives them (data/roadmap/barriers.ttl, sg:order), each concern right after its
area; what the report gives no order for comes by label. Expected orders from rdflib over the
source files, and the five areas as section 2.3 of the report names them."""

from __future__ import annotations

import re

from rdflib import URIRef

from .conftest import ID

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SG = "https://w3id.org/stdgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: section 2.3: "managing risk, cost, security, interoperability, and integration with legacy
#: systems", numbered 2.3.1-2.3.5
AREAS = ["managing-risk", "cost", "security", "interoperability", "legacy-system-integration"]


def expected_barriers(g) -> list[str]:
    """The barriers depth first: schemes by label, siblings by sg:order (none: after), then
    label; each concept right after its broader one."""
    barriers = {str(b) for b in g.subjects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(SG + "Barrier"))}
    label = {b: str(g.value(URIRef(b), URIRef(SKOS + "prefLabel"))) for b in barriers}
    order = {b: g.value(URIRef(b), URIRef(SG + "order")) for b in barriers}
    parent = {}
    for b in barriers:
        ups = {str(x) for x in g.objects(URIRef(b), URIRef(SKOS + "broader"))}
        ups |= {str(x) for x in g.subjects(URIRef(SKOS + "narrower"), URIRef(b))}
        ups &= barriers
        if ups:
            parent[b] = min(ups)
    scheme = {b: str(g.value(URIRef(b), URIRef(SKOS + "inScheme"))) for b in barriers}

    def sibling(b):
        o = order[b]
        return (0, int(o)) if o is not None else (1, 0), label[b].casefold(), b

    out: list[str] = []

    def walk(b):
        out.append(b)
        for c in sorted((c for c in barriers if parent.get(c) == b), key=sibling):
            walk(c)

    schemes = sorted({scheme[b] for b in barriers},
                     key=lambda s: str(g.value(URIRef(s), URIRef(SKOS + "prefLabel"))).casefold())
    for s in schemes:
        for top in sorted((b for b in barriers if b not in parent and scheme[b] == s),
                          key=sibling):
            walk(top)
    return out


def test_barriers_are_listed_in_the_reports_order(web, source_graph):
    want = expected_barriers(source_graph)
    assert len(want) == 40
    # the five areas in the order of section 2.3, each followed by its concerns
    areas = [w for w in want if w.removeprefix(ID + "barrier/") in AREAS]
    assert areas == [ID + "barrier/" + a for a in AREAS]
    assert want[0] == ID + "barrier/managing-risk"
    assert want[1] == ID + "barrier/obsolete-technology-investment"  # 2.3.1's first concern
    html = web.get("/", headers={"Accept": BROWSER}).text
    section = html.split("<h3>Barriers</h3>", 1)[1].split("<h3>", 1)[0]
    shown = [ID + h.removeprefix("/id/") for h in re.findall(r'href="(/id/barrier/[^"]+)"',
                                                             section)]
    assert shown == want
    html = web.get("/relevance", headers={"Accept": BROWSER}).text
    boxes = re.findall(r'name="barrier" value="([^"]+)"', html)
    assert [ID + "barrier/" + b if not b.startswith("http") else b for b in boxes] == want
