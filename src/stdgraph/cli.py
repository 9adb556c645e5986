"""The ``stdgraph`` command: a thin shell over the library.

Each command parses its arguments, calls one library function and prints. A user error prints one
line (``stdgraph: error: ...``) and exits non-zero; ``--verbose`` adds the traceback.
Exit codes: 0 ok, 1 SHACL violations, 2 bad input (syntax, arguments, unreadable files),
3 store problems.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox

from stdgraph.errors import StdgraphError, UsageError, ValidationFailed
from stdgraph.project import Project
from stdgraph.rdf.formats import (
    RESULT_MEDIA,
    serialize_graph,
    serialize_result,
    table,
)
from stdgraph.rdf.namespaces import INFERRED_GRAPH, sparql_prologue
from stdgraph.settings import Settings
from stdgraph.sparql.named import Registry, parse_param_args
from stdgraph.store import open_store


class Context:
    def __init__(self, settings: Settings, verbose: bool) -> None:
        self.settings = settings
        self.verbose = verbose
        self._t0 = time.perf_counter()

    def progress(self, msg: str) -> None:
        click.echo(f"[{time.perf_counter() - self._t0:6.1f}s] {msg}", err=True)

    def project(self) -> Project:
        return Project.locate(self.settings.project)


store_option = click.option(
    "--store", "store", default=None, metavar="DIR",
    help="Store folder (embedded Oxigraph) or 'memory:'. Env STDGRAPH_STORE.",
)
project_option = click.option(
    "--project", "project", default=None, metavar="DIR",
    help="Project folder (ontology/, shapes/, data/, queries/). Env STDGRAPH_PROJECT.",
)


def _ctx(click_ctx: click.Context, store: str | None = None,
         project: str | None = None) -> Context:
    """Merge per-command --store/--project into the settings made by the group."""
    ctx = click_ctx.find_object(Context)
    assert ctx is not None, "the stdgraph group makes the Context before any command runs"
    if store or project:
        ctx.settings = ctx.settings.with_(store=store, project=project)
    return ctx


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@store_option
@project_option
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="stdgraph")
@click.pass_context
def cli(click_ctx: click.Context, store: str | None, project: str | None, verbose: bool) -> None:
    """stdgraph: a knowledge graph of smart-factory standards, architectures and roadmaps."""
    click_ctx.obj = Context(Settings.from_env(store=store, project=project), verbose)


@cli.command()
@store_option
@project_option
@click.pass_context
def build(click_ctx: click.Context, store: str | None, project: str | None) -> None:
    """Parse, infer (OWL-RL), validate (SHACL) and load the project into the store.

    Exit 1 on any sh:Violation, 2 on a file that does not parse; either way the store keeps
    the graph it had before.
    """
    # here, not at the top: the reasoner and pyshacl add ~70 ms to every command's start
    from stdgraph.change.build import build as run_build

    ctx = _ctx(click_ctx, store, project)
    proj = ctx.project()
    ctx.progress(f"building {proj.root}")
    with open_store(ctx.settings.store) as st:
        try:
            result = run_build(proj, st, ctx.progress)
        except ValidationFailed as e:
            for r in e.report.results:
                click.echo(r.line())
            raise
    for r in result.report.warnings:
        click.echo(r.line())
    where = getattr(st, "root", ctx.settings.store or "memory")
    click.echo(f"built {result.total} triples in {len(result.graphs)} graphs into {where} "
               f"({len(result.report.warnings)} warning(s))")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--graph", "graph", default=None, metavar="IRI",
              help="Load every file into this named graph (default: one graph per file, "
                   "https://w3id.org/stdgraph/graph/load/<file stem>).")
@click.option("--no-validate", is_flag=True,
              help="Skip the SHACL validation of the loaded nodes (inference still runs).")
@store_option
@project_option
@click.pass_context
def load(click_ctx: click.Context, files: tuple[Path, ...], graph: str | None, no_validate: bool,
         store: str | None, project: str | None) -> None:
    """Load RDF files (.ttl .nt .nq .trig .rdf .owl .jsonld, optionally .gz) into the store.

    Streams each file into its target graph, whose previous content it replaces, updates the
    inferred graph and validates the touched nodes, then switches the store to the result in one
    step: all files or none. Exit 2 if a file does not parse (file, line, column), 1 on SHACL
    violations; either way the store is unchanged.
    """
    # here, not at the top: the reasoner and pyshacl add ~70 ms to every command's start
    from stdgraph.change.load import load as run_load
    from stdgraph.change.load import plan

    ctx = _ctx(click_ctx, store, project)
    plan(files, graph)  # bad arguments fail before the store is opened
    proj = None if no_validate else ctx.project()
    with open_store(ctx.settings.store) as st:
        try:
            result = run_load(st, files, graph=graph, validate=not no_validate, project=proj,
                              progress=ctx.progress)
        except ValidationFailed as e:
            for r in e.report.results:
                click.echo(r.line())
            raise
    for iri, n in result.graphs.items():
        click.echo(f"{n} triples in <{iri}>")
    click.echo(f"inferred graph: {result.inferred} triples (was {result.inferred_before})")
    if result.report is None:
        click.echo("validation skipped (--no-validate)")
    else:
        for r in result.report.warnings:
            click.echo(r.line())
        click.echo(f"validated {result.validated_nodes} nodes: 0 violations, "
                   f"{len(result.report.warnings)} warning(s)")
    click.echo(f"loaded {sum(result.files.values())} triples from {len(result.files)} file(s)")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="Report format.")
@project_option
@click.pass_context
def validate(click_ctx: click.Context, files: tuple[Path, ...], fmt: str,
             project: str | None) -> None:
    """Validate RDF files against the project's shapes (with its ontology and inference).

    Exit 0 if they conform, 1 on violations, 2 if a file cannot be read or parsed.
    """
    # here, not at the top: the reasoner and pyshacl add ~70 ms to every command's start
    from stdgraph.change.build import validate_files

    ctx = _ctx(click_ctx, None, project)
    for f in files:
        if not f.is_file():
            raise UsageError(f"{f}: no such file")
    report = validate_files(ctx.project(), list(files))
    if fmt == "json":
        click.echo(report.as_json())
    elif fmt == "turtle":
        click.echo(report.turtle())
    else:
        click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


#: what ``stdgraph query --format`` offers for CONSTRUCT/DESCRIBE (formats of rdf.formats)
QUERY_GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


@cli.command()
@click.argument("sparql", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the query from a file.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", *RESULT_MEDIA, *QUERY_GRAPH_FORMATS]),
              help="Output format.")
@click.option("--prefixes/--no-prefixes", default=True, show_default=True,
              help="Prepend PREFIX lines for sg:, sgid:, skos:, dcterms:, ...")
@click.option("--named", "named", default=None, metavar="NAME",
              help="Run a named query from the project's queries/ (list: stdgraph queries).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the named query (repeatable).")
@click.option("--base", "base", default=None, metavar="IRI",
              help="Resolve relative IRIs in the query against IRI (unless it has a BASE); "
                   "without it they are an error.")
@store_option
@click.pass_context
def query(click_ctx: click.Context, sparql: str | None, file: Path | None, fmt: str,
          prefixes: bool, named: str | None, params: tuple[str, ...], base: str | None,
          store: str | None) -> None:
    """Run a SPARQL query against the store (the default graph is the union of all graphs)."""
    ctx = _ctx(click_ctx, store)
    if base is not None:
        try:
            ox.NamedNode(base)
        except ValueError as e:
            raise UsageError(f"--base must be an absolute IRI, got {base!r}: {e}") from None
    if [sparql, file, named].count(None) != 2:
        raise UsageError("give one query either as an argument or with --file "
                         "(or --named NAME), not several")
    if params and not named:
        raise UsageError("--param goes with --named")
    if named:
        text = Registry.for_project(ctx.project()).get(named).bound_text(
            parse_param_args(params))
    else:
        text = file.read_text() if file else (sparql or "")
        if prefixes:
            text = sparql_prologue() + text
    with open_store(ctx.settings.store, read_only=True) as st:
        result = st.query(text, base_iri=base)
    if result.kind == "graph":
        if fmt not in QUERY_GRAPH_FORMATS:
            fmt = "turtle"
        click.echo(serialize_graph(result.triples, fmt).decode(), nl=False)
    elif fmt == "table":
        click.echo(table(result))
    elif fmt in RESULT_MEDIA:
        click.echo(serialize_result(result, fmt).decode(), nl=False)
    else:
        raise UsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table/json/csv/tsv/xml")


STATS_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?instances) ?class
"""


