"""The import structure of ``stdgraph``, checked: the layout is the map of the system.

Every module under ``src/stdgraph`` is read with ``ast`` (nothing is imported), and every
``import`` of another stdgraph module is collected — at module level and inside functions alike,
since an import inside a function is still a dependency (and is how a cycle usually hides).
From them:

- **no cycles**: a cycle means neither module can be understood, tested or moved without the
  other; the failure names the modules and the lines of the imports that close it;
- **the layers** (``CONTRACTS`` below): what each part of the system may not import;
- **no private names across modules**: ``from stdgraph.x import _name`` or ``x._name`` on an
  imported stdgraph module; what another module needs is public, or it belongs elsewhere.

Edges: ``import a.b.c`` and ``from a.b.c import n`` depend on ``a.b.c`` (on ``a.b.c.n`` when that
is a module), and, since Python runs every parent package's ``__init__`` first, on ``a`` and
``a.b`` too — except the importing module's own parent packages, which are always initialised
(or being initialised) before it runs, so they are no edge of its. Imports under
``if TYPE_CHECKING:`` count like any other: a cycle only the type checker sees is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "stdgraph"

# -- the contracts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contract:
    """The modules of ``layer`` — but those of ``outside`` and the single modules ``exempt`` —
    never import anything in ``forbidden``; with ``indirect``, not through other modules either.
    Every name stands for a package or module with everything under it, but in ``exempt``."""

    rule: str
    layer: tuple[str, ...]
    forbidden: tuple[str, ...]
    outside: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()
    indirect: bool = True

    def governs(self, module: str) -> bool:
        return (within(module, self.layer) and not within(module, self.outside)
                and module not in self.exempt)


FRONT_ENDS = ("stdgraph.api", "stdgraph.web", "stdgraph.cli", "stdgraph.__main__")

#: The layers, top to bottom: the front ends (cli, api, web) over the library; in the library,
#: suggest/ over change/ (its writes); change/ analysis/ importers/ over validation/ reasoning/
#: store/, over rdf/ and sparql/.
CONTRACTS = (
    Contract("the library never imports the front ends (CLI, HTTP API, web pages)",
             layer=("stdgraph",), outside=FRONT_ENDS,
             forbidden=("stdgraph.api", "stdgraph.web", "stdgraph.cli")),
    Contract("the store knows nothing of what is built on it",
             layer=("stdgraph.store",),
             forbidden=("stdgraph.analysis", "stdgraph.api", "stdgraph.web", "stdgraph.change",
                        "stdgraph.importers", "stdgraph.suggest")),
    Contract("rdf/ and sparql/ are the bottom layer: terms, files, formats, query text",
             layer=("stdgraph.rdf", "stdgraph.sparql"),
             forbidden=("stdgraph.store", "stdgraph.reasoning", "stdgraph.validation",
                        "stdgraph.change", "stdgraph.analysis", "stdgraph.importers",
                        "stdgraph.suggest", "stdgraph.api", "stdgraph.web", "stdgraph.cli")),
    Contract("the suggestions are a stage over the store: they read by queries and write "
             "through the change protocol, and know nothing of the analyses, the importers, "
             "the catalog or the front ends",
             layer=("stdgraph.suggest",),
             forbidden=("stdgraph.analysis", "stdgraph.importers", "stdgraph.catalog",
                        "stdgraph.api", "stdgraph.web", "stdgraph.cli")),
    Contract("nothing under the suggestions depends on them: the analyses, importers, catalog "
             "and change protocol never import stdgraph.suggest",
             layer=("stdgraph.analysis", "stdgraph.importers", "stdgraph.catalog",
                    "stdgraph.change", "stdgraph.validation", "stdgraph.reasoning"),
             forbidden=("stdgraph.suggest",)),
    Contract("the pages use the API's context and errors; the API imports the pages only to "
             "mount them (api/app.py, api/routes/__init__.py)",
             layer=("stdgraph.api",), exempt=("stdgraph.api.app", "stdgraph.api.routes"),
             forbidden=("stdgraph.web",), indirect=False),
)


def within(module: str, packages: Iterable[str]) -> bool:
    """``module`` is one of ``packages`` or inside one of them."""
    return any(module == p or module.startswith(p + ".") for p in packages)


# -- reading the source ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a stdgraph module
    line: int
    lazy: bool  # inside a function or class body
    names: tuple[str, ...] = ()  # ``from target import names``
    alias: str | None = None  # the name ``import``/``from ... import module`` binds


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the ``stdgraph`` package: dotted name -> file."""
    out = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_in(module: str, tree: ast.AST, known: Mapping[str, Path]) -> list[Import]:
    """The imports of stdgraph modules in one module's syntax tree."""
    is_package = known[module].name == "__init__.py"
    out: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                       | ast.Lambda | ast.ClassDef)
            if isinstance(child, ast.Import):
                for a in child.names:
                    if within(a.name, (ROOT,)):
                        out.append(Import(module, a.name, child.lineno, lazy,
                                          alias=a.asname or a.name.split(".")[0]))
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(child, module, is_package)
                if not within(base, (ROOT,)):
                    continue
                plain = []
                for a in child.names:
                    sub = f"{base}.{a.name}"
                    if sub in known:  # ``from package import module``
                        out.append(Import(module, sub, child.lineno, lazy,
                                          alias=a.asname or a.name))
                    else:
                        plain.append(a.name)
                if plain or not child.names:
                    out.append(Import(module, base, child.lineno, lazy, tuple(plain)))
            visit(child, inner)

    visit(tree, False)
    return out


