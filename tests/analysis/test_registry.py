"""The analysis registry is the one extension point: a toy analysis (one module,
tests/analysis/toy_analysis.py, + one line: its name in ``analysis_modules``) answers on the CLI,
over HTTP, on its report page and in the OpenAPI document, and only in the app or CLI run
configured with it."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import MODULES, REGISTRY, Analysis, AnalysisRegistry, registry_for
from stdgraph.analysis.common import to_json
from stdgraph.api.app import create_app
from stdgraph.errors import UsageError
from stdgraph.settings import Settings
from stdgraph.store import MemoryStore, OxigraphStore
from support.analysis_graph import ID, build_into, project_dir

from . import toy_analysis

TOY = toy_analysis.__name__  # the line that registers it
B1, B2 = f"{ID}body/fx-b1", f"{ID}body/fx-b2"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return project_dir(tmp_path_factory.mktemp("registry"))


@pytest.fixture(scope="module")
def ox_store(project, tmp_path_factory):
    st = build_into(OxigraphStore(tmp_path_factory.mktemp("registry-ox") / "store"), project)
    st.share_with_readers()  # the CLI reads the same folder from this process
    return st


def client_for(store, project, **settings) -> TestClient:
    app = create_app(Settings(project=str(project), query_processes=False, **settings),
                     store=store)
    return TestClient(app, raise_server_exceptions=False)


# -- the registry ------------------------------------------------------------------------------

def test_the_builtin_registry_is_one_line_per_module():
    assert MODULES == ("stdgraph.analysis.overlaps", "stdgraph.analysis.gaps",
                       "stdgraph.analysis.conflicts")
    assert REGISTRY.names() == ["overlaps", "clusters", "gaps", "conflicts"]
    assert {a.path for a in REGISTRY.values()} == {
        "/analysis/overlaps", "/analysis/overlaps/clusters", "/analysis/gaps",
        "/analysis/conflicts"}


def test_every_analysis_declares_what_a_report_page_needs():
    for a in REGISTRY.values():
        assert a.title and len(a.description) > 100, a.name
        assert all(getattr(p, "label", "") for p in a.params), a.name
        assert a.report_columns and a.csv_columns and a.table_columns
        d = a.describe()
        assert d["path"] == a.path and [p["label"] for p in d["parameters"]]
    assert REGISTRY.get("overlaps").label("min_shared") == "Least shared elements"


def test_registry_for_settings_extends_without_touching_the_builtin_one():
    extended = registry_for(Settings(analysis_modules=(TOY,)))
    assert extended.names()[-1] == "toy-publishers"
    assert "toy-publishers" not in REGISTRY and registry_for(Settings()) is REGISTRY
    assert extended.get("toy-publishers").path == "/analysis/toy/publishers"
    assert AnalysisRegistry.from_modules([toy_analysis]).names() == ["toy-publishers"]


def test_registry_refuses_bad_declarations():
    with pytest.raises(UsageError, match="two analyses are named 'gaps'"):
        REGISTRY.extended(["stdgraph.analysis.gaps"])
    with pytest.raises(UsageError, match="cannot be imported"):
        registry_for(Settings(analysis_modules=("no_such_module_xyz",)))
    with pytest.raises(UsageError, match="declares no ANALYSES"):
        registry_for(Settings(analysis_modules=("json",)))
    toy = toy_analysis.ANALYSES[0]
    with pytest.raises(UsageError, match="both use the path"):
        REGISTRY.extended(analyses=[Analysis("other", "t", "d", "/analysis/gaps", toy.function,
                                             (), (), ())])
    with pytest.raises(ValueError, match="must be /analysis/"):
        Analysis("x", "t", "d", "/sparql", toy.function, (), (), ())
    with pytest.raises(UsageError) as e:
        REGISTRY.get("nope")
    assert e.value.http_status == 404 and "known: overlaps" in e.value.message


def test_settings_read_the_modules_from_the_environment():
    s = Settings.from_env({"STDGRAPH_ANALYSIS_MODULES": f"{TOY}, other.module"})
    assert s.analysis_modules == (TOY, "other.module")


# -- the toy on the CLI ------------------------------------------------------------------------

def test_toy_analysis_answers_on_the_cli(ox_store, run_cli, monkeypatch):
    store = str(ox_store.root)
    assert run_cli("analyse", "toy-publishers", "--store", store).code == 2  # not registered
    monkeypatch.setenv("STDGRAPH_ANALYSIS_MODULES", TOY)
    res = run_cli("analyse", "toy-publishers", "--store", store, "--format", "json")
    assert res.code == 0, res.err
    expected = toy_analysis.publishers(ox_store, {})
    assert res.out == to_json(expected)
    assert [(i["publisher"], i["standards"]) for i in expected.items] == [(B1, 7), (B2, 5)]
    res = run_cli("analyse", "toy-publishers", "--store", store, "--min-standards", "6",
                  "--format", "csv")
    assert res.code == 0, res.err
    assert [(r["publisher"], r["standards"]) for r in csv.DictReader(io.StringIO(res.out))] == [
        (B1, "7")]
    res = run_cli("analyse", "toy-publishers", "--store", store, "--min-standards", "0")
    assert res.code == 2 and "parameter 'min_standards'" in res.err
    res = run_cli("analyse", "--help")
    assert "toy-publishers" in res.out and "Standards per publisher" in res.out


# -- the toy over HTTP -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_toy_analysis_answers_over_http(kind, ox_store, project):
    store = ox_store if kind == "oxigraph" else build_into(MemoryStore(), project)
    with client_for(store, project, analysis_modules=(TOY,)) as client:
        r = client.get("/analysis/toy/publishers")
        assert r.status_code == 200, r.text
        assert r.text == to_json(toy_analysis.publishers(store, {}))
        r = client.get("/analysis/toy/publishers", params={"min_standards": "2",
                                                            "format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.text.splitlines()[0] == "publisher,label,standards"
        r = client.get("/analysis/toy/publishers", params={"min_standards": "x"})
        assert r.status_code == 400 and "min_standards" in r.json()["error"]
        listed = {a["name"]: a for a in client.get("/analysis").json()["analyses"]}
        assert list(listed) == [*REGISTRY.names(), "toy-publishers"]
        toy = listed["toy-publishers"]
        assert toy["path"] == "/analysis/toy/publishers"
        assert toy["parameters"][0]["label"] == "Least standards"
        assert toy["report_columns"] == ["publisher", "standards"]
        doc = client.get("/openapi.json").json()
        op = doc["paths"]["/analysis/toy/publishers"]["get"]
        assert op["summary"] == "Standards per publisher"
        assert {p["name"] for p in op["parameters"]} == {"min_standards", "limit", "format"}
        # the built-in analyses are still there, at their paths
        assert client.get("/analysis/gaps").status_code == 200


class ReportTable(HTMLParser):
    """The rows of a report page's ``table.report``: each cell as (text, [link targets])."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, list[str]]]] = []
        self.headers: list[str] = []
        self._in_table = self._in_body = False
        self._cell: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("class") == "report":
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in {"td", "th"}:
            self._cell = ["", []]
        elif self._cell is not None and tag == "a":
            self._cell[1].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None:
            text = self._cell[0].strip()
            if self._in_body:
                self.rows[-1].append((text, self._cell[1]))
            elif self._in_table:
                self.headers.append(text)
            self._cell = None
        elif tag == "table":
            self._in_table = self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def test_toy_analysis_answers_on_its_report_page(ox_store, project):
    """The third front end: /reports/<name> renders the toy's rows from its declaration
    (title, description, parameter labels, report columns, path for the CSV/JSON links)."""
    html = {"Accept": "text/html"}
    with client_for(ox_store, project, analysis_modules=(TOY,)) as client:
        r = client.get("/reports/toy-publishers", headers=html)
        assert r.status_code == 200, r.text
        page = r.text
        toy = toy_analysis.ANALYSES[0]
        assert f"<h1>{toy.title}</h1>" in page and toy.description in page
        assert '<label for="f-min_standards">Least standards</label>' in page
        assert 'href="/analysis/toy/publishers?format=csv"' in page
        assert 'href="/analysis/toy/publishers?format=json"' in page
        assert 'href="/reports/toy-publishers" aria-current="page"' in page
        table = ReportTable(page)
        assert table.headers == ["publisher", "standards"]
        expected = toy_analysis.publishers(ox_store, {}).items
        assert table.rows == [[(i["label"], ["/id/" + i["publisher"].removeprefix(ID)]),
                               (str(i["standards"]), [])] for i in expected]
        assert [(href[0], n) for (_label, href), (n, _) in table.rows] == [
            ("/id/body/fx-b1", "7"), ("/id/body/fx-b2", "5")]
        # the filter form: min_standards=6 leaves one publisher, and the links keep it
        r = client.get("/reports/toy-publishers", params={"min_standards": "6"}, headers=html)
        assert [row[1][0] for row in ReportTable(r.text).rows] == ["7"]
        assert 'href="/analysis/toy/publishers?min_standards=6&amp;format=csv"' in r.text
        # a bad value is the form again with the parameter named, 400
        r = client.get("/reports/toy-publishers", params={"min_standards": "0"}, headers=html)
        assert r.status_code == 400 and 'role="alert"' in r.text and "min_standards" in r.text
        # the built-in reports list the toy too
        assert 'href="/reports/toy-publishers"' in client.get("/reports/gaps").text