@cli.command()
@store_option
@click.pass_context
def stats(click_ctx: click.Context, store: str | None) -> None:
    """Triples per graph and instances per class."""
    ctx = _ctx(click_ctx, store)
    with open_store(ctx.settings.store, read_only=True) as st:
        names = st.graph_names()
        if not names:
            raise UsageError("the store is empty: run `stdgraph build` first")
        click.echo("triples per graph:")
        total = 0
        for g in names:
            n = st.count(g)
            total += n
            marker = "  (inferred)" if g == INFERRED_GRAPH else ""
            click.echo(f"  {n:>8}  {g}{marker}")
        click.echo(f"  {total:>8}  total")
        click.echo("instances per class:")
        for cls, count in st.query(STATS_CLASSES).rows:
            click.echo(f"  {int(str(count)):>8}  {cls}")


@cli.command()
@click.argument("vocabulary", required=False)
@click.option("--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "trig", "nquads", "jsonld"]), help="Dump format.")
@click.option("--asserted-only", is_flag=True, help="Leave out the inferred graph.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to a file instead of standard output.")
@store_option
@click.pass_context
def export(click_ctx: click.Context, fmt: str, asserted_only: bool, output: Path | None,
           store: str | None, vocabulary: str | None = None) -> None:
    """Dump the graph: Turtle/JSON-LD merge the graphs, TriG/N-Quads keep them apart.

    `stdgraph export VOCABULARY` (e.g. `sto`) writes the standards, architectures and
    classifications in the terms of that importer's vocabulary instead (Turtle or JSON-LD;
    docs/i40kg.md).
    """
    ctx = _ctx(click_ctx, store)
    if vocabulary is not None:
        _export_vocabulary(ctx, vocabulary, fmt, output)
        return
    with open_store(ctx.settings.store, read_only=True) as st:
        names = st.graph_names()
        if not names:
            raise UsageError("the store is empty: run `stdgraph build` first")
        graphs = [g for g in names if g != INFERRED_GRAPH] if asserted_only else None
        if fmt in {"trig", "nquads"} and graphs is not None and st.kind != "remote":
            data = _dataset_subset(st, graphs, fmt)
            if output:
                output.write_bytes(data)
                ctx.progress(f"wrote {len(data)} bytes to {output}")
            else:
                sys.stdout.buffer.write(data)
            return
        # streamed where the store can (a remote one: memory independent of the dataset)
        if output:
            with output.open("wb") as out:
                st.dump_to(out, fmt, graphs=graphs)
                ctx.progress(f"wrote {out.tell()} bytes to {output}")
        else:
            st.dump_to(sys.stdout.buffer, fmt, graphs=graphs)


def _dataset_subset(st, graphs: list[str], fmt: str) -> bytes:
    from rdflib import Dataset, URIRef

    ds = Dataset()
    for name in graphs:
        g = ds.graph(URIRef(name))
        for t in st.triples(name):
            g.add(t)
    return ds.serialize(format="nquads" if fmt == "nquads" else "trig", encoding="utf-8")


@cli.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@store_option
@project_option
@click.pass_context
def serve(click_ctx: click.Context, host: str | None, port: int | None, store: str | None,
          project: str | None) -> None:
    """Serve the SPARQL endpoint; builds the bundled graph first if the store is empty."""
    # here, not at the top: the HTTP stack (FastAPI, uvicorn) takes ~0.5 s to import, the
    # reasoner and pyshacl ~70 ms more; the other commands do not need them
    from stdgraph.api import server
    from stdgraph.api.app import create_app
    from stdgraph.change.build import build as run_build

    ctx = _ctx(click_ctx, store, project)
    settings = ctx.settings.with_(host=host, port=port)
    st = open_store(settings.store)
    if st.is_empty():
        ctx.progress("the store is empty: building the graph first")
        run_build(ctx.project(), st, ctx.progress)
    app = create_app(settings, store=st)
    mode = "writes need the bearer token" if settings.update_token else "read-only"
    ctx.progress(f"SPARQL endpoint on http://{settings.host}:{settings.port}/sparql ({mode}); "
                 f"query page: the same URL in a browser")
    server.run(app, settings)  # request-head limits, redacted access log, bounded stop


def _export_vocabulary(ctx: Context, vocabulary: str, fmt: str, output: Path | None) -> None:
    from stdgraph.importers import IMPORTERS

    importer = IMPORTERS.get(vocabulary)
    if fmt not in {"turtle", "jsonld"}:
        raise UsageError(f"export {vocabulary} writes one graph: use --format turtle or jsonld")
    with open_store(ctx.settings.store, read_only=True) as st:
        graph = importer.export(st)
    data = graph.serialize(format="json-ld" if fmt == "jsonld" else "turtle", encoding="utf-8")
    if output:
        output.write_bytes(data)
        ctx.progress(f"wrote {len(graph)} {vocabulary} triples to {output}")
    else:
        sys.stdout.buffer.write(data)


class ImportGroup(click.Group):
    """``stdgraph import VOCAB FILE``: one command per importer of the registry
    (``stdgraph.importers.IMPORTERS``), with the importer's options as flags; ``list`` and
    ``remove`` work on the imports of every vocabulary."""

    def list_commands(self, click_ctx: click.Context) -> list[str]:
        from stdgraph.importers import IMPORTERS

        return [*IMPORTERS.names(), *super().list_commands(click_ctx)]

    def get_command(self, click_ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        from stdgraph.importers import IMPORTERS

        importer = IMPORTERS.find(name)
        return None if importer is None else _import_command(importer)


def param_options(command: Any, params: Sequence[Any]) -> Any:
    """One click option per declared parameter (an analysis's or an importer's): ``--name
    VALUE``, or ``--name/--no-name`` for a boolean; ``None`` when not given, so that the
    library applies the parameter's own default."""
    for p in reversed(params):
        flag = "--" + p.name.replace("_", "-")
        help_text = p.description + (f" [default: {p.default}]" if p.default else "")
        if getattr(p, "allowed", None):
            help_text += " (" + ", ".join(p.allowed) + ")"
        if p.type == "boolean":
            command = click.option(f"{flag}/--no-{flag[2:]}", p.name, default=None,
                                   help=help_text)(command)
        else:
            command = click.option(flag, p.name, default=None, metavar=p.type.upper(),
                                   help=help_text)(command)
    return command


@cli.group("import", cls=ImportGroup)
def import_() -> None:
    """Import third-party graphs, each into a named graph of its own (docs/i40kg.md)."""



def _import_command(importer) -> click.Command:
    """``stdgraph import VOCAB FILE``: the generic options, then one flag per option of the
    importer (``case_fix`` -> ``--case-fix/--no-case-fix``), checked by the importer."""
    vocabulary = importer.vocabulary

    def command(click_ctx: click.Context, file: Path, name: str | None, replace: bool,
                fmt: str, store: str | None, project: str | None, **options) -> None:
        ctx = _ctx(click_ctx, store, project)
        if not file.is_file():
            raise UsageError(f"{file}: no such file")
        raw = {k: ("true" if v else "false") for k, v in options.items() if v is not None}
        # here, not at the top: the reasoner and pyshacl add ~70 ms to every command's start
        from stdgraph.change.guard import store_change

        project_ = ctx.project()
        with open_store(ctx.settings.store) as st, store_change(st, project_) as change:
            result = importer.import_(change, file.read_bytes(), name, source=file,
                                      replace=replace, project=project_, options=raw)
        click.echo(result.as_json() if fmt == "json" else result.text(), nl=fmt != "json")

    command.__doc__ = (f"Import a file in {importer.title} terms into stdgraph's and print "
                       "a summary.\n\nWorks on an empty store and next to the built graph; "
                       "importing the same file again changes nothing. Exit 2 if the file is "
                       "missing or does not parse (with line and column), or if NAME holds a "
                       "different import (use --replace).")
    command = param_options(command, importer.options)
    command = project_option(command)
    command = store_option(command)
    command = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                           default="text", show_default=True, help="Summary format.")(command)
    command = click.option("--replace", is_flag=True,
                           help="Replace an earlier import of that name whose content "
                                "differs.")(command)
    command = click.option("--name", default=None, metavar="NAME",
                           help=f"Import name: the graph .../graph/import/{vocabulary}/NAME "
                                "(default: the file name).")(command)
    command = click.argument("file", type=click.Path(path_type=Path))(command)
    return click.command(vocabulary, short_help=f"Import a file in {importer.title} terms.")(
        click.pass_context(command))


@import_.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@store_option
@click.pass_context
def import_list(click_ctx: click.Context, fmt: str, store: str | None) -> None:
    """List the imports in the store: name, vocabulary, triples, time, source file."""
    import json

    from stdgraph.importers import list_imports

    ctx = _ctx(click_ctx, store)
    with open_store(ctx.settings.store, read_only=True) as st:
        items = list_imports(st)
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        click.echo(f"{item['name']}\t{item['vocabulary']}\t{item['triples']}\t{item['time']}\t"
                   f"{item['file']}")


@import_.command("remove")
@click.argument("name")
@store_option
@click.pass_context
def import_remove(click_ctx: click.Context, name: str, store: str | None) -> None:
    """Remove the import graph NAME (VOCAB/NAME if two vocabularies use the name); the rest of
    the store is left as it is."""
    from stdgraph.importers import remove_import

    ctx = _ctx(click_ctx, store)
    with open_store(ctx.settings.store) as st:
        n = remove_import(st, name)
    click.echo(f"removed the import {name!r} ({n} triples)")


@cli.group("suggest")
def suggest() -> None:
    """Suggestions from what standards say, stored apart and reviewed before they count
    (docs/suggestions.md). Needs the optional extra: pip install 'stdgraph[suggest]'."""


def _print_suggestions(items: list[dict[str, Any]], fmt: str, head: dict[str, Any]) -> None:
    if fmt == "json":
        click.echo(json.dumps({**head, "suggestions": items}, ensure_ascii=False, indent=2))
        return
    for x in items:
        ends = " ".join(filter(None, [x.get("subject_label") or x.get("subject"),
                                      x["predicate"].rsplit("#", 1)[-1] if x.get("predicate")
                                      else "", x.get("object_label") or x["object"]]))
        terms = ", ".join(x.get("terms") or [])
        click.echo(f"{x['score']:.3f}\t{ends}" + (f"\t[{terms}]" if terms else ""))


#: the text models by name (suggest.models.MODELS, kept here so that --help does not import
#: the suggestions: tests/cli check the two agree)
SUGGEST_MODELS = ("lexical", "semantic", "hybrid")
model_option = click.option(
    "--model", type=click.Choice(SUGGEST_MODELS), default=None,
    help="The text model (docs/suggestions.md, Models): lexical (TF-IDF, the default), "
         "semantic (all-MiniLM-L6-v2 embeddings: the extra 'semantic' and the model package) "
         "or hybrid (the two, half each).")


def _suggest_command(kind: str, help_text: str) -> click.Command:
    @click.option("--min-score", "min_score", type=float, default=0.3, show_default=True,
                  help="The least score (0-1) of a suggestion kept.")
    @click.option("--limit", type=int, default=None, help="At most this many (best first).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                  show_default=True, help="Output format.")
    @model_option
    @store_option
    @project_option
    @click.pass_context
    def command(click_ctx: click.Context, min_score: float, limit: int | None, fmt: str,
                model: str | None, store: str | None, project: str | None) -> None:
        # here, not at the top: scikit-learn and the reasoner cost every command's start
        from stdgraph.suggest import service

        ctx = _ctx(click_ctx, store, project)
        with open_store(ctx.settings.store) as st:
            result = service.run(st, kind, min_score=min_score, limit=limit,
                                 project=ctx.project(), model=model)
        items = result.pop("suggestions")
        _print_suggestions(items, fmt, result)
        if fmt != "json":
            click.echo(f"stored {result['stored']} suggestion(s) of kind {kind}", err=True)

    command.__doc__ = help_text
    return suggest.command(kind)(command)


_suggest_command("pairs", "Suggest near-duplicate and related pairs of standards "
                          "(sg:relatedTo) and store them in place of the last run's.")
_suggest_command("classify", "Suggest architecture elements for standards (sg:classifiedIn) "
                             "and store them in place of the last run's.")
_suggest_command("links", "Suggest barriers, themes and technologies for standards and store "
                          "them in place of the last run's.")


@suggest.command("profile")
@click.argument("text")
@click.option("--min-score", "min_score", type=float, default=0.0, show_default=True,
              help="The least score (0-1).")
@click.option("--limit", type=int, default=10, show_default=True, help="At most this many.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@model_option
@store_option
@click.pass_context
def suggest_profile(click_ctx: click.Context, text: str, min_score: float, limit: int,
                    fmt: str, model: str | None, store: str | None) -> None:
    """Standards for a free-text profile, best first (nothing is stored)."""
    from stdgraph.suggest import service

    ctx = _ctx(click_ctx, store)
    with open_store(ctx.settings.store, read_only=True) as st:
        items = service.profile(st, text, min_score, limit, model)
    _print_suggestions(items, fmt, {"text": text})


def _decision_command(action: str) -> None:
    @click.argument("record")
    @click.option("--reviewer", required=True, help="Who decides (a name).")
    @store_option
    @project_option
    @click.pass_context
    def command(click_ctx: click.Context, record: str, reviewer: str, store: str | None,
                project: str | None) -> None:
        from stdgraph.change.guard import store_change
        from stdgraph.suggest import service

        ctx = _ctx(click_ctx, store, project)
        with open_store(ctx.settings.store) as st, store_change(st, ctx.project()) as change:
            result = service.decide(change, action, record, reviewer)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))

    command.__doc__ = (f"{action.capitalize()} the stored suggestion RECORD (its IRI): "
                       + ("it becomes a reading with reviewer, time and provenance."
                          if action == "accept" else "it is never suggested again."))
    suggest.command(action)(command)


_decision_command("accept")
_decision_command("reject")


@cli.command("queries")
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.pass_context
def queries_command(click_ctx: click.Context, project: str | None, fmt: str) -> None:
    """List the named queries (queries/*.rq) with their parameters."""
    reg = Registry.for_project(_ctx(click_ctx, None, project).project())
    if fmt == "json":
        click.echo(json.dumps(reg.describe(), ensure_ascii=False, indent=2))
        return
    for q in reg:
        click.echo(f"{q.name}: {q.title}")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}" if p.default \
                else "optional"
            click.echo(f"    --param {p.name}=<{p.type}>  ({need}) {p.description}")


