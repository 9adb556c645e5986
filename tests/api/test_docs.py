"""``/docs`` with no network (issue 19, item 6): Swagger UI's files are served by this server
(``api/routes/docs.py``, from the ``fastapi-offline`` package's data), and the page names no
other host. ``tests/web/test_browser.py`` renders it in Chromium with every other host blocked."""

from __future__ import annotations

import re
from importlib import resources

from stdgraph.api.routes.docs import ASSETS, assets_folder


def test_docs_page_loads_only_this_servers_files(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert sorted(urls) == ["/docs/assets/favicon.png", "/docs/assets/stdgraph-docs.css",
                            "/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]
    # ours after Swagger UI's, so its colours win
    assert r.text.index("swagger-ui.css") < r.text.index("stdgraph-docs.css")
    assert "url: '/openapi.json'" in r.text and '<html lang="en">' in r.text
    assert '"validatorUrl": null' in r.text
    assert "cdn" not in r.text.lower() and "http" not in r.text.replace("http-equiv", "")
    csp = r.headers["content-security-policy"]
    assert "http" not in csp and "script-src 'self' 'sha256-" in csp


def test_docs_assets_are_the_packaged_files(client):
    for name, media in ASSETS.items():
        r = client.get(f"/docs/assets/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"] == media
        assert r.content == assets_folder().joinpath(name).read_bytes()
    assert len(client.get("/docs/assets/swagger-ui-bundle.js").content) > 500_000
    own = client.get("/docs/assets/stdgraph-docs.css")
    assert own.status_code == 200 and own.headers["content-type"].startswith("text/css")
    assert own.content == resources.files("stdgraph.api").joinpath("docs.css").read_bytes()
    for name in ("redoc.standalone.js", "..%2Fcore.py", "nothing.js"):
        r = client.get(f"/docs/assets/{name}")
        assert r.status_code == 404 and r.json()["ok"] is False, name
