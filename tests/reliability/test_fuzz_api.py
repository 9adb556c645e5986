"""Schemathesis over every operation of the app's OpenAPI document, with schema-valid and
schema-invalid input: no answer is a 5xx, and every answer matches the document (documented
status, Content-Type, headers, body schema). Writes are enabled and the token is sent, so the
fuzzer reaches the write paths; each operation runs on its own copy of the bundled graph.

Bounded and reproducible for CI: a fixed seed, deterministic generation, no example database,
at most ``MAX_EXAMPLES`` generated cases per operation and mode plus schemathesis' coverage
cases. The request count is printed at the end of the run (conftest.FIGURES).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import ASGIClient

from stdgraph.api.openapi import openapi_document

from .conftest import AUTH, FIGURES, TOKEN

MAX_EXAMPLES = 25
SEED = 20240609

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True,
                   "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        # any string is a schema-valid `query`, but not a valid SPARQL query: a 400 is right
        "positive_data_acceptance": {"enabled": False},
    },
})

# SPARQL and the RDF syntaxes are text: send generated strings as they are
schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update", "application/n-quads",
     "application/n-triples", "application/trig", "application/x-turtle"], "text/plain")

# the document the app serves (api/openapi.json is this text; test_openapi checks the file)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


@pytest.fixture
def fuzz_target(make_bundled_client):
    """A started app (writes on) over a private copy of the bundled graph, and a client that
    sends schemathesis' requests to it in-process."""
    app = make_bundled_client(update_token=TOKEN, query_timeout=5,
                              max_body_bytes=256 * 1024).app
    return ASGIClient(app)


@schema.parametrize()
# one store per operation, shared by its cases on purpose (writes may pile up: still no 5xx)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_operation(case, fuzz_target):
    response = case.call(session=fuzz_target, headers=AUTH)
    label = case.operation.label
    FIGURES["requests"][label] += 1
    FIGURES["statuses"][response.status_code] += 1
    if response.status_code >= 500:
        FIGURES["server_errors"][label] += 1
    case.validate_response(response)
