"""The analysis registry: what an analysis declares once, and the list everything follows from.

An analysis module declares its analyses in a module-level ``ANALYSES`` tuple of
:class:`Analysis` — name, title, a plain-words description, parameters, result columns, HTTP
path and function — and the package lists its modules, one line each
(``stdgraph.analysis.MODULES``). From that list:

- the CLI generates ``stdgraph analyse NAME`` with one option per parameter (``cli.py``);
- the HTTP API generates ``GET <path>`` and ``GET /analysis`` (``api/routes/analysis.py``), and
  with them the OpenAPI document;
- a report page finds ``title``, ``description``, ``definitions`` (its words in plain words,
  shown first), ``params`` (``.label``, ``.value_labels`` and ``.pick`` for the form),
  ``report_columns`` and ``path`` (for the CSV/JSON links) on ``registry.get(name)``; and sorts
  its table by any column (``sort_items``: each column's key from what the cell shows, or from
  ``sort_keys``; ties in the analysis' own ``order``, said in plain words on the page).

Extra analyses (a committee's own, or a test's) come from the modules named in
``Settings.analysis_modules`` (``STDGRAPH_ANALYSIS_MODULES``): :func:`registry_for` returns the
built-in registry extended with them, for one settings object. Registries are immutable and
built per call, so two apps (or two CLI runs) with different settings never share one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from stdgraph.analysis.common import (
    AnalysisDocument,
    AnalysisStream,
    Column,
    Parameter,
    RawParams,
    coverage_cell,
    coverage_footer,
    stream_csv,
    stream_json,
    stream_ndjson,
    to_csv,
    to_json,
    to_table,
)
from stdgraph.errors import UsageError
from stdgraph.sparql.named import Param, ParameterError
from stdgraph.store.base import Store

__all__ = ["Analysis", "AnalysisRegistry", "Column", "FORMATS", "Parameter", "SORT_LIMIT",
           "UnknownAnalysis", "cell_key", "column_ids"]

#: the output formats of ``Analysis.render`` (HTTP serves json, csv and ndjson): ``ndjson`` is
#: JSON lines, one item per line
FORMATS = ("json", "csv", "ndjson", "table")
#: the HTTP paths of analyses live under this prefix, so they cannot shadow other routes
PATH_PREFIX = "/analysis/"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_PATH = re.compile(r"^/analysis(/[a-z0-9][a-z0-9-]*)+$")
#: the CSV column of an analysis that takes ``evidence`` (its value: see ``render``)
COVERAGE_COLUMN: Column = ("coverage", lambda i: coverage_cell(i.get("coverage", [])))
#: the most items a report sorts by a column: the analysis' first items in its own order (all
#: of them with the default ``limit``, 1000); a longer answer is sorted within these, and its
#: page says so
SORT_LIMIT = 1000
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def cell_key(value: Any) -> tuple | None:
    """A report cell's sort key, from what it shows (None: an empty cell, shown last whatever
    the direction): a text that is one number by that number, other text casefolded (numbers
    before text); a resource (``{"iri", "label"}``) by its label (else its IRI); a list by its
    entries' keys in order."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    if isinstance(value, dict):
        return cell_key(value.get("label") or value.get("iri") or None)
    if isinstance(value, (list, tuple)):
        keys = tuple(k for k in (cell_key(v) for v in value) if k is not None)
        return (2, keys, "") if keys else None
    text = str(value).strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return (0, float(text), "")
    return (1, 0, text.casefold())


def column_ids(headers: Sequence[str]) -> list[str]:
    """A name for each report column fit for a URL (``sort=shared-in-all``): its header in
    lower case, runs of other characters as ``-``; a repeated one gets ``-2``, ``-3``, ..."""
    out: list[str] = []
    for h in headers:
        base = re.sub(r"[^a-z0-9]+", "-", h.lower()).strip("-") or "column"
        name, n = base, 1
        while name in out:
            n += 1
            name = f"{base}-{n}"
        out.append(name)
    return out


class UnknownAnalysis(UsageError):
    """No analysis by that name (CLI exit 2, HTTP 404)."""

    http_status = 404


