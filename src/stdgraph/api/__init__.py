"""The HTTP layer: ``stdgraph.api.app.create_app(settings)`` builds a FastAPI app over a store.

Nothing is imported here, so that ``stdgraph.web`` (the pages, which use the API's context and
errors) and ``stdgraph.api.app`` (which mounts the pages) do not import each other through it.
"""
