"""Print the app's OpenAPI document: ``python -m stdgraph.api.openapi > api/openapi.json``.

The document is built from a fresh app with default settings over an empty in-memory store, so
it depends on the code only; ``tests/endpoint/test_openapi.py`` fails when the committed file
drifts.
"""

from __future__ import annotations

import json
import sys

from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import MemoryStore


def openapi_document() -> dict:
    app = create_app(Settings(), store=MemoryStore())
    try:
        return app.openapi()
    finally:
        app.state.stdgraph.close()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