@dataclass(frozen=True)
class Analysis:
    """One analysis, declared once in its own module.

    ``function(store, raw, *, ignore)`` checks the raw text parameters against ``params``
    (``common.parse_params``) and returns an :class:`AnalysisDocument`. Columns are
    ``(header, item -> value)`` pairs: ``csv_columns`` for CSV (values as text, lists as IRIs
    separated by spaces), ``table_columns`` for the terminal, ``report_columns`` for an HTML
    table (text, or ``{"iri", "label"}`` / lists of them, shown as links; default: the table
    columns). ``table_appendix`` adds text after the terminal table (the gaps matrix).

    A report sorts its table by any of ``report_columns`` (:meth:`sort_items`): by the key of
    what the cell shows (:func:`cell_key`), or by ``sort_keys[header](item)`` where the shown
    text would sort wrongly ("2 / 3"); ties keep ``order``, the analysis' own order in plain
    words ("score, highest first, ...")."""

    name: str
    title: str
    description: str
    path: str
    function: Callable[..., AnalysisDocument]
    params: Sequence[Param]
    csv_columns: Sequence[Column]
    table_columns: Sequence[Column]
    report_columns: Sequence[Column] = ()
    table_appendix: Callable[[AnalysisDocument], str] | None = None
    #: where the definitions are written out for people
    docs: str = "docs/analyses.md"
    #: the report's words defined in plain words, as (term, definition) pairs: what one item
    #: is ("Item"), its score or that it has none ("Score"), and any other word a reader of
    #: its table needs; report pages show them first (docs/analyses.md has the long form)
    definitions: Sequence[tuple[str, str]] = ()
    #: ``streamer(store, raw, *, ignore) -> AnalysisStream``: the answer with its items made
    #: as they are written out (``limit=0``: every item, memory bounded by a constant); none:
    #: ``stream`` wraps ``function``'s whole document
    streamer: Callable[..., AnalysisStream] | None = None
    #: the order of the items in plain words, as a report page states it ("by score, highest
    #: first, then ..."): the order a sorted table keeps among equal cells
    order: str = "in the order the analysis gives them"
    #: report column header -> the sort key of an item in that column (None: empty), where
    #: the key of what the cell shows would sort wrongly
    sort_keys: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    _by_name: dict[str, Param] = field(init=False, default_factory=dict, repr=False,
                                       compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"analysis name {self.name!r}: lower-case letters, digits and '-'")
        if not _PATH.match(self.path):
            raise ValueError(f"analysis {self.name}: path {self.path!r} must be "
                             f"{PATH_PREFIX}<segment>[/<segment>...] (lower case)")
        if not self.title or not self.description:
            raise ValueError(f"analysis {self.name}: give a title and a description")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names) or "format" in names:
            raise ValueError(f"analysis {self.name}: parameter names must be unique and not "
                             "'format' (the output format)")
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "definitions", tuple((t, d) for t, d in self.definitions))
        object.__setattr__(self, "csv_columns", tuple(self.csv_columns))
        object.__setattr__(self, "table_columns", tuple(self.table_columns))
        object.__setattr__(self, "report_columns",
                           tuple(self.report_columns or self.table_columns))
        unknown = set(self.sort_keys) - {h for h, _ in self.report_columns}
        if unknown:
            raise ValueError(f"analysis {self.name}: sort keys of no report column: "
                             f"{', '.join(sorted(unknown))}")
        object.__setattr__(self, "sort_keys", dict(self.sort_keys))
        self._by_name.update({p.name: p for p in self.params})

    # -- running -------------------------------------------------------------------------------
    def run(self, store: Store, raw: RawParams | None = None, *,
            ignore: tuple[str, ...] = ("format",)) -> AnalysisDocument:
        """The document for raw text parameters (ParameterError names a bad one)."""
        return self.function(store, raw or {}, ignore=ignore)

    def stream(self, store: Store, raw: RawParams | None = None, *,
               ignore: tuple[str, ...] = ("format",)) -> AnalysisStream:
        """The answer for raw text parameters as a stream: its items are made as they are
        consumed (``streamer``), or those of ``run``'s document."""
        if self.streamer is not None:
            return self.streamer(store, raw or {}, ignore=ignore)
        return AnalysisStream.of(self.run(store, raw, ignore=ignore))

    def render_stream(self, stream: AnalysisStream, fmt: str) -> Iterator[str]:
        """``render`` of the stream's document, piece by piece (json, csv, ndjson: the same
        text, written as the items come; table needs every row for its widths)."""
        if fmt == "json":
            return stream_json(stream)
        if fmt == "ndjson":
            return stream_ndjson(stream)
        if fmt == "csv":
            return stream_csv(stream, self._csv_columns(stream.extra))
        return iter([self.render(stream.document(), fmt)])

    def _csv_columns(self, extra: Mapping[str, Any]) -> list[Column]:
        if not self.counts_evidence:
            return list(self.csv_columns)
        overall = extra.get("coverage", [])
        column = ("coverage", lambda i: coverage_cell(i.get("coverage", overall)))
        return [*self.csv_columns, column]

    def raw_from_query(self, query: Mapping[str, list[str]]) -> dict[str, Any]:
        """A URL's query parameters (``name -> [values]``, ``format`` left out) as the raw
        parameters of :meth:`run`: one value for a single-valued parameter, the list for a
        ``multiple`` one; repeated single values stay a list, which the check refuses."""
        out: dict[str, Any] = {}
        for k, v in query.items():
            if k == "format":
                continue
            p = self._by_name.get(k)
            out[k] = v if p is not None and p.multiple else (v[0] if len(v) == 1 else v)
        return out

    @property
    def counts_evidence(self) -> bool:
        """The analysis takes ``evidence`` (and so reports its coverage)."""
        return "evidence" in self._by_name

    def all_csv_columns(self) -> tuple[Column, ...]:
        """``csv_columns``, and ``coverage`` last for an analysis that takes ``evidence``."""
        if not self.counts_evidence:
            return tuple(self.csv_columns)
        return (*self.csv_columns, COVERAGE_COLUMN)

    def render(self, doc: AnalysisDocument, fmt: str) -> str:
        """``json`` (the text the CLI and HTTP both print), ``csv`` or ``table``; the CSV's
        ``coverage`` column and the table's footer carry the document's coverage."""
        if fmt == "json":
            return to_json(doc)
        if fmt == "csv":
            return to_csv(doc, self._csv_columns(doc.extra))
        if fmt == "ndjson":
            return "".join(stream_ndjson(AnalysisStream.of(doc)))
        if fmt == "table":
            out = to_table(doc, list(self.table_columns))
            if self.table_appendix is not None:
                out += "\n" + self.table_appendix(doc)
            if doc.extra.get("coverage"):
                out += "\n" + coverage_footer(doc)
            return out
        raise ValueError(f"unknown format {fmt!r}")

    # -- sorting a report ----------------------------------------------------------------------
    @property
    def sortable(self) -> bool:
        """Its report sorts by a column (``sort``), unless ``sort`` is a parameter of its own."""
        return "sort" not in self._by_name

    def columns(self) -> list[tuple[str, str]]:
        """The report's columns as (id, header): the id names it in ``sort``."""
        headers = [h for h, _ in self.report_columns]
        return list(zip(column_ids(headers), headers, strict=True))

    def sort_spec(self, text: str) -> tuple[str, bool]:
        """``sort``'s value (a column id, ``-`` before it for descending) as (header,
        descending); ParameterError naming ``sort`` for a column it does not have."""
        descending = text.startswith("-")
        wanted = text[1:] if descending else text
        for cid, header in self.columns():
            if cid == wanted:
                return header, descending
        raise ParameterError("sort", f"{text!r} is not a column of this report (one of: "
                             + ", ".join(c for c, _ in self.columns())
                             + "; '-' before one for descending)")

    def sort_items(self, items: Sequence[dict], header: str, descending: bool = False) -> list:
        """``items`` sorted by the report column ``header``: by ``sort_keys[header]`` or the
        :func:`cell_key` of the cell; equal keys keep their order (the analysis' ``order``);
        empty cells last in either direction."""
        declared = self.sort_keys.get(header)
        get = dict(self.report_columns)[header]

        def key(item: dict) -> Any:
            return declared(item) if declared is not None else cell_key(get(item))

        keyed = [(key(i), i) for i in items]
        filled = [(k, i) for k, i in keyed if k is not None]
        filled.sort(key=lambda ki: ki[0], reverse=descending)  # stable either way
        return [i for _k, i in filled] + [i for k, i in keyed if k is None]

    # -- describing ----------------------------------------------------------------------------
    def param(self, name: str) -> Param | None:
        return self._by_name.get(name)

    def label(self, param: str) -> str:
        """A parameter's human label (its name, if it was declared as a plain Param)."""
        p = self._by_name[param]
        return getattr(p, "label", "") or p.name

    def describe(self) -> dict:
        """The analysis as JSON (GET /analysis): everything a client or a form needs."""
        params = []
        for p in self.params:
            d = p.describe()
            d.setdefault("label", self.label(p.name))
            params.append(d)
        return {"name": self.name, "title": self.title, "description": self.description,
                "path": self.path, "parameters": params,
                "csv_columns": [n for n, _ in self.all_csv_columns()],
                "report_columns": [n for n, _ in self.report_columns],
                "definitions": [{"term": t, "definition": d} for t, d in self.definitions],
                "order": self.order, "docs": self.docs}


