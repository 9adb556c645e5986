"""A SPARQL 1.1 server over HTTP: SPARQL 1.1 Protocol for queries and updates, the Graph Store
HTTP Protocol (GSP) for whole graphs.

Selected with ``--store sparql+http://HOST:PORT[/PATH][?server=TYPE&query=…&update=…&store=…]``
(``sparql+https://`` for TLS). ``server`` picks the default endpoint paths, relative to PATH:

============  ==================  ===================  ==========================  ===============
server        query               update               graph store (GSP)           verified
============  ==================  ===================  ==========================  ===============
oxigraph      /query              /update              /store (``graph=``)         tested (0.5)
fuseki        /ds/query           /ds/update           /ds/data (``graph=``)       fixtures only:
                                                                                   not yet run
graphdb       /repositories/R     …/R/statements       …/R/rdf-graphs/service      RDF4J docs
virtuoso      /sparql             /sparql-auth         /sparql-graph-crud-auth     tested (7.2.5,
                                                       (``graph-uri=``, digest)    known failures)
============  ==================  ===================  ==========================  ===============

"tested": the backend tests run against that server (``STDGRAPH_TEST_SERVERS=virtuoso``,
docs/deploy.md lists the results and the server's known deviations).

(For fuseki PATH is the dataset, ``/ds`` when none is given; for graphdb PATH must be
``/repositories/R``.) ``query=``, ``update=`` and ``store=`` in the spec override a path.

Credentials come from the environment: ``STDGRAPH_REMOTE_TOKEN`` (``Authorization: Bearer``),
else ``STDGRAPH_REMOTE_USER`` / ``STDGRAPH_REMOTE_PASSWORD`` (HTTP Basic; Digest for virtuoso).

Union default graph: stdgraph queries expect the default graph to be the union of all named
graphs. The Oxigraph server gets the ``union-default-graph`` request parameter on every query
that names no dataset (or is started with ``--union-default-graph``). For the other servers
nothing is rewritten: the server must be configured so (Fuseki: ``tdb2:unionDefaultGraph true``;
Virtuoso's default graph is the union of all graphs, verified; GraphDB/RDF4J's reportedly too).

Server graphs: Virtuoso keeps graphs of its own (``virtrdf#``, ``ldp#``, its service
description); stdgraph leaves them out of ``graph_names``, ``count``, dumps and never drops them
(``virtrdf#`` holds the server's own mapping of SPARQL to SQL). Queries still see them. Virtuoso
also refuses ``DROP DEFAULT`` (not sent to it), labels blank nodes ``nodeID://…`` in JSON results
(rewritten to valid labels), answers ASK with a one-row table (read as the boolean), and cuts
answers at ``ResultSetMaxRows`` (refused with a message, never passed on short).

Atomicity: ``replace_all`` uploads every new graph with GSP ``PUT`` into fresh temporary graphs
(``urn:stdgraph:tmp:…``), then runs ONE SPARQL update that drops the graphs that were there and
``MOVE``s each temporary graph onto its final name. Readers see the old or the new content as
far as the server runs one update request as one transaction (Oxigraph does, Fuseki/TDB2 is
documented to; Virtuoso 7.2 does NOT: it runs the operations one by one); if an upload fails,
the temporary graphs are dropped and the old content is untouched. A graph created by someone
else between the listing and the update survives. Blank nodes shared between two graphs become
distinct nodes (each GSP upload scopes its blank node labels).

Guarded writes (``begin``: ``RemoteTransaction``) copy nothing: the change protocol reads the
server through the write's delta (``store/overlay.py``) and the commit is ONE update request.
Reads of the whole dataset (``ox_quads``, ``dump_to``) are parsed as the answer arrives.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypedDict
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox

from stdgraph.errors import (
    QuerySyntaxError,
    QueryTimeout,
    ServerQueryFailed,
    StoreError,
    UsageError,
)
from stdgraph.rdf.formats import OX_FORMATS, serialize_answer
from stdgraph.rdf.io import OxTerm, to_oxigraph, to_rdflib
from stdgraph.rdf.results import Answer, QueryResult, Triple
from stdgraph.sparql.scan import has_dataset_clause, keywords, query_form
from stdgraph.sparql.storeview import Solutions
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import AnswerRequest, Store, WriteTransaction
from stdgraph.store.overlay import Overlay

TMP_PREFIX = "urn:stdgraph:tmp:"
#: quads asked about in one query by ``RemoteStore.present``
PRESENT_BATCH = 200
_EMPTY_GRAPH = "urn:stdgraph:empty-default-graph"  # names no graph: an empty default graph


@dataclass(frozen=True)
class ServerType:
    query: str
    update: str
    store: str
    graph_param: str = "graph"
    union_param: str | None = None  # a request parameter that makes the default graph the union
    digest: bool = False
    default_path: str = ""
    drop_default: bool = True  # may an update name the default graph (``DROP SILENT DEFAULT``)?
    system_graphs: tuple[str, ...] = ()  # graphs the server keeps for itself: never listed/dropped
    # DELETE DATA of several triples may skip language-tagged literals: send those one by one
    tagged_deletes_alone: bool = False


SERVERS: dict[str, ServerType] = {
    "oxigraph": ServerType("/query", "/update", "/store", union_param="union-default-graph"),
    "fuseki": ServerType("/query", "/update", "/data", default_path="/ds"),
    "graphdb": ServerType("", "/statements", "/rdf-graphs/service"),
    "virtuoso": ServerType("/sparql", "/sparql-auth", "/sparql-graph-crud-auth",
                           graph_param="graph-uri", digest=True, drop_default=False,
                           tagged_deletes_alone=True,
                           system_graphs=("http://www.openlinksw.com/schemas/virtrdf#",
                                          "http://www.w3.org/ns/ldp#")),
}
_SERVICE = "http://www.w3.org/ns/sparql-service-description#Service"

_JSON = "application/sparql-results+json"
_NT = "application/n-triples"
_POSITION = re.compile(r"error at (\d+):(\d+): ?")
# Virtuoso labels blank nodes ``nodeID://b10000`` in JSON results, which is no valid blank node
# label; an unescaped quote before it is a JSON string start, so text inside literals is left.
_VIRTUOSO_BNODE = re.compile(rb'(?<!\\)"nodeID://([A-Za-z0-9_]+)"')


_MAXROWS = ("the SPARQL server cut an answer at {cap} rows (Virtuoso: raise ResultSetMaxRows "
            "in the [SPARQL] section of virtuoso.ini)")


class _Chunks(io.RawIOBase):
    """The body of a streamed answer as a file pyoxigraph's parsers read from as it arrives.
    For Virtuoso, its ``nodeID://`` blank node labels are rewritten on the way
    (``_VIRTUOSO_BNODE``): a JSON string holds no raw line break, so no label spans one, and
    the text is rewritten up to the last line break received."""

    def __init__(self, chunks: Iterator[bytes], *, virtuoso: bool = False) -> None:
        super().__init__()
        self._chunks = chunks
        self._virtuoso = virtuoso
        self._ready = b""
        self._at = 0  # how much of ``_ready`` was read
        self._pending = b""  # Virtuoso: received after the last line break
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while not self._ready and not self._done:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._done = True
                text, self._pending = self._pending, b""
            elif not self._virtuoso:
                text = chunk
            else:
                buf = self._pending + chunk
                cut = buf.rfind(b"\n") + 1
                text, self._pending = buf[:cut], buf[cut:]
            if self._virtuoso and b'"nodeID://' in text:
                text = _VIRTUOSO_BNODE.sub(rb'"nodeID_\1"', text)
            self._ready = text

    def readinto(self, buffer: Any) -> int:
        if self._at >= len(self._ready):
            self._ready, self._at = b"", 0
            self._fill()
        n = min(len(buffer), len(self._ready) - self._at)
        buffer[:n] = memoryview(self._ready)[self._at:self._at + n]
        self._at += n
        return n


_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_BOOLEAN_FORMS = {"1": "true", "0": "false"}


def canonical(term: OxTerm) -> OxTerm:
    """``term``, a boolean in its canonical form: Virtuoso keeps a boolean's value, not its
    lexical form, and answers ``"1"^^xsd:boolean`` for a stored ``true``; the embedded store and
    rdflib (the other read paths) give ``"true"``."""
    if isinstance(term, ox.Literal) and term.datatype == _XSD_BOOLEAN and \
            term.value in _BOOLEAN_FORMS:
        return ox.Literal(_BOOLEAN_FORMS[term.value], datatype=_XSD_BOOLEAN)
    return term


class RemoteSpec(TypedDict):
    """The endpoints a remote store spec names: keyword arguments for ``RemoteStore``."""

    base: str
    server: str
    query_path: str | None
    update_path: str | None
    store_path: str | None


def parse_spec(spec: str) -> RemoteSpec:
    """``sparql+http://h:p/path?server=…&query=…`` -> keyword arguments for ``RemoteStore``."""
    if not spec.startswith(("sparql+http://", "sparql+https://")):
        raise UsageError(f"not a remote store spec: {spec!r}")
    parts = urlsplit(spec[len("sparql+"):])
    params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(params) - {"server", "query", "update", "store"}
    if unknown:
        raise UsageError(f"unknown parameter(s) in the store spec: {', '.join(sorted(unknown))}; "
                         "known: server, query, update, store")
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return {"base": base, "server": params.get("server", "oxigraph"),
            "query_path": params.get("query"), "update_path": params.get("update"),
            "store_path": params.get("store")}


