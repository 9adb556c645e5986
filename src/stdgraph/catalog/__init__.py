"""Read models of the graph: what the pages (and any other reader) show about its resources.

Plain functions of a store (and an IRI, a text, ...) returning dicts of plain values (text,
numbers, ``{"iri", "label"}`` refs and lists of them): no HTTP, no templates, so each can be
called and tested with a store alone. The web pages (``stdgraph.web``) render them; the JSON
answers of ``/search`` and ``/standards`` are them.

==================  ==========================================================================
module              reads
==================  ==========================================================================
``resource``        a resource's statements, incoming links and sources; the generic page
``standard``        a standard's page; identity rows of standards; standards in given elements
``concern``         a barrier's or theme's page (hierarchy, what addresses it, gap verdict)
``entity``          a body's, committee's, stakeholder type's or technology's page (what links
                    to it, counted)
``roadmap``         the roadmap timeline; a recommendation's and a roadmap item's pages
``architecture``    a reference architecture's elements and heatmap; elements by scheme
``overview``        instances per class, members of a class (in scheme order), a relevance
                    profile's choices and the ones a text names
``search``          resources whose label or identifier contains a text
``ontology``        the ``sg:`` terms
``findings``        one resource's rows of the analyses, read for it alone: a standard's
                    overlaps and conflicts (in the query runner: from the analyses' kept
                    results), a concern's or roadmap item's gap
``links``           links at an evidence level read for given resources (what ``findings``
                    rests on: the rule of ``analysis/queries/links.rq``)
``index``           indexes kept with the analyses' snapshot (object -> subjects of a
                    property): the ``/standards`` filters, what links to a body or committee
``queryfiles``      the SPARQL of all of the above: ``queries/*.rq``, loaded by name, values
                    bound as RDF terms
==================  ==========================================================================

The pages quote the analyses (overlaps and conflicts of a standard, the gap verdict of a
concern or roadmap item): ``findings`` computes the rows about that one resource, with the
analyses' definitions and evidence level, at a cost that grows with the answer rather than with
the graph; never a whole analysis. Lists that grow with the graph (standards, search results,
a standard's overlaps, a concern's standards, links into a resource) are read a page at a time
(``common.Window``, ``common.paged``: the page's items, the total and the order): a list of at
most ``common.SORT_LIMIT`` rows is sorted whole, a longer one is read a page at a time in the
store's order (``queryfiles.select_page``), since sorting is what a page must not cost.

Nothing here imports ``stdgraph.api``, ``stdgraph.web`` or ``stdgraph.cli``. Submodules are
imported by name (``from stdgraph.catalog.standard import standard``); this package imports
none of them.
"""
