"""Every knob stdgraph has: name, type, default, environment variable and help, in one place.

CLI flags override ``STDGRAPH_*`` environment variables, which override the defaults. The table in
the README is checked against ``SETTINGS`` by the tests, so a new setting cannot go undocumented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from stdgraph.booleans import FALSE_WORDS, TRUE_WORDS, parse_bool
from stdgraph.errors import UsageError


def _setting(default: Any, env: str, help: str) -> Any:
    """A field of ``Settings`` with its environment variable and help, which the CLI flags,
    ``from_env``, ``SETTINGS`` and the README's table read."""
    return field(default=default, metadata={"env": env, "help": help})


def default_store_dir() -> Path:
    """The per-user data folder for the default store.

    $XDG_DATA_HOME/stdgraph/store, else ~/.local/share/stdgraph/store; on macOS
    ~/Library/Application Support/stdgraph/store; on Windows %LOCALAPPDATA%/stdgraph/store.
    """
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "stdgraph" / "store"
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg) / "stdgraph" / "store"
    home = Path.home()
    mac = home / "Library" / "Application Support"
    if os.uname().sysname == "Darwin" and mac.is_dir():
        return mac / "stdgraph" / "store"
    return home / ".local" / "share" / "stdgraph" / "store"


@dataclass(frozen=True)
class Settings:
    """One immutable settings object, passed explicitly (no module-level singleton)."""

    project: str | None = _setting(
        None, "STDGRAPH_PROJECT",
        "Folder with ontology/, shapes/, data/, queries/; default: the graph bundled with the "
        "package.")
    store: str | None = _setting(
        None, "STDGRAPH_STORE",
        "Where the graph lives: a folder (embedded Oxigraph), 'memory:' (rdflib, in this process "
        "only) or a SPARQL 1.1 server 'sparql+http(s)://HOST:PORT[/PATH][?server=oxigraph|fuseki|"
        "graphdb|virtuoso]' (docs/deploy.md); default: the per-user data folder, e.g. "
        "~/.local/share/stdgraph/store.")
    remote_user: str | None = _setting(
        None, "STDGRAPH_REMOTE_USER",
        "User name for a remote SPARQL store (HTTP Basic; Digest for Virtuoso).")
    remote_password: str | None = _setting(
        None, "STDGRAPH_REMOTE_PASSWORD",
        "Password for STDGRAPH_REMOTE_USER.")
    remote_token: str | None = _setting(
        None, "STDGRAPH_REMOTE_TOKEN",
        "Bearer token sent to a remote SPARQL store (instead of user and password).")
    base_iri: str = _setting(
        "https://w3id.org/stdgraph/id/", "STDGRAPH_BASE_IRI",
        "Base of resource IRIs served under /id/.")
    host: str = _setting("127.0.0.1", "STDGRAPH_HOST", "Address to bind.")
    port: int = _setting(8000, "STDGRAPH_PORT", "Port to bind.")
    update_token: str | None = _setting(
        None, "STDGRAPH_UPDATE_TOKEN",
        "Bearer token that enables writes; without it the endpoint is read-only.")
    query_timeout: float = _setting(
        10.0, "STDGRAPH_QUERY_TIMEOUT",
        "Seconds a query or an update may run before it is stopped (503).")
    max_rows: int = _setting(
        10000, "STDGRAPH_MAX_ROWS",
        "Most result rows returned; more are cut and the answer says it was truncated.")
    max_update_quads: int = _setting(
        100_000, "STDGRAPH_MAX_UPDATE_QUADS",
        "Most quads the DELETE/INSERT templates of one SPARQL update may ground (its WHERE's "
        "solutions times its templates); more is refused with 400 before anything is written, "
        "which bounds the memory of an update (0 = no limit).")
    max_body_bytes: int = _setting(
        10 * 1024 * 1024, "STDGRAPH_MAX_BODY_BYTES",
        "Largest request body accepted.")
    max_header_bytes: int = _setting(
        32 * 1024, "STDGRAPH_MAX_HEADER_BYTES",
        "Largest request line plus headers accepted (stdgraph serve); a longer request line is "
        "refused with 414, longer headers with 431, and the connection closed.")
    max_headers: int = _setting(
        100, "STDGRAPH_MAX_HEADERS",
        "Most header fields a request may have (stdgraph serve); more are refused with 431.")
    shutdown_timeout: float = _setting(
        5.0, "STDGRAPH_SHUTDOWN_TIMEOUT",
        "Seconds stdgraph serve waits, on SIGTERM or Ctrl-C, for requests in flight (then cancels "
        "them) and again for work still running in threads, before it exits.")
    cors_origins: tuple[str, ...] = _setting(
        (), "STDGRAPH_CORS_ORIGINS",
        "Comma-separated origins allowed by CORS; empty = CORS off.")
    allow_service: bool = _setting(
        False, "STDGRAPH_ALLOW_SERVICE",
        "Allow SPARQL SERVICE calls to remote endpoints.")
    allow_load: bool = _setting(
        False, "STDGRAPH_ALLOW_LOAD",
        "Allow SPARQL LOAD of remote or file URLs.")
    query_workers: int = _setting(
        3, "STDGRAPH_QUERY_WORKERS",
        "Queries, analyses and page reads that run at the same time (worker processes or "
        "threads); more wait for a free worker within their time limit.")
    query_processes: bool = _setting(
        True, "STDGRAPH_QUERY_PROCESSES",
        "Run queries, analyses and page reads on the embedded store in worker processes, so one "
        "past the time limit is killed; false: threads, which answer 503 at the limit and stop an "
        "analysis at its next query, but cannot stop a query.")
    access_log: bool = _setting(
        True, "STDGRAPH_ACCESS_LOG",
        "Log one line per request (uvicorn's access log: method, path with query string, status; "
        "never headers).")
    public_url: str | None = _setting(
        None, "STDGRAPH_PUBLIC_URL",
        "Base URL the server is reached at, for the service description and VoID, the base IRI of "
        "relative IRIs in queries and updates, and the IRIs of graphs created by POST /store; "
        "default: worked out from each request (honouring Forwarded and "
        "X-Forwarded-Proto/Host/Prefix).")
    analysis_modules: tuple[str, ...] = _setting(
        (), "STDGRAPH_ANALYSIS_MODULES",
        "Comma-separated Python modules with analyses of your own, each declaring ANALYSES "
        "(docs/analyses.md, 'Adding an analysis'); they join the built-in analyses on the CLI "
        "(stdgraph analyse), over HTTP and in the OpenAPI document.")

    def __post_init__(self) -> None:
        token = self.update_token
        if token is not None and (not token.strip() or any(c.isspace() or not c.isprintable()
                                                            for c in token)):
            raise UsageError("STDGRAPH_UPDATE_TOKEN is blank or has spaces or control "
                             "characters: a bearer token is one word (RFC 6750); leave it "
                             "unset for a read-only server")
        if self.max_header_bytes < 1024 or self.max_headers < 1:
            raise UsageError("STDGRAPH_MAX_HEADER_BYTES must be at least 1024 and "
                             "STDGRAPH_MAX_HEADERS at least 1")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``STDGRAPH_*`` variables, then explicit (non-None) overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(name: str, type_: Any, raw: str) -> Any:
    t = str(type_)
    try:
        if "bool" in t:
            return parse_bool(raw)
        if "tuple" in t:
            return tuple(x.strip() for x in raw.split(",") if x.strip())
        if t.startswith("int"):
            return int(raw)
        if t.startswith("float"):
            return float(raw)
    except ValueError:
        words = f" ({'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)})" if "bool" in t else ""
        raise UsageError(f"setting {name}: cannot read {raw!r} as {t}{words}") from None
    return raw


SETTINGS = [(f.name, f.metadata["env"], f.default, f.metadata["help"]) for f in fields(Settings)]