class RemoteStore(Store):
    kind = "remote"

    def __init__(
        self,
        base: str,
        *,
        server: str = "oxigraph",
        query_path: str | None = None,
        update_path: str | None = None,
        store_path: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
        read_only: bool = False,
    ) -> None:
        if server not in SERVERS:
            raise UsageError(f"unknown server type {server!r}; known: {', '.join(SERVERS)}")
        self.server = SERVERS[server]
        self.server_name = server
        if self.server.default_path and urlsplit(base).path in {"", "/"}:
            base = base.rstrip("/") + self.server.default_path
        self.base = base.rstrip("/")

        def url(path: str | None, default: str) -> str:
            p = default if path is None else path
            return p if p.startswith(("http://", "https://")) else self.base + p

        self.query_url = url(query_path, self.server.query)
        self.update_url = url(update_path, self.server.update)
        self.store_url = url(store_path, self.server.store)
        self.read_only = read_only
        self._system: frozenset[str] | None = None
        headers = {}
        auth: httpx.Auth | None = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif user is not None:
            auth = (httpx.DigestAuth(user, password or "") if self.server.digest
                    else httpx.BasicAuth(user, password or ""))
        self._client = httpx.Client(headers=headers, auth=auth, timeout=timeout)

    @classmethod
    def from_spec(cls, spec: str, *, read_only: bool = False,
                  environ: Mapping[str, str] | None = None) -> RemoteStore:
        """Endpoints from the spec, credentials from ``STDGRAPH_REMOTE_*`` in the environment."""
        env = os.environ if environ is None else environ
        return cls(**parse_spec(spec), read_only=read_only,
                   user=env.get("STDGRAPH_REMOTE_USER") or None,
                   password=env.get("STDGRAPH_REMOTE_PASSWORD") or None,
                   token=env.get("STDGRAPH_REMOTE_TOKEN") or None)

    def __repr__(self) -> str:
        return f"RemoteStore({self.base!r}, server={self.server_name!r})"

    # -- HTTP --------------------------------------------------------------------------------
    def _send(self, method: str, url: str, *, what: str, ok404: bool = False,
              added_lines: int = 0, **kwargs: Any) -> httpx.Response:
        """One request; a 400 becomes ``QuerySyntaxError``, its line number less
        ``added_lines`` (the lines put before the caller's text: ``with_base``)."""
        try:
            resp = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            timeout = kwargs.get("timeout")
            if isinstance(timeout, (int, float)):
                raise QueryTimeout(timeout) from None
            raise StoreError(f"the SPARQL server at {url} did not answer in time ({what})"
                             ) from None
        except httpx.HTTPError as e:
            raise StoreError(
                f"the SPARQL server at {url} cannot be reached ({what}): {e}") from None
        if resp.status_code == 404 and ok404:
            return resp
        self._check(resp, url, what, added_lines)
        return resp

    def _check(self, resp: httpx.Response, url: str, what: str, added_lines: int = 0) -> None:
        """An error status as the exception it means (its body must have been read)."""
        if resp.status_code == 400:
            raise _syntax_error(resp.text, added_lines)
        if resp.status_code in {401, 403} or (
                resp.status_code == 500 and "SECURITY: No permission" in resp.text):  # Virtuoso
            raise StoreError(
                f"the SPARQL server at {url} refused {what} (HTTP {resp.status_code}): set "
                "STDGRAPH_REMOTE_USER/STDGRAPH_REMOTE_PASSWORD or STDGRAPH_REMOTE_TOKEN")
        if resp.status_code >= 300:
            error = ServerQueryFailed if resp.status_code >= 500 else StoreError
            raise error(f"the SPARQL server at {url} failed {what} (HTTP "
                        f"{resp.status_code}): {resp.text[:500]}")

    def _stream_select(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """A SELECT's solutions as the server sends them: the answer is parsed as it arrives
        (``_Chunks``), never held whole, so a dump or a scan of any size takes constant
        memory. Sent as ``_query_raw`` sends a query without a dataset (the union default
        graph)."""
        return self._open_select(sparql)[1]

    def _open_select(self, sparql: str) -> tuple[list[str], Iterator[ox.QuerySolution]]:
        """``_stream_select``, the request sent now: (the answer's variables, its solutions).
        The response is closed when the solutions are read or let go of."""
        data: dict[str, str] = {"query": sparql}
        if self.server.union_param and not has_dataset_clause(sparql):
            data[self.server.union_param] = ""
        url = self.query_url
        try:
            resp = self._client.send(
                self._client.build_request("POST", url, data=data, headers={"Accept": _JSON}),
                stream=True)
        except httpx.TimeoutException:
            raise StoreError(f"the SPARQL server at {url} did not answer in time (a query)"
                             ) from None
        except httpx.HTTPError as e:
            raise StoreError(
                f"the SPARQL server at {url} cannot be reached (a query): {e}") from None
        try:
            if resp.status_code >= 300:
                resp.read()
                self._check(resp, url, "a query")
            cap = resp.headers.get("x-sparql-maxrows")
            if cap:
                raise StoreError(_MAXROWS.format(cap=cap))
            body: Any = _Chunks(resp.iter_bytes(), virtuoso=self.server_name == "virtuoso")
            res = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            if isinstance(res, ox.QueryBoolean):
                raise StoreError("the SPARQL server answered a SELECT query with a boolean")
        except BaseException:
            resp.close()
            raise

        def solutions() -> Iterator[ox.QuerySolution]:
            try:
                yield from res
            except httpx.HTTPError as e:
                raise StoreError(f"the SPARQL server at {url} failed to send an answer: {e}"
                                 ) from None
            finally:
                resp.close()
        return [v.value for v in res.variables], solutions()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")

    def close(self) -> None:
        self._client.close()

    # -- queries -----------------------------------------------------------------------------
    def _query_raw(self, sparql: str, default_graphs: Sequence[str] | None = None,
                   named_graphs: Sequence[str] | None = None, accept: str | None = None,
                   timeout: float | None = None,
                   base_iri: str | None = None) -> httpx.Response:
        if accept is None:  # by the query form: Virtuoso answers a CONSTRUCT as a JSON table
            form = query_form(sparql)  # when JSON is preferred, and a SELECT as RDF the other way
            accept = (_NT if form in {"CONSTRUCT", "DESCRIBE"} else _JSON if form
                      else f"{_JSON}, {_NT};q=0.9")
        data: dict[str, str | list[str]] = {"query": with_base(sparql, base_iri)}
        if default_graphs is None and named_graphs is None:
            if self.server.union_param and not has_dataset_clause(sparql):
                data[self.server.union_param] = ""
        else:
            # SPARQL 1.1 Protocol §2.1.4: a protocol dataset replaces both parts; an empty list
            # of default graphs is sent as one graph that does not exist.
            defaults = list(default_graphs or [])
            if not defaults and default_graphs is not None and not named_graphs:
                defaults = [_EMPTY_GRAPH]
            if defaults:
                data["default-graph-uri"] = defaults
            if named_graphs:
                data["named-graph-uri"] = list(named_graphs)
        extra: dict[str, Any] = {"timeout": timeout} if timeout else {}
        return self._send("POST", self.query_url, what="a query", data=data,
                          headers={"Accept": accept}, added_lines=int(base_iri is not None),
                          **extra)

    def query(self, sparql: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              timeout: float | None = None, base_iri: str | None = None) -> QueryResult:
        """``timeout``: seconds for the HTTP call (then ``QueryTimeout``); the server may keep
        running the query unless it has its own limit (``oxigraph serve --timeout-s``).
        ``base_iri`` is sent as a ``BASE`` line before the query (``with_base``)."""
        resp = self._query_raw(sparql, default_graphs, named_graphs, timeout=timeout,
                               base_iri=base_iri)
        ctype = resp.headers.get("content-type", "").split(";")[0].strip()
        if ctype in {_JSON, "application/json"}:
            res = self._results(resp)
            if isinstance(res, ox.QueryBoolean):
                return QueryResult(kind="ask", boolean=bool(res))
            variables = [v.value for v in res.variables]
            rows = [tuple(None if sol[v] is None else to_rdflib(sol[v]) for v in variables)
                    for sol in res]
            if query_form(sparql) == "ASK" and len(variables) == 1 and len(rows) <= 1:
                # Virtuoso answers ASK with one row of ``__ASK_RETVAL`` 1 or 0
                value = rows[0][0] if rows else None
                return QueryResult(kind="ask", boolean=str(value) in {"1", "true"})
            return QueryResult(kind="select", variables=variables, rows=rows)
        fmt = ox.RdfFormat.from_media_type(ctype) if ctype else None
        if fmt is None:
            raise StoreError(f"the SPARQL server answered a query with {ctype or 'no type'}")
        triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                   for t in ox.parse(resp.content, format=fmt)]
        return QueryResult(kind="graph", triples=triples)

    def answer(self, request: AnswerRequest) -> Answer:
        """The generic path (rdflib terms), with ``request.timeout`` on the HTTP call."""
        result = self.query(request.sparql, default_graphs=request.default_graphs,
                            named_graphs=request.named_graphs, timeout=request.timeout,
                            base_iri=request.base_iri)
        return serialize_answer(result, result_format=request.result_format,
                                graph_format=request.graph_format, max_rows=request.max_rows)

    def _results(self, resp: httpx.Response) -> ox.QuerySolutions | ox.QueryBoolean:
        """A JSON results document, parsed; refused when the server cut it short."""
        cap = resp.headers.get("x-sparql-maxrows")
        if cap:
            raise StoreError(_MAXROWS.format(cap=cap))
        body = resp.content
        if b'"nodeID://' in body:
            body = _VIRTUOSO_BNODE.sub(rb'"nodeID_\1"', body)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def _solutions(self, resp: httpx.Response) -> ox.QuerySolutions:
        """``_results`` of a SELECT query: a boolean is no answer to it."""
        res = self._results(resp)
        if isinstance(res, ox.QueryBoolean):
            raise StoreError("the SPARQL server answered a SELECT query with a boolean")
        return res

    def _system_graphs(self) -> frozenset[str]:
        """Graphs the server keeps for itself (Virtuoso: its fixed ones and the graph holding its
        service description, named after its URIQA host); asked once."""
        if self._system is None:
            found = set(self.server.system_graphs)
            if found:
                resp = self._query_raw(
                    f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{_SERVICE}> }} }}",
                    accept=_JSON)
                found |= {sol["g"].value for sol in self._solutions(resp)}
            self._system = frozenset(found)
        return self._system

    def _own_graphs_filter(self) -> str:
        system = self._system_graphs()
        if not system:
            return ""
        return "FILTER(?g NOT IN (" + ", ".join(iri_ref(g) for g in sorted(system)) + ")) "

    def _quads(self, graphs: list[str] | None = None) -> Iterator[ox.Quad]:
        """Every quad of the named graphs (all, or ``graphs``) as pyoxigraph quads, one query."""
        where = "GRAPH ?g { ?s ?p ?o } " + self._own_graphs_filter()
        if graphs is not None:
            if not graphs:
                return
            where = "VALUES ?g { " + " ".join(iri_ref(g) for g in graphs) + " } " + where
        for sol in self._stream_select(f"SELECT ?s ?p ?o ?g WHERE {{ {where}}}"):
            if isinstance(sol["g"], ox.NamedNode):
                yield ox.Quad(sol["s"], sol["p"], canonical(sol["o"]), sol["g"])

    def predicates_into(self, o: OxTerm) -> list[ox.NamedNode]:
        """The predicates of the triples whose object is ``o`` (the server reads them all, the
        answer is short)."""
        if isinstance(o, ox.BlankNode):
            return []
        where = f"GRAPH ?g {{ ?s ?p {_term(o)} }} " + self._own_graphs_filter()
        query = f"SELECT ?p WHERE {{ {where}}} GROUP BY ?p"  # GROUP BY: see graph_names
        return [sol["p"] for sol in self._stream_select(query)
                if isinstance(sol["p"], ox.NamedNode)]

    def pattern(self, s: OxTerm | None, p: ox.NamedNode | None, o: OxTerm | None,
                g: ox.NamedNode | ox.DefaultGraph | None = None, *,
                limit: int | None = None) -> Iterator[ox.Quad]:
        """The quads of the named graphs (``g``: one of them) matching a pattern (``None``:
        any), streamed, as ``pyoxigraph.Store.quads_for_pattern`` gives them (at most
        ``limit``). A pattern with a blank node matches nothing: SPARQL cannot name the
        server's blank nodes. The server's own default graph is not read (stdgraph writes
        none; see ``ox_quads``)."""
        if isinstance(g, ox.DefaultGraph) or any(isinstance(t, ox.BlankNode) for t in (s, o)):
            return
        terms = [_term(t) if t is not None else f"?{v}" for t, v in ((s, "s"), (p, "p"),
                                                                    (o, "o"))]
        graph = "?g" if g is None else iri_ref(g.value)
        where = f"GRAPH {graph} {{ {' '.join(terms)} }} "
        if g is None:
            where += self._own_graphs_filter()
        names = [v for t, v in ((s, "s"), (p, "p"), (o, "o")) if t is None]
        if g is None:
            names.append("g")
        select = " ".join(f"?{v}" for v in names) if names else "*"
        query = f"SELECT {select} WHERE {{ {where}}}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        for sol in self._stream_select(query):
            graph_name = g if g is not None else sol["g"]
            if not isinstance(graph_name, ox.NamedNode):
                continue
            yield ox.Quad(s if s is not None else sol["s"],  # type: ignore[arg-type]
                          p if p is not None else sol["p"],
                          o if o is not None else canonical(sol["o"]), graph_name)

    def with_predicates(self, predicates: Iterable[ox.NamedNode],
                        objects: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]:
        """The quads of the named graphs whose predicate is one of ``predicates`` (and object
        one of ``objects``, if given): one query, streamed."""
        where = "VALUES ?p { " + " ".join(_term(p) for p in predicates) + " } "
        if objects is not None:
            where += "VALUES ?o { " + " ".join(_term(o) for o in objects) + " } "
        where += "GRAPH ?g { ?s ?p ?o } " + self._own_graphs_filter()
        for sol in self._stream_select(f"SELECT ?s ?p ?o ?g WHERE {{ {where}}}"):
            if isinstance(sol["g"], ox.NamedNode):
                yield ox.Quad(sol["s"], sol["p"], canonical(sol["o"]), sol["g"])

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Which of ``quads`` the server holds (named graphs only; none with a blank node:
        SPARQL cannot name the server's), in queries of ``PRESENT_BATCH`` quads."""
        wanted = [q for q in quads if isinstance(q.graph_name, ox.NamedNode)
                  and not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))]
        # Virtuoso 7.2 matches no language-tagged literal bound by VALUES (a pattern naming
        # it matches): those are asked with one pattern each, in a UNION
        tagged = [q for q in wanted if isinstance(q.object, ox.Literal) and q.object.language]
        wanted = [q for q in wanted if not (isinstance(q.object, ox.Literal)
                                            and q.object.language)]
        found: set[ox.Quad] = set()
        for i in range(0, len(tagged), PRESENT_BATCH // 4):
            chunk = tagged[i:i + PRESENT_BATCH // 4]
            union = " UNION ".join(
                f"{{ GRAPH {_term(q.graph_name)} {{ {_term(q.subject)} {_term(q.predicate)} "
                f"{_term(q.object)} }} BIND({n} AS ?i) }}" for n, q in enumerate(chunk))
            for sol in self._stream_select(f"SELECT ?i WHERE {{ {union} }}"):
                i_term = sol["i"]
                if isinstance(i_term, ox.Literal):
                    found.add(chunk[int(i_term.value)])
        for i in range(0, len(wanted), PRESENT_BATCH):
            chunk = wanted[i:i + PRESENT_BATCH]
            rows = " ".join(f"({_term(q.subject)} {_term(q.predicate)} {_term(q.object)} "
                            f"{_term(q.graph_name)})" for q in chunk)
            keys = set(chunk)
            for sol in self._stream_select(
                    "SELECT ?s ?p ?o ?g WHERE { VALUES (?s ?p ?o ?g) { " + rows
                    + " } GRAPH ?g { ?s ?p ?o } }"):
                q = ox.Quad(sol["s"], sol["p"], canonical(sol["o"]), sol["g"])
                if q in keys:
                    found.add(q)
        return found

    def select_solutions(self, sparql: str, *, default_graphs: list[str] | None = None,
                         named_graphs: list[str] | None = None) -> Solutions:
        """A SELECT's solutions in pyoxigraph terms; streamed when no dataset is named (the
        union default graph: Virtuoso's is narrowed to our graphs, ``dataset_default_graphs``).
        """
        if default_graphs is None and named_graphs is None:
            default_graphs = self.dataset_default_graphs()
        if default_graphs is None and named_graphs is None:
            names, stream = self._open_select(sparql)
            solutions: Iterable[ox.QuerySolution] = stream
        else:
            res = self._solutions(self._query_raw(sparql, default_graphs, named_graphs,
                                                  accept=_JSON))
            names, solutions = [v.value for v in res.variables], res

        def rows() -> Iterator[dict[str, OxTerm]]:
            for sol in solutions:
                yield {v: canonical(t) for v in names if (t := sol[v]) is not None}
        return Solutions(names, rows())

    def ox_quads(self, graph: ox.NamedNode | ox.DefaultGraph | None = None
                 ) -> Iterator[ox.Quad]:
        """Every named graph (``None``), one (``NamedNode``), or the server's own default graph
        (``DefaultGraph``; stdgraph writes none, and only the Oxigraph server can tell it apart
        from the union: else empty)."""
        if graph is None:
            yield from self._quads()
        elif isinstance(graph, ox.DefaultGraph):
            if self.server.union_param:
                resp = self._send("POST", self.query_url, what="a query",
                                  data={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"},
                                  headers={"Accept": _JSON})
                for sol in self._solutions(resp):
                    yield ox.Quad(sol["s"], sol["p"], canonical(sol["o"]), ox.DefaultGraph())
        else:
            yield from self._quads([graph.value])

    def graph_names(self) -> list[str]:
        # GROUP BY, not DISTINCT: the same graphs, but Virtuoso 7.2 takes more than a minute for
        # DISTINCT ?g over 150k quads (10k standards) and 0.1 s for GROUP BY ?g
        res = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        system = self._system_graphs()
        return sorted(str(r[0]) for r in res.rows if r[0] is not None
                      and not str(r[0]).startswith(TMP_PREFIX) and str(r[0]) not in system)

    def dataset_default_graphs(self) -> list[str] | None:
        """Virtuoso's own graphs are part of every query's default graph: name ours instead."""
        return self.graph_names() if self._system_graphs() else None

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return super().count(graph)
        where = "GRAPH ?g { ?s ?p ?o } " + self._own_graphs_filter()
        return int(str(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where}}}").rows[0][0]))

    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        if graph is not None:
            resp = self._send("GET", self.store_url, what="a graph download", ok404=True,
                              params={self.server.graph_param: graph}, headers={"Accept": _NT})
            if resp.status_code == 404:
                return
            for t in ox.parse(resp.content, format=ox.RdfFormat.N_TRIPLES):
                yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)
            return
        seen = set()
        for q in self._quads():
            key = (q.subject, q.predicate, q.object)
            if key not in seen:
                seen.add(key)
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        out = io.BytesIO()
        self.dump_to(out, fmt, graphs=graphs)
        return out.getvalue()

    def dump_to(self, output: IO[bytes], fmt: str, *, graphs: list[str] | None = None) -> None:
        """Streamed: the server's answer is serialised as it arrives (``_stream_select``), so
        the client's memory does not grow with the dataset. Triple formats merge the graphs
        with ``SELECT DISTINCT`` on the server (its memory, not ours)."""
        rdf_format = OX_FORMATS[fmt]
        selected = graphs if graphs is not None else self.graph_names()
        if not selected:
            return
        if fmt in {"nquads", "trig"}:
            ox.serialize(self._quads(selected), output, rdf_format)
            return
        where = ("VALUES ?g { " + " ".join(iri_ref(g) for g in selected) + " } "
                 "GRAPH ?g { ?s ?p ?o } ")
        ox.serialize((ox.Triple(sol["s"], sol["p"], canonical(sol["o"]))
                      for sol in self._stream_select(
                          f"SELECT DISTINCT ?s ?p ?o WHERE {{ {where}}}")),
                     output, rdf_format)

    # -- writes ------------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._check_writable()
        self._send("POST", self.update_url, what="an update",
                   data={"update": with_base(sparql, base_iri)},
                   added_lines=int(base_iri is not None))

    def _put(self, iri: str, triples: Iterable[Triple]) -> int:
        """GSP PUT of one graph as N-Triples; returns the number of triples sent."""
        body = ox.serialize(
            # rdflib types every position as Node; ox.Triple checks the kinds (TypeError)
            (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
             for s, p, o in triples),
            format=ox.RdfFormat.N_TRIPLES) or b""
        if not body:
            return 0
        self._send("PUT", self.store_url, what="a graph upload",
                   params={self.server.graph_param: iri}, content=body,
                   headers={"Content-Type": _NT})
        return 1

    def replace_graph(self, iri: str, triples: Iterable[Triple]) -> None:
        """GSP ``PUT`` (the server replaces the graph in one request); no triples: ``DELETE``."""
        self._check_writable()
        iri_ref(iri)
        if not self._put(iri, triples):
            self._send("DELETE", self.store_url, what="a graph removal", ok404=True,
                       params={self.server.graph_param: iri})

    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        """Upload into temporary graphs, then one update drops the old and moves the new."""
        self._check_writable()
        token = TMP_PREFIX + secrets.token_hex(8) + ":"
        moves: list[tuple[str, str]] = []
        empty: list[str] = []
        try:
            for n, (iri, triples) in enumerate(graphs.items()):
                iri_ref(iri)
                tmp = f"{token}{n}"
                if self._put(tmp, triples):
                    moves.append((tmp, iri))
                else:
                    empty.append(iri)
            old = set(self.graph_names())
            ops = ["DROP SILENT DEFAULT"] if self.server.drop_default else []
            ops += [f"DROP SILENT GRAPH {iri_ref(g)}" for g in sorted(old - {d for _, d in moves})]
            ops += [f"MOVE SILENT GRAPH {iri_ref(t)} TO GRAPH {iri_ref(d)}" for t, d in moves]
            self.update(" ;\n".join(ops))
        except BaseException:
            for tmp, _ in moves:
                try:
                    self._send("DELETE", self.store_url, what="a cleanup", ok404=True,
                               params={self.server.graph_param: tmp})
                except Exception:  # noqa: BLE001, S110 - best effort; the first error matters
                    pass
            raise

    def begin(self) -> WriteTransaction:
        self._check_writable()
        return RemoteTransaction(self)


def with_base(sparql: str, base_iri: str | None) -> str:
    """``sparql`` with a ``BASE`` line before it, so that the server resolves relative IRIs
    against ``base_iri`` (SPARQL 1.1 Protocol gives no parameter for it; a prologue may hold
    several BASE declarations, so one in ``sparql`` still wins). The line moves every position
    one line down: ``_syntax_error`` moves it back."""
    if base_iri is None or _own_absolute_base(sparql):
        return sparql
    return f"BASE {iri_ref(base_iri)}\n{sparql}"


_BASE_DECL = re.compile(r"\bBASE\s*<([^>]*)>", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _own_absolute_base(sparql: str) -> bool:
    """The text declares an absolute ``BASE`` of its own, so the service's base changes nothing
    — and is better not sent: Virtuoso 7.2 refuses a second BASE declaration."""
    if "BASE" not in keywords(sparql):
        return False
    m = _BASE_DECL.search(sparql)
    return m is not None and _SCHEME.match(m.group(1)) is not None


_JENA_POSITION = re.compile(r"line (\d+), column (\d+)")
_VIRTUOSO_LINE = re.compile(r"SPARQL compiler, line (\d+):")


def _syntax_error(text: str, added_lines: int = 0) -> QuerySyntaxError:
    """Oxigraph reports ``error at LINE:COLUMN: reason``; other servers their own text. Line
    numbers (also those in the message) are counted in the caller's text: ``added_lines`` less
    than in what was sent."""
    msg = text.strip() or "the SPARQL server refused the request (HTTP 400)"

    def line(n: str) -> int:
        return max(1, int(n) - added_lines)

    m = _POSITION.search(msg)
    if m:
        return QuerySyntaxError(_POSITION.sub("", msg, count=1), line(m[1]), int(m[2]))
    m = _JENA_POSITION.search(msg)  # Jena/Fuseki
    if m:
        msg = _JENA_POSITION.sub(lambda x: f"line {line(x[1])}, column {x[2]}", msg)
        return QuerySyntaxError(msg, line(m[1]), int(m[2]))
    m = _VIRTUOSO_LINE.search(msg)  # Virtuoso: a line, no column
    if m:
        msg = _VIRTUOSO_LINE.sub(lambda x: f"SPARQL compiler, line {line(x[1])}:", msg)
        return QuerySyntaxError(msg, line(m[1]))
    return QuerySyntaxError(msg)


def _term(t: object) -> str:
    return str(t)  # pyoxigraph terms print as N-Triples


class RemoteTransaction(WriteTransaction):
    """A write on the server without a copy of its dataset: ``db`` is an ``Overlay``, the
    server's dataset read through the write's own delta (``store/overlay.py``), and ``commit``
    sends that delta as ONE update (``DELETE DATA`` + ``INSERT DATA``, or ``INSERT {...} WHERE
    {}`` when it adds blank nodes, which Virtuoso refuses in ``INSERT DATA``); ``rollback``
    sends nothing. The client's memory is that of the delta, whatever the dataset's size.

    Nobody else's writes are excluded: the overlay reads the server as it is at each read, and
    the commit does not check that the server is as the write found it (SPARQL has no version
    to compare). A write by someone else in between is kept; if it added a quad this write
    adds too, the quad is there once, and if it removed one this write removes, the
    ``DELETE DATA`` finds nothing to delete (both are no-ops in SPARQL, never errors). What
    this write validated may then not hold of the merged result: serialise the writers (one
    ``stdgraph serve`` in front of the server does) where that matters. Triples with blank
    nodes cannot be deleted this way (SPARQL forbids blank nodes in ``DELETE DATA``): such a
    commit is refused."""

    #: reads are answered by the server: the change protocol reads around what changed
    #: (``change.guard``: scoped inference) instead of reading the whole base
    scoped = True

    def __init__(self, store: RemoteStore) -> None:
        self.store = store
        self.db: Overlay | None = Overlay(store)

    def base_quads(self) -> Iterator[ox.Quad]:
        """The whole dataset as the server holds it (streamed; the change protocol reads
        ``db.before`` around what changed instead)."""
        return self.store.ox_quads()

    def commit(self) -> None:
        db = self.db
        assert db is not None, "the transaction is over"
        removed = set(db.minus)
        added = list(db.plus)
        if any(isinstance(x, ox.BlankNode) for q in removed for x in (q.subject, q.object)):
            raise StoreError("this write removes triples with blank nodes, which SPARQL DELETE "
                             "DATA cannot address on a remote store; nothing was changed")
        ops: list[str] = []
        if removed and self.store.server.tagged_deletes_alone:
            # Virtuoso 7.2 skips language-tagged literals in a DELETE DATA of several triples
            # (and says nothing): those go one per operation
            tagged = {q for q in removed if isinstance(q.object, ox.Literal) and q.object.language}
            ops.extend("DELETE DATA { " + _quad_text(q) + " }" for q in tagged)
            removed -= tagged
        if removed:
            ops.append("DELETE DATA { " + " ".join(_quad_text(q) for q in removed) + " }")
        if added:
            body = " ".join(_quad_text(q) for q in added)
            if any(isinstance(x, ox.BlankNode) for q in added for x in (q.subject, q.object)):
                # the same fresh blank nodes as INSERT DATA would make (one solution, one
                # template); Virtuoso 7.2 refuses blank nodes in INSERT DATA
                ops.append("INSERT { " + body + " } WHERE {}")
            else:
                ops.append("INSERT DATA { " + body + " }")
        if ops:
            self.store.update(" ;\n".join(ops))
        self.db = None

    def rollback(self) -> None:
        self.db = None


def _quad_text(q: ox.Quad) -> str:
    triple = f"{_term(q.subject)} {_term(q.predicate)} {_term(q.object)} ."
    if isinstance(q.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {_term(q.graph_name)} {{ {triple} }}"