def test_an_app_without_the_setting_does_not_have_the_toy(ox_store, project):
    with client_for(ox_store, project, analysis_modules=(TOY,)) as with_toy, \
            client_for(ox_store, project) as without:
        assert with_toy.get("/analysis/toy/publishers").status_code == 200
        assert without.get("/analysis/toy/publishers").status_code == 404
        names = [a["name"] for a in without.get("/analysis").json()["analyses"]]
        assert names == REGISTRY.names()
        assert "/analysis/toy/publishers" not in without.get("/openapi.json").json()["paths"]
        assert with_toy.get("/reports/toy-publishers").status_code == 200
        assert without.get("/reports/toy-publishers").status_code == 404


def test_the_listing_is_json(ox_store, project):
    with client_for(ox_store, project) as client:
        r = client.get("/analysis")
        assert r.status_code == 200
        assert json.loads(r.text)["analyses"][0]["name"] == "overlaps"


def test_report_columns_sort_by_what_they_show():
    """``Analysis.sort_items``: numbers as numbers, resources by label, lists by their
    entries, empty cells last either way, equal cells in the given order; ``sort_keys`` where
    the text would sort wrongly; column ids fit for a URL."""
    from stdgraph.analysis.registry import cell_key, column_ids
    from stdgraph.sparql.named import ParameterError

    assert column_ids(["shared / in all", "a", "A", "Stated in", "?"]) == [
        "shared-in-all", "a", "a-2", "stated-in", "column"]
    assert [cell_key(v) for v in ("", None, [], {"iri": "", "label": ""})] == [None] * 4
    assert cell_key("10") > cell_key("9") and cell_key("0.500") < cell_key("0.75")
    assert cell_key("9") < cell_key("apple")  # numbers before text
    a = Analysis("toy-sort", "Toy", "A toy.", "/analysis/toy-sort",
                 function=lambda store, raw, ignore=(): None, params=[],
                 csv_columns=[("n", lambda i: i["n"])], table_columns=[("n", lambda i: i["n"])],
                 report_columns=[("n", lambda i: i["n"]), ("who", lambda i: i["who"]),
                                 ("ratio", lambda i: i["ratio"])],
                 sort_keys={"ratio": lambda i: tuple(map(int, i["ratio"].split(" / ")))
                            if i["ratio"] else None})
    items = [{"id": 1, "n": "10", "who": {"iri": "x:b", "label": "beta"}, "ratio": "2 / 3"},
             {"id": 2, "n": "9", "who": {"iri": "x:a", "label": "Alpha"}, "ratio": "10 / 12"},
             {"id": 3, "n": "", "who": {"iri": "x:c", "label": "alpha"}, "ratio": ""},
             {"id": 4, "n": "10", "who": {"iri": "x:d", "label": ""}, "ratio": "2 / 3"}]

    def ids(column: str, descending: bool = False) -> list[int]:
        return [i["id"] for i in a.sort_items(items, column, descending)]

    assert ids("n") == [2, 1, 4, 3] and ids("n", True) == [1, 4, 2, 3]
    # by label, case aside, ties in the given order; no label: by IRI
    assert ids("who") == [2, 3, 1, 4] and ids("who", True) == [4, 1, 2, 3]
    assert ids("ratio") == [1, 4, 2, 3] and ids("ratio", True) == [2, 1, 4, 3]
    assert a.columns() == [("n", "n"), ("who", "who"), ("ratio", "ratio")]
    assert a.sort_spec("-who") == ("who", True) and a.sort_spec("n") == ("n", False)
    with pytest.raises(ParameterError, match="'size' is not a column of this report"):
        a.sort_spec("size")
    with pytest.raises(ValueError, match="sort keys of no report column: nope"):
        Analysis("toy-bad", "Toy", "A toy.", "/analysis/toy-bad",
                 function=lambda store, raw, ignore=(): None, params=[],
                 csv_columns=[("n", lambda i: i["n"])], table_columns=[("n", lambda i: i["n"])],
                 sort_keys={"nope": lambda i: 0})
    # every built-in analysis says its own order in words
    assert all(x.order != Analysis.order and x.sortable for x in REGISTRY.values())
