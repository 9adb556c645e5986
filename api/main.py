"""ASGI entry for deployments: ``uvicorn api.main:app`` (settings from STDGRAPH_* variables)."""

from stdgraph.api import create_app
from stdgraph.settings import Settings

app = create_app(Settings.from_env())