def all_imports(src: Path = SRC) -> tuple[dict[str, Path], dict[str, ast.AST], list[Import]]:
    known = modules(src)
    trees = {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in known.items()}
    found = [i for m, tree in trees.items() for i in imports_in(m, tree, known)]
    return known, trees, found


def parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def import_graph(found: Iterable[Import], known: Mapping[str, Path]
                 ) -> dict[str, dict[str, Import]]:
    """importer -> {module it makes Python run -> the import that does}."""
    graph: dict[str, dict[str, Import]] = {m: {} for m in known}
    for imp in found:
        own = set(parents(imp.importer)) | {imp.importer}
        for dep in [*parents(imp.target), imp.target]:
            if dep in known and dep not in own:
                graph[imp.importer].setdefault(dep, imp)
    return graph


# -- cycles ----------------------------------------------------------------------------------------
def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one (Tarjan), each as the list of
    its nodes in import order, starting from the smallest name."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            components.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    cycles = []
    for component in components:
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in set(graph.get(start, ())):
            continue
        cycles.append(_path(graph, start, start, members))
    return sorted(cycles)


def _path(graph: Mapping[str, Iterable[str]], start: str, goal: str, within_: set[str]
          ) -> list[str]:
    """A shortest path start -> ... -> goal (goal not repeated) inside ``within_``."""
    previous: dict[str, str] = {}
    todo = [start]
    while todo:
        nxt = []
        for v in todo:
            for w in sorted(graph.get(v, ())):
                if w not in within_ or w in previous:
                    continue
                previous[w] = v
                if w == goal:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                nxt.append(w)
        todo = nxt
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def describe_cycle(cycle: list[str], graph: Mapping[str, Mapping[str, Import]]) -> str:
    steps = []
    for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        imp = graph[a][b]
        how = f"line {imp.line}" + (", inside a function" if imp.lazy else "")
        via = "" if imp.target == b else f" (runs {b} to import {imp.target})"
        steps.append(f"  {a} imports {b} ({how}){via}")
    return "\n".join(steps)


# -- the tests -------------------------------------------------------------------------------------
@dataclass(repr=False)
class Source:
    known: dict[str, Path]
    trees: dict[str, ast.AST]
    found: list[Import]
    graph: dict[str, dict[str, Import]]

    def __repr__(self) -> str:  # what pytest prints for the fixture
        return f"<src/stdgraph: {len(self.known)} modules, {len(self.found)} imports>"


@pytest.fixture(scope="module")
def source() -> Source:
    known, trees, found = all_imports()
    return Source(known, trees, found, import_graph(found, known))


def test_the_source_is_read(source: Source):
    """The walk sees the package (a wrong path would make every other test pass vacuously)."""
    assert {"stdgraph", "stdgraph.cli", "stdgraph.store.base", "stdgraph.api.app"} <= set(
        source.known)
    assert len(source.found) > 100


def test_no_import_cycles(source: Source):
    graph = source.graph
    cycles = find_cycles({m: set(deps) for m, deps in graph.items()})
    if cycles:
        pytest.fail("import cycles in stdgraph:\n" + "\n\n".join(
            describe_cycle(c, graph) for c in cycles), pytrace=False)


def reach(graph: Mapping[str, Mapping[str, Import]], start: str,
          stop: Iterable[str] = ()) -> dict[str, str]:
    """Every module ``start`` makes Python run, directly or not -> the module that imports it
    (breadth first: the shortest chains). Modules within ``stop`` are reached but not followed."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        nxt = []
        for v in todo:
            for w in sorted(graph[v]):
                if w not in seen and w != start:
                    seen[w] = v
                    if not within(w, stop):
                        nxt.append(w)
        todo = nxt
    return seen


def violations(contract: Contract, graph: Mapping[str, Mapping[str, Import]]) -> list[str]:
    """Each import chain from the contract's layer to a forbidden module, as text. A chain
    through another module of the layer is that module's violation and is reported there; a
    forbidden package is not named next to its forbidden module imported by the same line."""
    governed = [m for m in graph if contract.governs(m)]
    out = []
    for module in sorted(governed):
        if contract.indirect:
            found = reach(graph, module, stop=(*contract.forbidden, *governed))
        else:
            found = dict.fromkeys(graph[module], module)
        bad = {t for t in found if within(t, contract.forbidden)}
        for target in sorted(bad):
            if any(t.startswith(target + ".") and found[t] == found[target] for t in bad):
                continue  # the package's __init__, run to import the module ``t``
            chain = [target]
            while chain[-1] != module:
                chain.append(found[chain[-1]])
            chain.reverse()
            links = [f"{a} (line {graph[a][b].line})"
                     for a, b in zip(chain, chain[1:], strict=False)]
            out.append(" -> ".join([*links, target]))
    return out


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.rule)
def test_layers(source: Source, contract: Contract):
    broken = violations(contract, source.graph)
    if broken:
        pytest.fail(f"{contract.rule}; broken by:\n  " + "\n  ".join(broken), pytrace=False)


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def definitions(tree: ast.AST) -> set[str]:
    """Every name a module defines or binds: functions, classes, variables, attributes it
    assigns (``self._x = ...``), parameters, import aliases."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.alias):
            out.add(node.asname or node.name.split(".")[0])
    return out