class AnalyseGroup(click.Group):
    """``stdgraph analyse NAME``: one command per analysis of the registry for the settings
    (the built-in analyses plus ``STDGRAPH_ANALYSIS_MODULES``), made when it is asked for."""

    def _registry(self, click_ctx: click.Context):
        from stdgraph.analysis import registry_for

        obj = click_ctx.find_object(Context)
        return registry_for(obj.settings if obj is not None else Settings.from_env())

    def list_commands(self, click_ctx: click.Context) -> list[str]:
        return self._registry(click_ctx).names()

    def get_command(self, click_ctx: click.Context, name: str) -> click.Command | None:
        spec = self._registry(click_ctx).find(name)
        return None if spec is None else _analysis_command(spec)


@cli.group("analyse", cls=AnalyseGroup)
def analyse() -> None:
    """Overlaps, gaps and conflicts (definitions: docs/analyses.md)."""


def _write_out(pieces) -> None:
    """Text pieces to stdout, about 64 KB at a time; a reader that stops early (``| head``)
    ends the command quietly."""
    out = sys.stdout
    buf: list[str] = []
    size = 0
    try:
        for piece in pieces:
            buf.append(piece)
            size += len(piece)
            if size >= 1 << 16:
                out.write("".join(buf))
                buf.clear()
                size = 0
        out.write("".join(buf))
        out.flush()
    except BrokenPipeError:
        # stdout is gone: point it at /dev/null so that the interpreter's last flush is quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _analysis_command(spec) -> click.Command:
    """``stdgraph analyse NAME``: one option per parameter of the analysis, the same names as
    the HTTP parameters (min_shared -> --min-shared); values are checked by the library."""
    from stdgraph.analysis import FORMATS

    def command(click_ctx: click.Context, fmt: str, store: str | None, **options) -> None:
        ctx = _ctx(click_ctx, store)
        raw = {}
        for p in spec.params:
            value = options.get(p.name)
            if value is None:
                continue
            raw[p.name] = ("true" if value else "false") if isinstance(value, bool) else value
        with open_store(ctx.settings.store, read_only=True) as st:
            # written as the items are made: --limit 0 holds no more than a batch of them
            _write_out(spec.render_stream(spec.stream(st, raw), fmt))

    command.__doc__ = f"{spec.title}.\n\n{spec.description} (Definitions: {spec.docs}.)"
    command = param_options(command, spec.params)
    command = store_option(command)
    command = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                           show_default=True, help="Output format.")(command)
    return click.command(spec.name, short_help=spec.title)(click.pass_context(command))


