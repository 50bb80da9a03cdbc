"""The shape of tooling/guideline: imports point one way, and no module reaches into another's private names.

The import graph is read with :mod:`ast` (nothing is imported): every ``import`` and ``from … import`` statement,
at module level and inside functions, relative imports resolved; importing ``a.b.c`` from outside package ``a.b``
also depends on ``a/__init__`` and ``a/b/__init__``, which Python runs first. A string constant that is exactly a
module's name (``"guideline.commands.check"``) is an import by name through :mod:`importlib` and counts as an edge
too, so a registry cannot hide an upward import. Every module gets a layer from :data:`LAYERS`; the checks:

* no cycle (a strongly connected component of more than one module);
* no import of a higher layer (imports within a layer are fine as long as they make no cycle);
* no import of a guideline module inside a function (it hides an edge of the graph, often a cycle);
* no other import inside a function unless the module is in :data:`LAZY` (heavy and needed by few commands);
* no use of another module's ``_private`` name (``from x import _y``, ``x._y``, ``setattr(x, "_y", …)``,
  ``"guideline.x._y"``), in the package and in tests/ alike.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PACKAGE_DIR = REPO / "tooling" / "guideline"

# The layers, lowest first; a module may import its own layer and those below, never one above. A pattern is a module
# name relative to ``guideline`` ("" is the package itself) or ``pkg.*`` for every module of a subpackage.
LAYERS: list[tuple[str, tuple[str, ...], str]] = [
    ("core", ("", "model", "numbering", "numbering_articles", "vocabulary", "diagnostics", "fileio", "yamlio",
              "jsontext", "gcscope", "morph", "markup", "progress", "ooxml"),
     "the document model, its numbering and words, and the plumbing every layer shares (errors, atomic files, "
     "YAML, JSON, Markdown blocks, morphemes, Word XML tables)"),
    ("sources", ("sourceroot", "reader", "parse_cache", "editions", "nisc", "validate", "figures"),
     "guideline_src/ read into the model: files, the parse cache, edition names, the NISC catalog, validation"),
    ("features", ("render_html", "wordview", "xref", "writers.*", "diff.*", "comments.*", "local.*", "lint.*",
                  "importers.*", "apply.*", "bundle.*", "release", "serve"),
     "what is done with a model: outputs, diffs, comments, local policies, lint, imports, Word round trips, the "
     "release bundle and the preview server; they may use each other without cycles"),
    ("commands", ("commands.*",),
     "one click command per module: options, messages and exit codes around the features"),
    ("cli", ("cli", "__main__"),
     "the entry point; it names the commands' modules in cli.COMMANDS and imports one by name (importlib) only when "
     "it runs, so that `guideline check` does not load the PDF and Word libraries"),
]

# Modules imported inside functions on purpose: heavy, and needed only by the commands that write or read that format,
# so that `guideline check` and `guideline --help` start without them. Anything else is imported at module level.
LAZY: dict[str, str] = {
    "docx": "python-docx (and lxml under it): Word outputs and Word imports only",
    "lxml": "XML trees for Word, SVG and HTML imports only",
    "openpyxl": "XLSX comment sheets and the coverage workbook only",
    "typst": "the Typst compiler (a large native module): PDF outputs only",
    "pikepdf": "qpdf bindings: rewriting a finished PDF only",
    "cairosvg": "SVG figures rasterised for Word only",
    "fugashi": "the MeCab tagger and its dictionary (tens of MB): inline diff, lint and romanised IDs only",
    "markdown_it": "the Markdown parser: a run served entirely by the parse cache never needs it",
    "mdit_py_plugins": "markdown-it plugins: as markdown_it",
    "jinja2": "templates: HTML outputs only, not `check`",
    "ctypes": "libc's renameat2, only when a finished output directory is swapped into place",
    "importlib.metadata": "package metadata (it loads the email parser): only for the key of the morpheme cache",
}

@dataclass(frozen=True)
class Edge:
    source: str  # importing module, dotted
    target: str  # imported module, dotted
    path: str  # file of the import, relative to the repository
    line: int
    lazy: bool  # inside a function
    by_name: bool = False  # a string naming the module (importlib)
    implicit: bool = False  # an enclosing package of the module named


@dataclass
class Graph:
    package: str
    modules: dict[str, Path]  # dotted name -> file
    edges: list[Edge] = field(default_factory=list)
    # other imports inside functions: (importer, module, the names it imports from it, path, line)
    external_lazy: list[tuple[str, str, tuple[str, ...], str, int]] = field(default_factory=list)
    private_uses: list[tuple[str, str, str, str, int]] = field(default_factory=list)  # (user, owner, name, path, line)


def module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


class _Scanner(ast.NodeVisitor):
    """Imports and private-name uses of one file; ``module`` is None for a file outside the package (a test)."""

    def __init__(self, graph: Graph, module: str | None, is_package: bool, path: str):
        self.graph, self.module, self.is_package, self.path = graph, module, is_package, path
        self.depth = 0  # function nesting
        self.aliases: dict[str, str] = {}  # local name -> guideline module it is bound to

    # imports -------------------------------------------------------------------------------------------------------
    def _resolve(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = (self.module or "").split(".")
        if not self.is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def _inside(self, target: str) -> bool:
        return self.module is not None and (self.module == target or self.module.startswith(target + "."))

    def _depend(self, target: str, line: int, by_name: bool = False) -> None:
        """An edge to ``target`` and to each enclosing package the importer is not itself inside."""
        if self.module is None:
            return
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name not in self.graph.modules or name == self.module:
                continue
            if i < len(parts) and self._inside(name):
                continue  # a package this module belongs to has been imported before the module itself
            self.graph.edges.append(Edge(self.module, name, self.path, line, self.depth > 0 and not by_name,
                                         by_name, implicit=i < len(parts)))

    def _external_lazy(self, name: str, line: int, names: tuple[str, ...] = ()) -> None:
        if self.module is not None and self.depth and name != "__future__":
            self.graph.external_lazy.append((self.module, name, names, self.path, line))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == self.graph.package:
                self._depend(alias.name, node.lineno)
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
            else:
                self._external_lazy(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = self._resolve(node)
        if source.split(".")[0] != self.graph.package:
            self._external_lazy(source, node.lineno, tuple(a.name for a in node.names))
            return
        plain = []
        for alias in node.names:
            sub = f"{source}.{alias.name}"
            if sub in self.graph.modules:
                self._depend(sub, node.lineno)
                self.aliases[alias.asname or alias.name] = sub
            else:
                plain.append(alias.name)
                if _is_private(alias.name) and source != self.module:
                    self._private(source, alias.name, node.lineno)
        if plain or not node.names:
            self._depend(source, node.lineno)

    # private names -------------------------------------------------------------------------------------------------
    def _private(self, owner: str, name: str, line: int) -> None:
        self.graph.private_uses.append((self.module or self.path, owner, name, self.path, line))

    def _dotted(self, node: ast.AST) -> str | None:
        """The guideline module an expression names: an alias, or ``guideline.x.y`` spelled out."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            return node.id if node.id == self.graph.package else None
        if isinstance(node, ast.Attribute):
            base = self._dotted(node.value)
            if base is not None and f"{base}.{node.attr}" in self.graph.modules:
                return f"{base}.{node.attr}"
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        owner = self._dotted(node.value)
        if owner is not None and _is_private(node.attr) and owner != self.module:
            self._private(owner, node.attr, node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        # setattr(module, "_x", …), getattr(module, "_x"), monkeypatch.setattr(module, "_x", …)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in ("setattr", "getattr", "delattr", "hasattr") and len(node.args) >= 2:
            owner, attr = self._dotted(node.args[0]), node.args[1]
            if (owner is not None and owner != self.module and isinstance(attr, ast.Constant)
                    and isinstance(attr.value, str) and _is_private(attr.value)):
                self._private(owner, attr.value, node.lineno)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if not isinstance(value, str) or not value.startswith(self.graph.package + "."):
            return
        if value in self.graph.modules:
            self._depend(value, node.lineno, by_name=True)
            return
        owner, _, attr = value.rpartition(".")
        if owner in self.graph.modules and _is_private(attr) and owner != self.module:
            self._private(owner, attr, node.lineno)

    # scopes --------------------------------------------------------------------------------------------------------
    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function


def build_graph(root: Path, package: str, extra: list[Path] = (), base: Path | None = None) -> Graph:
    """The import graph of the package at ``root`` (named ``package``); ``extra`` files (tests) are scanned for
    private-name uses only. Paths in the results are relative to ``base`` (default: the parent of ``root``)."""
    base = base or root.parent
    graph = Graph(package, {module_name(p, root, package): p for p in sorted(root.rglob("*.py"))})
    files = [(name, p) for name, p in graph.modules.items()] + [(None, p) for p in extra]
    for name, path in files:
        scanner = _Scanner(graph, name, path.name == "__init__.py", path.relative_to(base).as_posix())
        scanner.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return graph


def layer_of(module: str, package: str, layers=None) -> int | None:
    layers = LAYERS if layers is None else layers
    rel = module[len(package) + 1:] if module != package else ""
    for index, (_, patterns, _) in enumerate(layers):
        for pattern in patterns:
            if pattern.endswith(".*"):
                stem = pattern[:-2]
                if rel == stem or rel.startswith(stem + "."):
                    return index
            elif rel == pattern:
                return index
    return None


def strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one node, each sorted (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def problems(graph: Graph, layers=None, lazy=None) -> list[str]:
    """Every violation as ``path:line: message``; an empty list when the package keeps its shape."""
    layers = LAYERS if layers is None else layers
    lazy = LAZY if lazy is None else lazy
    out: list[str] = []
    names = [layer[0] for layer in layers]
    level = {m: layer_of(m, graph.package, layers) for m in graph.modules}
    for module, path in graph.modules.items():
        if level[module] is None:
            out.append(f"{path.name}: module {module} has no layer; add it to LAYERS in tests/test_architecture.py")
    for e in graph.edges:
        if e.implicit:
            continue  # reported through the module named
        a, b = level[e.source], level[e.target]
        if a is not None and b is not None and b > a:
            out.append(f"{e.path}:{e.line}: {e.source} ({names[a]}) imports {e.target} ({names[b]}), a higher layer")
        if e.lazy:
            out.append(f"{e.path}:{e.line}: {e.source} imports {e.target} inside a function; import it at module "
                       "level (or move the code so that the import points down the layers)")

    def listed(name: str) -> bool:
        return any(name == key or name.startswith(key + ".") for key in lazy)

    for user, name, names, path, line in sorted(set(graph.external_lazy)):
        if listed(name) or (names and all(listed(f"{name}.{n}") for n in names)):
            continue
        out.append(f"{path}:{line}: import of {name} inside a function; import it at module level, or add it to "
                   "LAZY in tests/test_architecture.py with the reason it is heavy")
    adjacency: dict[str, set[str]] = {}
    for e in graph.edges:
        adjacency.setdefault(e.source, set()).add(e.target)
    for component in strongly_connected(sorted(graph.modules), adjacency):
        members = set(component)
        where = sorted({f"{e.path}:{e.line}: {e.source} -> {e.target}" for e in graph.edges
                        if e.source in members and e.target in members})
        out.append(f"import cycle among {', '.join(component)}:\n    " + "\n    ".join(where))
    for user, owner, name, path, line in sorted(set(graph.private_uses), key=lambda u: (u[3], u[4], u[1], u[2])):
        out.append(f"{path}:{line}: uses {owner}.{name}, a private name of another module; make it public (with a "
                   "docstring) or test through the public functions")
    return out


# the package ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph() -> Graph:
    tests = sorted(p for p in HERE.rglob("*.py") if "fixtures" not in p.relative_to(HERE).parts)
    return build_graph(PACKAGE_DIR, "guideline", extra=tests, base=REPO)


def test_imports_point_one_way(graph: Graph) -> None:
    found = problems(graph)
    assert not found, f"{len(found)} problems with the package's shape:\n" + "\n".join(found)


def test_every_layer_pattern_names_a_module(graph: Graph) -> None:
    """A layer entry left behind by a move or a rename would silently assign nothing."""
    rel = {m[len("guideline") + 1:] if m != "guideline" else "" for m in graph.modules}
    stale = [p for _, patterns, _ in LAYERS for p in patterns
             if not (p in rel or (p.endswith(".*") and any(r == p[:-2] or r.startswith(p[:-1]) for r in rel)))]
    assert not stale


# the checker itself -----------------------------------------------------------------------------------------------
SYNTHETIC_LAYERS = [("low", ("", "base", "util.*"), ""), ("high", ("top",), "")]


def _package(tmp_path: Path, files: dict[str, str]) -> Graph:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return build_graph(root, "pkg")


def _check(graph: Graph) -> list[str]:
    return problems(graph, layers=SYNTHETIC_LAYERS, lazy={"heavy": "a test"})


def test_checker_accepts_a_clean_package(tmp_path: Path) -> None:
    g = _package(tmp_path, {"base.py": "import json\n", "util/__init__.py": "from pkg.util.x import f\n",
                            "util/x.py": "from pkg import base\n\ndef f():\n    import heavy\n",
                            "top.py": "from pkg.util import x\nNAME = 'pkg.base'\n"})
    assert _check(g) == []
    assert {(e.source, e.target) for e in g.edges} >= {("pkg.top", "pkg.util"), ("pkg.top", "pkg.util.x"),
                                                      ("pkg.top", "pkg.base"), ("pkg.util.x", "pkg.base")}
    # a sibling inside util does not depend on util/__init__ (Python runs it before the sibling)
    assert ("pkg.util.x", "pkg.util") not in {(e.source, e.target) for e in g.edges}


def test_checker_finds_a_cycle_held_open_inside_a_function(tmp_path: Path) -> None:
    g = _package(tmp_path, {"base.py": "from . import top\n",
                            "top.py": "def f():\n    from .base import thing\n"})
    found = _check(g)
    assert any(p.startswith("pkg/base.py:1: pkg.base (low) imports pkg.top (high), a higher layer") for p in found)
    assert any(p.startswith("pkg/top.py:2: pkg.top imports pkg.base inside a function") for p in found)
    cycle = [p for p in found if p.startswith("import cycle among pkg.base, pkg.top")]
    assert cycle and "pkg/base.py:1: pkg.base -> pkg.top" in cycle[0]
    assert "pkg/top.py:2: pkg.top -> pkg.base" in cycle[0]


def test_checker_finds_an_upward_import_by_name(tmp_path: Path) -> None:
    g = _package(tmp_path, {"base.py": "import importlib\nM = importlib.import_module('pkg.top')\n", "top.py": ""})
    assert _check(g) == ["pkg/base.py:2: pkg.base (low) imports pkg.top (high), a higher layer"]


def test_checker_finds_private_names_and_lazy_imports(tmp_path: Path) -> None:
    g = _package(tmp_path, {"base.py": "def _hidden():\n    pass\n",
                            "util/__init__.py": "", "util/y.py": "import pkg.base\nX = pkg.base._hidden\n",
                            "top.py": "from pkg import base as b\nfrom pkg.base import _hidden\n"
                                      "b._hidden()\nsetattr(b, '_hidden', None)\nS = 'pkg.base._hidden'\n"
                                      "def f():\n    import sqlite3\n"})
    found = _check(g)
    private = [p for p in found if "private name" in p]
    assert sorted(p.split(": uses")[0] for p in private) == ["pkg/top.py:2", "pkg/top.py:3", "pkg/top.py:4",
                                                             "pkg/top.py:5", "pkg/util/y.py:2"]
    assert any(p.startswith("pkg/top.py:7: import of sqlite3 inside a function") for p in found)


def test_checker_reports_a_module_without_layer(tmp_path: Path) -> None:
    g = _package(tmp_path, {"base.py": "", "stray.py": ""})
    assert _check(g) == ["stray.py: module pkg.stray has no layer; add it to LAYERS in tests/test_architecture.py"]


def test_readme_design_table_names_the_layers_of_this_test():
    """README.md's Design table of layers is the table above, so the documented shape cannot drift from the enforced
    one: each row's layer and its modules (``writers/`` for ``writers.*``, the package itself left out)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| ") else []
        if len(cells) == 3 and cells[0] in {name for name, _, _ in LAYERS}:
            rows[cells[0]] = {m.strip().strip("`").replace("/*", ".*").replace("/", ".*") for m in cells[1].split(",")}
    expected = {name: {p for p in patterns if p not in ("", "__main__")} for name, patterns, _ in LAYERS}
    assert rows == expected