def private_uses(module: str, trees: Mapping[str, ast.AST], found: Iterable[Import],
                 defined: Mapping[str, set[str]] | None = None) -> list[str]:
    """Private names of other stdgraph modules used in ``module``:

    - ``from stdgraph.x import _name``;
    - ``x._name`` where ``x`` is a stdgraph module this module imported;
    - ``anything._name`` where ``_name`` is defined by another stdgraph module and nowhere in
      this one: another module's private attribute (``store._ds``), reached through an object.

    Dunder names (``__version__``) are public. ``defined``: ``definitions`` of every module, if
    already known."""
    tree = trees[module]
    defined = defined or {m: definitions(t) for m, t in trees.items()}
    elsewhere = {n for m, names in defined.items() if m != module
                 for n in names if private(n)} - defined[module]
    out = []
    aliases: dict[str, str] = {}
    for imp in found:
        if imp.importer != module:
            continue
        out += [f"line {imp.line}: from {imp.target} import {n}" for n in imp.names if private(n)]
        if imp.alias:
            aliases[imp.alias] = imp.target
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and private(node.attr)):
            continue
        dotted = _dotted(node.value)
        head = dotted.split(".")[0] if dotted else None
        if (head in aliases and aliases[head] != module) or node.attr in elsewhere:
            out.append(f"line {node.lineno}: {ast.unparse(node)}")
    return out


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def test_no_private_names_across_modules(source: Source):
    defined = {m: definitions(t) for m, t in source.trees.items()}
    broken = {m: uses for m in source.trees
              if (uses := private_uses(m, source.trees, source.found, defined))}
    if broken:
        pytest.fail("private names of other stdgraph modules used:\n" + "\n".join(
            f"  {m}: {u}" for m, uses in sorted(broken.items()) for u in uses), pytrace=False)


# -- the checks check ------------------------------------------------------------------------------
def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}, "f": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"], ["e"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) == []


def test_checks_catch_a_cycle_a_layer_breach_and_a_private_name(tmp_path: Path):
    """A tiny package written to disk goes through the same reading as the real one."""
    pkg = tmp_path / ROOT
    (pkg / "store").mkdir(parents=True)
    (pkg / "rdf").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "store" / "__init__.py").write_text("from stdgraph.store.base import Store\n")
    (pkg / "store" / "base.py").write_text(
        "from stdgraph.rdf import io\n\nclass Store:\n    def __init__(self):\n"
        "        self._ds = None\n\n\ndef f():\n    return io._scope\n")
    (pkg / "rdf" / "__init__.py").write_text("")
    (pkg / "rdf" / "io.py").write_text(
        "def _scope():\n    pass\n\n\ndef g():\n    from stdgraph.store import Store\n")
    (pkg / "sparql").mkdir()
    (pkg / "sparql" / "__init__.py").write_text("")
    (pkg / "sparql" / "named.py").write_text(
        "import stdgraph.errors\n\n\ndef h(store):\n    return store._ds\n")
    (pkg / "errors.py").write_text("def e():\n    from stdgraph.store import base\n")
    known, trees, found = all_imports(tmp_path)
    graph = import_graph(found, known)
    cycles = find_cycles({m: set(d) for m, d in graph.items()})
    assert cycles == [["stdgraph.rdf.io", "stdgraph.store", "stdgraph.store.base"]]
    assert "inside a function" in describe_cycle(cycles[0], graph)
    rdf_layer = next(c for c in CONTRACTS if "stdgraph.rdf" in c.layer)
    assert violations(rdf_layer, graph) == [
        "stdgraph.rdf.io (line 6) -> stdgraph.store",
        "stdgraph.sparql.named (line 1) -> stdgraph.errors (line 2) -> stdgraph.store.base"]
    assert private_uses("stdgraph.store.base", trees, found) == ["line 9: io._scope"]
    assert private_uses("stdgraph.sparql.named", trees, found) == ["line 5: store._ds"]
    # a module's own parent packages are no edge of its: no cycle store -> store.base -> store
    assert "stdgraph.store" not in graph["stdgraph.store.base"]
    # ``from package import module`` depends on the module, and on the package that runs first
    assert {"stdgraph.store", "stdgraph.store.base"} <= set(graph["stdgraph.errors"])