class AnalysisRegistry:
    """Analyses by name, in declaration order; immutable (``extended`` returns a new one).

    Reads like a mapping (``registry[name]``, ``in``, iteration over names, ``values()``,
    ``items()``); ``get(name)`` raises :class:`UnknownAnalysis` naming the known analyses
    (``find(name)`` returns None instead)."""

    def __init__(self, analyses: Iterable[Analysis] = ()) -> None:
        by_name: dict[str, Analysis] = {}
        paths: dict[str, str] = {}
        for a in analyses:
            if a.name in by_name:
                raise UsageError(f"two analyses are named {a.name!r}")
            if a.path in paths:
                raise UsageError(f"analyses {paths[a.path]!r} and {a.name!r} both use the path "
                                 f"{a.path}")
            by_name[a.name] = a
            paths[a.path] = a.name
        self._by_name = by_name

    @classmethod
    def from_modules(cls, modules: Iterable[str | ModuleType]) -> AnalysisRegistry:
        """The analyses that the given modules (objects or dotted names) declare."""
        return cls(a for m in modules for a in module_analyses(m))

    def extended(self, modules: Iterable[str | ModuleType] = (),
                 analyses: Iterable[Analysis] = ()) -> AnalysisRegistry:
        """A new registry: these analyses, then those of ``modules``, then ``analyses``."""
        return AnalysisRegistry([*self.values(),
                                 *(a for m in modules for a in module_analyses(m)),
                                 *analyses])

    def get(self, name: str) -> Analysis:
        """The analysis called ``name``, or :class:`UnknownAnalysis` naming the known ones."""
        found = self._by_name.get(name)
        if found is None:
            raise UnknownAnalysis(f"no analysis '{name}' (known: {', '.join(self._by_name)})")
        return found

    def find(self, name: str) -> Analysis | None:
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> Analysis:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def names(self) -> list[str]:
        return list(self._by_name)

    def values(self) -> list[Analysis]:
        return list(self._by_name.values())

    def items(self) -> list[tuple[str, Analysis]]:
        return list(self._by_name.items())

    def describe(self) -> list[dict]:
        return [a.describe() for a in self.values()]


def module_analyses(module: str | ModuleType) -> tuple[Analysis, ...]:
    """The ``ANALYSES`` a module declares (a module object, or its dotted name to import)."""
    if isinstance(module, str):
        try:
            module = importlib.import_module(module)
        except ImportError as e:
            raise UsageError(f"analysis module {module!r} cannot be imported: {e}") from None
    found = getattr(module, "ANALYSES", None)
    if not isinstance(found, (tuple, list)) or not all(isinstance(a, Analysis) for a in found):
        raise UsageError(f"analysis module {module.__name__!r} declares no ANALYSES (a tuple "
                         "of stdgraph.analysis.registry.Analysis)")
    return tuple(found)
