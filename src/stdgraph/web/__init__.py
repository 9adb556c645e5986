"""Linked data and the web front-end: dereferenceable IRIs and server-rendered pages.

=====================================  ==========================================================
request                                answer
=====================================  ==========================================================
GET ``/id/{path}``                     the resource ``{base_iri}{path}``, negotiated: Turtle
                                       (default), HTML page, JSON-LD (context
                                       ``/context.jsonld``), N-Triples, RDF/XML;
                                       ``?format=turtle|html|jsonld|ntriples|rdfxml`` overrides
                                       Accept; ``Vary: Accept``; ``Link`` to the alternates; 404
                                       (error envelope) when the graph says nothing about it.
                                       Standards, reference architectures, barriers, themes,
                                       recommendations, roadmap items, bodies, committees,
                                       stakeholder types and technologies have pages of their
                                       own; anything else the generic page
GET ``/ontology``                      the ontology's terms (``sg:``), negotiated the same way;
                                       each term has the anchor ``#Name``
GET ``/context.jsonld``                the published JSON-LD context
GET ``/``                              landing page: counts, where to start, search box
GET ``/search?q=``                     resources whose label or identifier contains ``q``
                                       (``page``, ``size``)
GET ``/standards?...``                 the standards as a table (``catalog.standards_table``):
                                       filters ``status``, ``body``, ``element``, ``barrier``,
                                       ``evidence`` (repeatable), ``sort`` (any column, ``-``
                                       for descending), ``page``, ``size``; HTML, JSON or CSV of
                                       the rows shown
GET ``/relevance?technology=...``      the relevance finder (``stdgraph.analysis.relevance``):
                                       JSON (default), the HTML form and explained ranking,
                                       or CSV of the rows shown; ``text`` ticks the choices
                                       it names and adds its suggested standards
GET ``/reports/{analysis}?...``        every analysis of the app's registry (overlaps, clusters,
                                       gaps, conflicts, and those STDGRAPH_ANALYSIS_MODULES
                                       adds) as an HTML table with a filter form (its
                                       parameters) and links to the CSV and JSON of the same
                                       request (its path under ``/analysis/``)
GET ``/roadmap``                       the roadmap items as a timeline 2019-2023 (HTML)
GET ``/translate?element=IRI``         the architecture translator
                                       (``stdgraph.analysis.translator``): mapped elements of
                                       the other architectures, with relation, status and
                                       source, and the standards reached; JSON or HTML form
=====================================  ==========================================================

Every GET route here also answers HEAD: the same status and headers (Content-Type,
Content-Length, Link, Vary), no body. Report rows link every resource they name to its page.
Lists that grow with the graph are shown a page at a time (``paging.py``: ``page``/``size``, or
``<list>_page`` on an ``/id/`` page; counts, previous and next links that keep the filters).

Layout: ``router.py`` assembles the router from the page modules (one per kind of page:
``resource``, ``ontology``, ``landing``, ``search``, ``standard``, ``architecture``,
``concern``, ``entity``, ``relevance``, ``roadmap``, ``reports``, ``translate``); ``site.py``
is what they share (store, reads through the app's query runner - worker processes or
threads, bounded and stopped at the query time limit - and negotiation), ``paging.py`` the
pages of long lists, ``render.py`` the Jinja2 environment (``templates/``) and links,
``params.py`` declared URL parameters, ``linked_data.py`` the RDF answers. What a page shows
is read by ``stdgraph.catalog`` (no HTTP there); its queries bind IRIs and literals as RDF
terms, never pasted raw.
"""
