"""The roadmap data in data/roadmap/ holds exactly what the BSI report says.

The expected lists below were written by hand from the report
(shared/seed/standards-roadmap-smart-factories.txt: BSI, "Standards roadmap for digital
technologies relating to smart factories", 2019, for Innovate UK); they are NOT computed from the
data. Each test loads the Turtle in data/roadmap/ with rdflib and queries it with SPARQL.
"""

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

ROOT = Path(__file__).parents[1]
DATA_DIR = ROOT / "data" / "roadmap"

SG = "https://w3id.org/stdgraph/ontology#"
SGID = "https://w3id.org/stdgraph/id/"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"

PREFIXES = f"""
PREFIX sg: <{SG}>
PREFIX sgid: <{SGID}>
PREFIX scheme: <{SGID}scheme/>
PREFIX src: <{SGID}source/>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX prov: <{PROV}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

REPORT = URIRef(SGID + "source/bsi-roadmap-2019")
XSD_GYEAR = URIRef("http://www.w3.org/2001/XMLSchema#gYear")

# --------------------------------------------------------------------------------------------
# Hand-written expectations (from the report text)
# --------------------------------------------------------------------------------------------

# 2.1 — the two terms the report defines, with its definitions verbatim; 3.6 — the smart supply
# chain, defined by the clause after the dash ("... is the smart supply chain – a series of ...").
REPORT_TERMS = {
    "digital manufacturing": "Digital manufacturing is the collaborative transformation of "
    "manufacturing through the exploitation of advances in ICT.",
    "smart factory": "A smart factory is a factory or production facility using one or more "
    "digital technologies in a networked environment and generating, collecting, and analysing "
    "data for use throughout business functions including design, production, maintenance, "
    "finance, resource planning, marketing and strategy.",
    "smart supply chain": "A series of digitally enabled production and logistics environments "
    "connected together to provide efficiency, visibility and traceability.",
}

# 2.2 — productivity growth (the key benefit) and the eight bullets.
BENEFITS = {
    "Productivity growth",
    "Increased profit margin",
    "Better service to existing customers",
    "Increased speed in new product development",
    "Reduced latency in the supply chain",
    "Better compliance with legislation",
    "Traceability",
    "Preventative maintenance",
    "Addressing the skills shortage",
}

# 2.3 — the five areas (IRIs fixed by the shared brief) and the concerns each subsection names.
BARRIER_AREAS = {
    "managing-risk": "Managing risk",
    "cost": "Cost",
    "security": "Security",
    "interoperability": "Interoperability",
    "legacy-system-integration": "Integration of legacy systems",
}
BARRIER_CONCERNS = {
    "managing-risk": {  # 2.3.1
        "obsolete-technology-investment",
        "customer-lock-in",
        "incompatible-data-formats",
        "loss-of-ip",
        "long-term-data-accessibility",
        "connectivity-loss",
        "health-and-safety",
        "ai-accountability",
    },
    "cost": {  # 2.3.2
        "equipment-and-integration-cost",
        "data-storage-cost",
        "return-on-investment-uncertainty",
        "cost-of-finding-relevant-standards",
    },
    "security": {  # 2.3.3
        "cloud-storage-reluctance",
        "insider-behaviour",
        "cyber-physical-security-interaction",
        "foreign-legislation-ip-access",
        "understanding-security-standards",
    },
    "interoperability": {  # 2.3.4
        "proprietary-vendor-standards",
        "conflicting-duplicating-outdated-standards",
        "little-willingness-to-converge",
        "vendor-lock-in-and-trust",  # added by 2.5.2, the interoperability theme
    },
    "legacy-system-integration": {  # 2.3.5
        "legacy-machinery",
        "outdated-back-office-systems",
        "erp-investment",
        "dependence-on-integrators",
    },
}

# 2.5.1, 2.5.2, 3.1 — the concerns the report raises outside its five areas: (slug, section)
FURTHER_CONCERNS = {
    "static-machine-certification": "2.5.1",   # certification assumes static machines
    "data-overload": "2.5.1",                  # massive quantities of data, hard to make sense of
    "ownership-mindset": "2.5.1",              # CapEx / ownership mindset
    "many-vendors-small-steps": "2.5.2",       # small incremental steps, several vendors
    "low-uk-standards-participation": "3.1",   # UK participation and leadership is low
}

# 2.4 — Blind (2009)'s five effects of standards, as the report lists them.
EFFECTS_OF_STANDARDS = {
    "Shorter time to market",
    "Diffusion of innovative products",
    "A level playing field",
    "Compatibility for network industries",
    "Minimum requirements and trust",
}

# 2.3 — the Made Smarter Review's obstacles as the report lists them.
MADE_SMARTER_OBSTACLES = {
    "Confused landscape of business support",
    "Risks around cybersecurity",
    "Lack of common standards",
    "Access to funding",
    "Skills shortage",
}

# 2.5 — (notation, IRI slug, label, more relevant for SMEs?)
THEMES = {
    ("1", "interoperability", "Interoperability", True),
    ("2", "supply-chain-capability", "Supply chain capability", True),
    ("3", "through-life-design", "Through-life end-to-end connected supply chains – design", False),
    ("4", "data-governance-security-assurance", "Governance, security, and assurance of data", True),
    ("5", "through-life-service-innovation",
     "Through-life end-to-end connected supply chains – service innovation", False),
}

# 3.1-3.6 — (notation, section, start of the recommendation sentence)
RECOMMENDATIONS = {
    ("1", "3.1", "Establish a Standards Board under the Made Smarter Council."),
    ("2", "3.2", "Fund the standards work programme outlined below"),
    ("3", "3.3", "Develop a tool to assist organizations in identifying the relevant standards"),
    ("4", "3.4", "Support a programme of small roundtable networking events"),
    ("5", "3.5", "Initiate a research project, working with regulators,"),
    ("6", "3.6", "Initiate a standards road mapping project for smart supply chains."),
}

# Section 3 table + 3.2 — (label, timeframe, recommendation number)
ROADMAP_ITEMS = {
    ("Made Smarter Standards Board: establish board", "2019–2020", "1"),
    ("Made Smarter Standards Board: board up and running (2020–2021)", "2020–2021", "1"),
    ("Made Smarter Standards Board: board up and running (2021–2022)", "2021–2022", "1"),
    ("Smart factories terminology", "2019–2020", "2"),
    ("Enterprise level architecture minimum viable product", "2019–2020", "2"),
    ("The business case for smart factories", "2019–2020", "2"),
    ("The business case for the networked environment", "2019–2020", "2"),
    ("The business case for [technology] (2019–2020)", "2019–2020", "2"),
    ("The business case for [technology] (2020–2021)", "2020–2021", "2"),
    ("The business case for [technology] (2021–2022)", "2021–2022", "2"),
    ("Collaborative business relationships for smart factories", "2019–2020", "2"),
    ("Smart asset contracting", "2019–2020", "2"),
    ("Guide to implementing PAS 1085", "2019–2020", "2"),
    ("Cobot safety", "2019–2020", "2"),
    ("Managing data as an asset", "2019–2020", "2"),
    ("Standards for the qualification of training providers in digital skills", "2020–2021", "2"),
    ("Evolution of key management system standards", "2021–2023", "2"),
    ("Tools for finding relevant standards: develop tool", "2019–2020", "3"),
    ("Digital manufacturing events series: plan and deliver events", "2019–2020", "4"),
    ("Digital manufacturing events series: events continue (2020–2021)", "2020–2021", "4"),
    ("Digital manufacturing events series: events continue (2021–2022)", "2021–2022", "4"),
    ("Quality and safety assurance environment research: commission and deliver research",
     "2019–2020", "5"),
    ("Digital supply chains research: commission and deliver research", "2019–2020", "6"),
}

# Fixed by the shared brief.
TECHNOLOGIES = {
    "additive-manufacturing", "robotics", "collaborative-robots", "internet-of-things",
    "artificial-intelligence", "cloud-computing", "edge-intelligence", "privacy-machine-learning",
    "machine-to-machine-communication", "sensors", "unmanned-aircraft-systems",
    "enterprise-resource-planning", "industrial-communication", "digital-twin", "data-management",
}
STAKEHOLDERS = {
    "sme", "oem-prime", "solution-vendor", "integrator", "trade-association",
    "large-manufacturer", "regulator",
    # named elsewhere in the report: the Made Smarter Review's Recommendation 4.1 (section 1),
    # 2.3.1, 2.3.3 and 3.2
    "government-body", "research-community", "network-provider", "cloud-storage-provider",
    "training-provider",
}
SECTIONS = {
    "1", "2", "2.1", "2.2", "2.3", "2.3.1", "2.3.2", "2.3.3", "2.3.4", "2.3.5", "2.4", "2.5",
    "2.5.1", "2.5.2", "2.5.3", "2.5.4", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
    "4", "4.1", "4.2",
}

# sg: terms listed in docs/model.md that this data may use.
CONTRACT_SG_TERMS = {
    "Standard", "StandardsBody", "Committee", "ReferenceArchitecture", "ArchitectureElement",
    "ArchitectureMapping", "Theme", "Barrier", "Technology", "StakeholderType", "Benefit",
    "ReportTerm", "Recommendation", "RoadmapItem", "SourceDocument", "Status",
    "identifier", "title", "publisher", "committee", "status", "publicationYear",
    "publicationDate", "withdrawalDate", "withdrawalYear", "edition", "partOf", "hasPart",
    "supersedes", "supersededBy", "references", "normativelyReferences", "basedOn", "relatedTo",
    "conflictsWith", "classifiedIn", "addressesBarrier", "supportsTheme", "concernsTechnology",
    "relevantToStakeholder", "proposes", "proposedBy", "startYear", "endYear", "timeframeLabel",
    "delivers", "deliveredBy", "order", "specifiedBy", "publishedBy", "relevantToSMEs",
    "sectionNumber", "mappingSubject", "mappingObject", "mappingRelation", "mappingStatus",
    "servedBy", "serves", "tableColumn", "evidence", "rationale", "locator", "method", "score",
}

#: the links and timeframe values that carry a statement record (docs/model.md, Evidence)
EVIDENCED = ("addressesBarrier", "supportsTheme", "concernsTechnology", "relevantToStakeholder",
             "references", "basedOn", "delivers", "servedBy", "startYear", "endYear",
             "timeframeLabel", "tableColumn")


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph() -> Graph:
    files = sorted(DATA_DIR.glob("*.ttl"))
    assert files, f"no Turtle files in {DATA_DIR}"
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    return g


def rows(g: Graph, query: str):
    return [tuple(r) for r in g.query(PREFIXES + query)]


def strings(g: Graph, query: str) -> set:
    return {str(r[0]) for r in rows(g, query)}


def slugs(g: Graph, query: str, kind: str) -> set:
    base = SGID + kind + "/"
    out = set()
    for r in rows(g, query):
        iri = str(r[0])
        assert iri.startswith(base), iri
        out.add(iri[len(base):])
    return out


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

def test_files_present():
    names = {p.name for p in DATA_DIR.glob("*.ttl")}
    assert names == {
        "sources.ttl", "terms.ttl", "benefits.ttl", "barriers.ttl", "themes.ttl",
        "technologies.ttl", "stakeholders.ttl", "recommendations.ttl", "roadmap.ttl",
        "effects.ttl",
    }


def test_report_terms(graph):
    found = dict(rows(graph, """
        SELECT ?label ?def WHERE {
          ?t a sg:ReportTerm ; skos:prefLabel ?label ; skos:definition ?def ;
             skos:inScheme scheme:report-terms .
        }"""))
    assert {str(k): str(v) for k, v in found.items()} == REPORT_TERMS


def test_benefits(graph):
    assert strings(graph, """
        SELECT ?label WHERE {
          ?b a sg:Benefit ; skos:prefLabel ?label ; skos:inScheme scheme:benefits .
        }""") == BENEFITS


def test_barrier_areas(graph):
    found = dict(rows(graph, """
        SELECT ?b ?label WHERE {
          ?b a sg:Barrier ; skos:prefLabel ?label ;
             skos:topConceptOf scheme:barriers .
        }"""))
    base = SGID + "barrier/"
    assert {str(k)[len(base):]: str(v) for k, v in found.items()} == BARRIER_AREAS


def test_barrier_concerns(graph):
    for area, expected in BARRIER_CONCERNS.items():
        found = slugs(graph, f"""
            SELECT ?b WHERE {{
              ?b a sg:Barrier ; skos:broader <{SGID}barrier/{area}> ;
                 skos:inScheme scheme:barriers ; skos:definition ?d .
            }}""", "barrier")
        assert found == expected, area
    # every barrier in the scheme is an area or a concern of one
    every = slugs(graph, "SELECT ?b WHERE { ?b skos:inScheme scheme:barriers }", "barrier")
    assert every == set(BARRIER_AREAS) | set().union(*BARRIER_CONCERNS.values())


def test_further_concerns(graph):
    found = slugs(graph, """
        SELECT ?b WHERE {
          ?b a sg:Barrier ; skos:topConceptOf scheme:further-concerns ; skos:definition ?d .
        }""", "barrier")
    assert found == set(FURTHER_CONCERNS)
    for slug, section in FURTHER_CONCERNS.items():
        cited = strings(graph, f"""
            SELECT ?n WHERE {{ <{SGID}barrier/{slug}> dcterms:source ?s . ?s sg:sectionNumber ?n }}""")
        assert section in cited, slug


def test_effects_of_standards(graph):
    assert strings(graph, """
        SELECT ?label WHERE {
          ?e skos:prefLabel ?label ; skos:inScheme scheme:effects-of-standards ;
             dcterms:source src:bsi-roadmap-2019-s2.4 , src:blind-2009 .
        }""") == EFFECTS_OF_STANDARDS


def test_made_smarter_review_recommendation_4_1(graph):
    assert graph.query(PREFIXES + """ASK {
        src:made-smarter-review-2017-r4.1 a sg:SourceDocument ;
            dcterms:isPartOf src:made-smarter-review-2017 ; dcterms:source src:bsi-roadmap-2019-s1 ;
            dcterms:description ?d .
        src:bsi-roadmap-2019 dcterms:references src:made-smarter-review-2017-r4.1 .
        FILTER (CONTAINS(?d, "the research community, government bodies and regulators"))
    }""").askAnswer
    # the report no longer cites itself
    assert (REPORT, URIRef(DCTERMS + "source"), REPORT) not in graph


def test_made_smarter_obstacles(graph):
    assert strings(graph, """
        SELECT ?label WHERE {
          ?b a sg:Barrier ; skos:prefLabel ?label ;
             skos:inScheme scheme:made-smarter-obstacles .
        }""") == MADE_SMARTER_OBSTACLES


def test_themes(graph):
    found = set()
    for theme, notation, label, sme in rows(graph, """
        SELECT ?t ?n ?label ?sme WHERE {
          ?t a sg:Theme ; skos:notation ?n ; skos:prefLabel ?label ; sg:relevantToSMEs ?sme ;
             skos:inScheme scheme:themes .
        }"""):
        found.add((str(notation), str(theme)[len(SGID + "theme/"):], str(label), sme.toPython()))
    assert found == THEMES
    assert sum(1 for t in THEMES if t[3]) == 3


def test_recommendations(graph):
    found = rows(graph, """
        SELECT ?n ?section ?desc WHERE {
          ?r a sg:Recommendation ; skos:notation ?n ; dcterms:description ?desc ;
             dcterms:source ?s .
          ?s sg:sectionNumber ?section .
          FILTER (STRSTARTS(?section, "3."))
        }""")
    assert len({str(r[0]) for r in found}) == 6
    assert len(found) == 6  # exactly one 3.x section each
    got = {(str(n), str(sec), str(d)) for n, sec, d in found}
    for n, sec, start in RECOMMENDATIONS:
        matches = [g for g in got if g[0] == n]
        assert len(matches) == 1, n
        assert matches[0][1] == sec, n
        assert matches[0][2].startswith(start), n


def test_roadmap_items(graph):
    found = {
        (str(label), str(tf), str(n))
        for label, tf, n in rows(graph, """
            SELECT ?label ?tf ?n WHERE {
              ?i a sg:RoadmapItem ; rdfs:label ?label ; sg:timeframeLabel ?tf ;
                 sg:proposedBy ?r .
              ?r skos:notation ?n ; sg:proposes ?i .
            }""")
    }
    assert found == ROADMAP_ITEMS
    count = rows(graph, "SELECT (COUNT(DISTINCT ?i) AS ?c) WHERE { ?i a sg:RoadmapItem }")
    assert int(count[0][0]) == len(ROADMAP_ITEMS) == 23


def test_roadmap_timeframes_consistent(graph):
    for label, start, end, tf in rows(graph, """
        SELECT ?label ?s ?e ?tf WHERE {
          ?i a sg:RoadmapItem ; rdfs:label ?label ; sg:startYear ?s ; sg:endYear ?e ;
             sg:timeframeLabel ?tf .
        }"""):
        assert start.datatype == XSD_GYEAR and end.datatype == XSD_GYEAR, label
        assert int(str(start)) <= int(str(end)), label
        assert str(tf) == f"{start}–{end}", label
    # one start, one end, one timeframe label per item
    assert not rows(graph, """
        SELECT ?i WHERE {
          ?i a sg:RoadmapItem .
          { ?i sg:startYear ?a, ?b } UNION { ?i sg:endYear ?a, ?b }
          UNION { ?i sg:timeframeLabel ?a, ?b }
          FILTER (?a != ?b)
        }""")


def test_proposes_and_proposed_by_agree(graph):
    assert not rows(graph, """
        SELECT ?i ?r WHERE {
          { ?r sg:proposes ?i FILTER NOT EXISTS { ?i sg:proposedBy ?r } }
          UNION
          { ?i sg:proposedBy ?r FILTER NOT EXISTS { ?r sg:proposes ?i } }
        }""")


def test_specific_links_the_report_states(graph):
    def ask(q):
        return graph.query(PREFIXES + q).askAnswer

    item = SGID + "roadmap-item/"
    std = SGID + "standard/"
    # "will reference and expand upon existing terminology standards such as IEC 63082-1 ...
    # (in development)": a reference, to the document as the report cites it
    assert ask(f"ASK {{ <{item}smart-factories-terminology> sg:references <{std}iec-63082-1> }}")
    assert not ask(f"ASK {{ <{item}smart-factories-terminology> sg:basedOn ?x }}")
    assert ask(f"ASK {{ <{item}collaborative-business-relationships> sg:basedOn <{std}iso-44001-2017> }}")
    assert ask(f"ASK {{ <{item}guide-to-implementing-pas-1085> sg:basedOn <{std}pas-1085-2018> }}")
    assert ask(f"ASK {{ <{item}qualification-of-training-providers> sg:references <{std}bs-9122-2018> }}")
    assert ask(f"""ASK {{ <{item}smart-asset-contracting> sg:addressesBarrier
                          <{SGID}barrier/security>, <{SGID}barrier/obsolete-technology-investment> }}""")
    # 3.2: work on additive manufacturing has begun, robotics and AI "should start in 2019"; IoT is
    # named without a year, so it is in no cell
    assert ask(f"""ASK {{ <{item}business-case-for-technology-2019-2020> sg:concernsTechnology
                          <{SGID}technology/additive-manufacturing>, <{SGID}technology/robotics>,
                          <{SGID}technology/artificial-intelligence> }}""")
    assert not ask(f"""ASK {{ ?i a sg:RoadmapItem ;
                              sg:concernsTechnology <{SGID}technology/internet-of-things> }}""")
    bc = f"<{item}business-case-for-technology-2019-2020>"
    for tech, kind in (("robotics", "Stated"), ("artificial-intelligence", "Stated"),
                       ("additive-manufacturing", "Reading")):
        assert ask(f"""ASK {{ ?r rdf:subject {bc} ; rdf:predicate sg:concernsTechnology ;
                              rdf:object <{SGID}technology/{tech}> ; sg:evidence sg:{kind} }}"""), tech
    # standards that serve an item without being its outcome, published after the report: readings
    for slug, served_by in (("cobot-safety", "iso-10218-2-2025"),
                            ("managing-data-as-an-asset", "iso-55013-2024")):
        assert ask(f"""ASK {{ <{item}{slug}> sg:servedBy <{std}{served_by}> .
                              ?r rdf:subject <{item}{slug}> ; rdf:predicate sg:servedBy ;
                                 rdf:object <{std}{served_by}> ; sg:evidence sg:Reading ;
                                 sg:rationale ?why }}"""), slug
    assert ask(f"ASK {{ <{item}cobot-safety> sg:concernsTechnology <{SGID}technology/collaborative-robots> }}")
    assert ask(f"""ASK {{ <{SGID}technology/collaborative-robots> skos:broader
                          <{SGID}technology/robotics> }}""")
    # the table/text discrepancy is recorded, and both timeframes are kept, each with its source
    assert ask(f"""ASK {{ <{item}evolution-of-management-system-standards> skos:editorialNote ?n
                          FILTER (CONTAINS(?n, "2021-2022") && CONTAINS(?n, "2021–2023")) }}""")
    evo = f"<{item}evolution-of-management-system-standards>"
    assert ask(f"""ASK {{ {evo} sg:timeframeLabel "2021–2023" ; sg:tableColumn "2021-2022" .
        ?a rdf:subject {evo} ; rdf:predicate sg:timeframeLabel ; rdf:object "2021–2023" ;
           sg:evidence sg:Stated ; dcterms:source src:bsi-roadmap-2019-s3.2 .
        ?b rdf:subject {evo} ; rdf:predicate sg:tableColumn ; rdf:object "2021-2022" ;
           sg:evidence sg:Stated ; dcterms:source src:bsi-roadmap-2019-s3 . }}""")
    # the three rows whose only entry the table text cannot place: the timeframe is a reading
    for slug in ("tools-for-finding-relevant-standards", "quality-safety-assurance-research",
                 "digital-supply-chains-research"):
        for p in ("startYear", "endYear", "timeframeLabel"):
            assert ask(f"""ASK {{ ?r rdf:subject <{item}{slug}> ; rdf:predicate sg:{p} ;
                                  sg:evidence sg:Reading ; sg:rationale ?why }}"""), (slug, p)
        assert not ask(f"ASK {{ <{item}{slug}> sg:tableColumn ?c }}"), slug
    # trade associations may host the events (3.4); they are not their audience
    assert not ask(f"""ASK {{ ?x sg:relevantToStakeholder <{SGID}stakeholder/trade-association> }}""")
    # recommendation 5 answers the certification concern of 2.5.1 (3.5), not only health and safety
    assert ask(f"""ASK {{ <{SGID}recommendation/5> sg:addressesBarrier
                          <{SGID}barrier/static-machine-certification> ,
                          <{SGID}barrier/health-and-safety> }}""")
    assert ask(f"""ASK {{ <{item}quality-safety-assurance-research> sg:addressesBarrier
                          <{SGID}barrier/static-machine-certification> }}""")
    assert ask(f"""ASK {{ <{SGID}recommendation/1> sg:addressesBarrier
                          <{SGID}barrier/low-uk-standards-participation> }}""")
    assert ask(f"""ASK {{ <{item}qualification-of-training-providers> sg:relevantToStakeholder
                          <{SGID}stakeholder/training-provider> }}""")


def test_fixed_technology_and_stakeholder_iris(graph):
    assert slugs(graph, "SELECT ?t WHERE { ?t a sg:Technology ; skos:inScheme scheme:technologies }",
                 "technology") == TECHNOLOGIES
    assert slugs(graph, "SELECT ?s WHERE { ?s a sg:StakeholderType ; skos:inScheme scheme:stakeholders }",
                 "stakeholder") == STAKEHOLDERS


def test_sections(graph):
    found = strings(graph, """
        SELECT ?n WHERE {
          ?s a sg:SourceDocument ; sg:sectionNumber ?n ; dcterms:isPartOf src:bsi-roadmap-2019 ;
             dcterms:source src:bsi-roadmap-2019 .
        }""")
    assert found == SECTIONS
    for n in SECTIONS:
        iri = URIRef(f"{SGID}source/bsi-roadmap-2019-s{n}")
        assert (iri, RDF.type, URIRef(SG + "SourceDocument")) in graph, n


def test_every_resource_has_an_iri_source(graph):
    source = URIRef(DCTERMS + "source")
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert subjects
    missing = sorted(str(s) for s in subjects if not list(graph.objects(s, source)))
    assert not missing, missing
    literal_sources = [(str(s), str(o)) for s, o in graph.subject_objects(source)
                       if not isinstance(o, URIRef)]
    assert not literal_sources, literal_sources


def test_report_derived_resources_cite_the_report(graph):
    # everything except the report itself and the digital-twin grouping (which the report does
    # not mention) is derived from the report; statement records are evidence about links, each
    # with its own source (test_every_link_has_its_statement_record)
    derived = URIRef(PROV + "wasDerivedFrom")
    exempt = {REPORT, URIRef(SGID + "technology/digital-twin")}
    exempt |= set(graph.subjects(RDF.type, RDF.Statement))
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)} - exempt
    missing = sorted(str(s) for s in subjects if (s, derived, REPORT) not in graph)
    assert not missing, missing


def test_one_english_label_per_resource(graph):
    sg_typed = {s for s, o in graph.subject_objects(RDF.type) if str(o).startswith(SG)}
    for s in sg_typed:
        concept = (s, SKOS.prefLabel, None) in graph
        prop = SKOS.prefLabel if concept else RDFS.label
        labels = list(graph.objects(s, prop))
        assert len(labels) == 1, s
        assert isinstance(labels[0], Literal) and labels[0].language == "en", s


def test_only_contract_sg_terms(graph):
    used = set()
    for _s, p, o in graph:
        for term in (p, o) if p == RDF.type else (p,):
            if isinstance(term, URIRef) and str(term).startswith(SG):
                used.add(str(term)[len(SG):])
    assert used <= CONTRACT_SG_TERMS, used - CONTRACT_SG_TERMS


def test_every_link_has_its_statement_record(graph):
    """Every link and timeframe value of the roadmap items and recommendations is described by a
    statement record in the same data, with its evidence kind and, for a stated link, a report
    section as its source (docs/model.md, Evidence of links)."""
    missing = []
    for pl in EVIDENCED:
        for s, o in graph.subject_objects(URIRef(SG + pl)):
            found = rows(graph, f"""
                SELECT ?k ?src WHERE {{
                  ?r rdf:subject <{s}> ; rdf:predicate sg:{pl} ; rdf:object {o.n3()} ; sg:evidence ?k .
                  OPTIONAL {{ ?r dcterms:source ?src }}
                }}""")
            if not found:
                missing.append((str(s), pl, str(o)))
            for kind, src in found:
                if str(kind) == SG + "Stated":
                    assert src is not None and str(src).startswith(SGID + "source/bsi-roadmap-2019"), \
                        (str(s), pl, str(o))
    assert not missing, missing
