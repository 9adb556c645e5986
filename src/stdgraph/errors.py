"""Error types that carry their CLI exit code and HTTP status.

Library code raises these; the CLI prints ``message`` on one line and exits with ``exit_code``,
the HTTP layer answers with ``http_status``. Anything else is a bug and shows a traceback only
with ``--verbose``.
"""

from __future__ import annotations

from dataclasses import dataclass


class StdgraphError(Exception):
    """A problem the user can act on."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple:
        """Pickled with its attributes, whatever its ``__init__`` takes: an error raised in a
        query worker process reaches the server as the same type (``api.executor``)."""
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(cls: type[StdgraphError], args: tuple, state: dict) -> StdgraphError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class UsageError(StdgraphError):
    """Bad arguments, settings or paths."""

    exit_code = 2
    http_status = 400


@dataclass(frozen=True)
class SourcePosition:
    """Where in a file the parser stopped."""

    path: str
    line: int | None
    column: int | None


class RDFSyntaxError(StdgraphError):
    """Unparsable RDF: names the file (or request body), the line and the column."""

    exit_code = 2
    http_status = 400

    def __init__(self, reason: str, position: SourcePosition) -> None:
        where = position.path
        if position.line is not None:
            where += f":{position.line}"
            if position.column is not None:
                where += f":{position.column}"
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.position = position


class QuerySyntaxError(StdgraphError):
    """Unparsable SPARQL query or update."""

    exit_code = 2
    http_status = 400

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {reason}")
        self.reason = reason
        self.line = line
        self.column = column


class ValidationFailed(StdgraphError):
    """The graph breaks SHACL shapes with severity sh:Violation; carries the report."""

    exit_code = 1
    http_status = 422

    def __init__(self, report) -> None:  # report: stdgraph.validation.report.ValidationReport
        n = len(report.violations)
        super().__init__(f"{n} SHACL violation{'s' if n != 1 else ''}; nothing was changed")
        self.report = report


class StoreError(StdgraphError):
    """The store cannot be opened or written."""

    exit_code = 3
    http_status = 503


class ServerQueryFailed(StoreError):
    """A remote SPARQL server answered a query with a server error (5xx): it could not evaluate
    it (Virtuoso's SQL compiler overflows its stack on deeply nested EXISTS, for one)."""


class QueryTimeout(StdgraphError):
    """The query ran past its time limit (HTTP 503)."""

    http_status = 503

    def __init__(self, seconds: float, what: str = "query") -> None:
        advice = ("nothing was changed; narrow its WHERE" if what == "update"
                  else "narrow it (LIMIT, more specific patterns)")
        super().__init__(
            f"the {what} was stopped after the time limit of {seconds:g} s; {advice} or ask "
            "the operator to raise STDGRAPH_QUERY_TIMEOUT"
        )
        self.seconds = seconds
        self.what = what


class Preparing(StdgraphError):
    """What the request needs is being derived from the store, in the background, and was not
    ready within the request's time limit (HTTP 503 with ``Retry-After``): the same request a
    little later finds it."""

    http_status = 503
    retry_after = 10

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} is being prepared for the store's current state (seconds on a small "
            "graph, about two minutes at 100,000 standards); nothing failed: ask again in "
            f"{self.retry_after} s")
        self.what = what
        self.headers = {"Retry-After": str(self.retry_after)}


class ProtectedGraph(StdgraphError):
    """A write to a graph stdgraph computes (the inferred graph, the build record): refused
    whole, on every write route (HTTP 403), since the change protocol writes it itself."""

    http_status = 403
    exit_code = 2

    def __init__(self, graph: str) -> None:
        super().__init__(f"the graph <{graph}> is computed by stdgraph and cannot be written "
                         "(the inferred graph follows the asserted graphs after every write); "
                         "write the asserted graphs instead")
        self.graph = graph


class ImportConflict(UsageError):
    """An import name already holds a different import of that vocabulary (HTTP 409, exit 2).

    Raised by the importers (``stdgraph.importers.base.write_import``) and caught by type: the
    CLI prints the message (which names ``--replace`` and ``--name``), the HTTP route answers
    409 naming ``replace=true`` and ``name=`` instead."""

    http_status = 409

    def __init__(self, graph: str, vocabulary: str, name: str) -> None:
        super().__init__(f"{graph} already holds a different import named {name!r}; use "
                         "--replace to replace it, or --name for a second import")
        self.graph = graph
        self.vocabulary = vocabulary
        self.name = name


class FeatureUnavailable(StdgraphError):
    """A feature whose optional dependencies are not installed (HTTP 501, exit 2): the message
    names the extra to install, e.g. ``pip install 'stdgraph[suggest]'``."""

    http_status = 501
    exit_code = 2


class NotFound(StdgraphError):
    """A resource the request names does not exist (HTTP 404, exit 2)."""

    http_status = 404
    exit_code = 2