evidence_options = [
    click.option("--evidence", default=None, metavar="LEVEL",
                 help="Which links count: stated, stated+reading (default) or all."),
    click.option("--min-score", "min_score", default=None, metavar="SCORE",
                 help="With --evidence all: the least score of a counted suggestion "
                      "(default 0.5)."),
]


def with_evidence(command: Any) -> Any:
    """``--evidence`` and ``--min-score`` on a command (checked by the library)."""
    for option in reversed(evidence_options):
        command = option(command)
    return command


def _print_answer(doc: dict, name: str, columns: list, items: list[dict], fmt: str,
                  before: str = "") -> None:
    """A relevance or translator answer: its JSON, or a table of ``items`` with a line before
    it and the coverage footer."""
    # deferred: the analysis package is heavy and most commands never need it
    from stdgraph.analysis.common import AnalysisDocument, coverage_lines, to_table

    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    table_doc = AnalysisDocument(name, doc["parameters"], items, False)
    click.echo(before + to_table(table_doc, columns) + "\n"
               + coverage_lines(doc["parameters"], doc["coverage"]), nl=False)


@cli.command("relevance")
@click.option("--technology", multiple=True, metavar="IRI|SLUG", help="A technology (repeat).")
@click.option("--barrier", multiple=True, metavar="IRI|SLUG", help="A barrier (repeat).")
@click.option("--theme", multiple=True, metavar="IRI|SLUG", help="A theme (repeat).")
@click.option("--element", multiple=True, metavar="IRI|SLUG",
              help="An architecture element, e.g. rami40/layer-asset (repeat).")
