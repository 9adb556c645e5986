"""ASGI entry for deployments: ``uvicorn api.main:app`` or
``gunicorn -k uvicorn.workers.UvicornWorker api.main:app``.

Settings come from ``STDGRAPH_*`` environment variables (see the README's configuration table).
Unlike ``stdgraph serve`` this entry does not build the graph: run ``stdgraph build`` first.
"""

from stdgraph.api.app import create_app
from stdgraph.settings import Settings

app = create_app(Settings.from_env())
