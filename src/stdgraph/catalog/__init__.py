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
``roadmap``         the roadmap timeline; a recommendation's and a roadmap item's pages
``architecture``    a reference architecture's elements and heatmap; elements by scheme
``overview``        instances per class, members of a class, a relevance profile's choices
``search``          resources whose label or identifier contains a text
``ontology``        the ``sg:`` terms
``queryfiles``      the SPARQL of all of the above: ``queries/*.rq``, loaded by name, values
                    bound as RDF terms
==================  ==========================================================================

The pages quote the analyses (overlaps and conflicts of a standard, the gap verdict of a
concern or roadmap item); those functions take ``analyses``, the analysis documents by name
(default: run when asked for; the server passes them cached per store state).

Nothing here imports ``stdgraph.api``, ``stdgraph.web`` or ``stdgraph.cli``. Submodules are
imported by name (``from stdgraph.catalog.standard import standard``); this package imports
none of them.
"""