@click.option("--stakeholder", multiple=True, metavar="IRI|SLUG",
              help="A stakeholder type (repeat).")
@click.option("--include-withdrawn", is_flag=True,
              help="Rank withdrawn and superseded standards too.")
@click.option("--limit", type=int, default=0, show_default=True, help="At most this many (0: all).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@store_option
@with_evidence
@click.pass_context
def relevance_command(click_ctx: click.Context, technology: tuple[str, ...],
                      barrier: tuple[str, ...], theme: tuple[str, ...],
                      element: tuple[str, ...],
                      stakeholder: tuple[str, ...], include_withdrawn: bool, limit: int,
                      fmt: str, store: str | None, evidence: str | None,
                      min_score: str | None) -> None:
    """Standards ranked by how much of a profile they match (as GET /relevance).

    The answer says, for each kind in the profile, how many standards have any such link at the
    evidence level (docs/analyses.md, "Evidence and coverage")."""
    # deferred: the analysis package is heavy and most commands never need it
    from stdgraph.analysis.evidence import Evidence
    from stdgraph.analysis.relevance import relevance

    ctx = _ctx(click_ctx, store)
    level = Evidence.parse({"evidence": evidence, "min_score": min_score})
    profile = {"technology": technology, "barrier": barrier, "theme": theme,
               "element": element, "stakeholder": stakeholder}
    with open_store(ctx.settings.store, read_only=True) as st:
        doc = relevance(st, profile, include_withdrawn=include_withdrawn,
                        base_iri=ctx.settings.base_iri, limit=limit, evidence=level)
    columns = [("score", lambda i: f"{i['score']}/{i['of']}"), ("standard", lambda i: i["label"]),
               ("status", lambda i: i["status_label"] or ""), ("reason", lambda i: i["reason"])]
    left = doc["left_out"]
    before = (f"Left out (withdrawn or superseded): {', '.join(i['label'] for i in left)}\n"
              if left else "")
    before += "".join(f"Matched by no standard: {u['label']}: {u['why']}\n"
                      for u in doc["unmatched"])
    _print_answer(doc, "relevance", columns, doc["items"], fmt, before)


@cli.command("translate")
@click.argument("element")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@store_option
@with_evidence
@click.pass_context
def translate_command(click_ctx: click.Context, element: str, fmt: str, store: str | None,
                      evidence: str | None, min_score: str | None) -> None:
    """The elements of other architectures mapped to ELEMENT (an IRI), as GET /translate.

    Only the mappings and classifications that count at the evidence level are used; the
    answer says how many standards are classified and how many architecture elements are
    mapped at that level (docs/analyses.md, "Evidence and coverage")."""
    # deferred: the analysis package is heavy and most commands never need it
    from stdgraph.analysis.evidence import Evidence
    from stdgraph.analysis.translator import translate

    ctx = _ctx(click_ctx, store)
    level = Evidence.parse({"evidence": evidence, "min_score": min_score})
    with open_store(ctx.settings.store, read_only=True) as st:
        doc = translate(st, element, level)
    columns = [("relation", lambda m: m["relation_label"]),
               ("mapped element", lambda m: m["element"]["label"]),
               ("architecture", lambda m: m["scheme"]["label"] if m["scheme"] else ""),
               ("evidence", lambda m: ", ".join(m["evidence"])),
               ("standards", lambda m: str(len(m["standards"])))]
    n = len(doc["standards"])
    before = (f"{doc['element']['label']}: {n} standard{'' if n == 1 else 's'} classified "
              "here\n")
    if doc["left_out"]:
        before += (f"{doc['left_out']} mapping record(s) of it not counted at evidence "
                   f"{doc['parameters']['evidence']}\n")
    _print_answer(doc, "translate", columns, doc["mappings"], fmt, before)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: turns library errors into one line and an exit code."""
    verbose = "--verbose" in (argv or sys.argv) or "-v" in (argv or sys.argv)
    try:
        cli.main(args=argv, prog_name="stdgraph", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("stdgraph: aborted", err=True)
        sys.exit(130)
    except StdgraphError as e:
        if verbose:
            traceback.print_exc()
        click.echo(f"stdgraph: error: {e.message}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("stdgraph: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # a bug: still one line unless --verbose
        if verbose:
            traceback.print_exc()
        click.echo(f"stdgraph: internal error: {type(e).__name__}: {e} "
                   "(run with --verbose for the traceback)", err=True)
        sys.exit(70)
