"""The import rules of docs/architecture.md, checked over the real import graph.

The graph is grimp's (the engine behind import-linter): every ``import`` statement in the product
packages, including those inside functions, so a lazy import is still an import. Each rule computes
its violations as plain strings ("importer -> imported") and compares them with ``RATCHET``:

* a violation not in the ratchet fails at once;
* a ratchet entry that no longer happens fails too ("fixed: remove it from the ratchet"), so a fix
  is never forgotten and the rule tightens the moment it lands;
* while ratchet entries still happen, the test is reported as an expected failure with its reason.

The ratchet is temporary: it lists what was wrong when the rules went in and is being fixed. It is
to be emptied, not added to.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("brokerage", "workers", "matching")

# Frameworks and stores that belong to the app, not to a pure library.
APP_FRAMEWORKS = frozenset(
    {
        "alembic",
        "dramatiq",
        "fastapi",
        "jinja2",
        "psycopg",
        "pydantic",
        "pydantic_settings",
        "redis",
        "sqlalchemy",
        "starlette",
        "uvicorn",
    }
)
# matching/ may use the standard library and these, nothing else (docs/architecture.md).
MATCHING_MAY_IMPORT = frozenset({"numpy", "sklearn", "rapidfuzz"})
# The pure part of brokerage.geo, named module by module: the database part (the postcode lookup
# over exact rows, the ONSPD loader) lives beside it and is not in this list.
GEO_PURE = frozenset({"brokerage.geo", "brokerage.geo.postcodes", "brokerage.geo.directory", "brokerage.geo.onspd"})
# The only module that may import the server-rendered pages.
WEB = "brokerage.web"
WEB_MAY_BE_IMPORTED_BY = frozenset({"brokerage.app"})

# Temporary: what broke each rule when the rules went in. TO BE EMPTIED; never add to it.
RATCHET: dict[str, tuple[str, frozenset[str]]] = {}


def check(rule: str, violations: Iterable[str]) -> None:
    assert rule in RULES, f"{rule} is not a rule of {Path(__file__).name}"
    found = set(violations)
    reason, known = RATCHET.get(rule, ("", frozenset()))
    new = sorted(found - known)
    fixed = sorted(known - found)
    assert not new, f"{rule} is broken by:\n  " + "\n  ".join(new)
    assert not fixed, f"{rule}: these are fixed, remove them from RATCHET in {Path(__file__).name}:\n  " + "\n  ".join(fixed)
    if found:
        pytest.xfail(f"{rule} (ratchet, being fixed): {reason}")


@cache
def graph(*, external: bool = False, type_checking: bool = True) -> grimp.ImportGraph:
    return grimp.build_graph(
        *PRODUCT_PACKAGES,
        include_external_packages=external,
        exclude_type_checking_imports=not type_checking,
        cache_dir=None,
    )


def imports(g: grimp.ImportGraph, module: str) -> set[str]:
    return set(g.find_modules_directly_imported_by(module))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _rules_checked() -> set[str]:
    """The rule names this file passes to ``check``, read from its own source."""
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "check"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


RULES = frozenset(_rules_checked())


def test_the_ratchet_names_only_rules_that_are_checked() -> None:
    # An entry under a rule that was renamed or removed would never be compared with anything.
    assert {"no_cycles", "brokerage_never_imports_workers", "web_only_imported_by_app"} <= RULES
    stale = sorted(set(RATCHET) - RULES)
    assert not stale, f"RATCHET has entries for rules that are not checked: {stale}"
    empty = sorted(rule for rule, (_, known) in RATCHET.items() if not known)
    assert not empty, f"RATCHET has rules with nothing left in them, remove them: {empty}"


def test_the_graph_sees_the_product() -> None:
    g = graph()
    for module in ("brokerage.app", "brokerage.db", "workers.relay", "matching.index", "brokerage.geo.postcodes"):
        assert module in g.modules
    assert "matching.types" in imports(g, "matching.index")
    # An import inside a function body is an import too.
    assert "brokerage.seed.generate" in imports(g, "brokerage.cli")


def strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> Iterator[list[str]]:
    """Tarjan's algorithm, iterative: yields each group of modules that import one another in a ring."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
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
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                yield sorted(group)


def test_strongly_connected_finds_rings() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    groups = sorted(strongly_connected("abcde", edges))
    assert groups == [["a", "b", "c"], ["d"], ["e"]]


def test_no_import_cycles_among_product_modules() -> None:
    # Imports made only for type checking are left out: they never run, and SQLAlchemy models that
    # name each other in annotations are the usual case.
    g = graph(type_checking=False)
    edges = {m: imports(g, m) for m in g.modules}
    violations = ["cycle: " + ", ".join(group) for group in strongly_connected(g.modules, edges) if len(group) > 1]
    violations += [f"cycle: {m} imports itself" for m in g.modules if m in edges[m]]
    check("no_cycles", violations)


def test_matching_imports_nothing_of_the_app() -> None:
    g = graph(external=True)
    violations = []
    for module in sorted(m for m in g.modules if within(m, "matching")):
        for imported in imports(g, module):
            if within(imported, "matching") or is_stdlib(imported) or imported in MATCHING_MAY_IMPORT:
                continue
            violations.append(f"{module} -> {imported}")
    check("matching_is_pure", violations)


def test_the_pure_part_of_geo_imports_nothing_of_the_app() -> None:
    g = graph(external=True)
    assert GEO_PURE <= set(g.modules), sorted(GEO_PURE - set(g.modules))
    violations = []
    for module in sorted(GEO_PURE):
        for imported in imports(g, module):
            first_party = imported.split(".")[0] in PRODUCT_PACKAGES
            if imported in GEO_PURE or is_stdlib(imported) or not (first_party or imported in APP_FRAMEWORKS):
                continue
            violations.append(f"{module} -> {imported}")
    check("geo_pure_part_is_pure", violations)


def test_brokerage_never_imports_workers() -> None:
    g = graph()
    violations = [
        f"{module} -> {imported}"
        for module in sorted(m for m in g.modules if within(m, "brokerage"))
        for imported in sorted(imports(g, module))
        if within(imported, "workers")
    ]
    check("brokerage_never_imports_workers", violations)


def test_web_is_imported_by_nothing_but_the_app() -> None:
    g = graph()
    violations = [
        f"{module} -> {imported}"
        for module in sorted(g.modules)
        if not within(module, WEB) and module not in WEB_MAY_BE_IMPORTED_BY
        for imported in sorted(imports(g, module))
        if within(imported, WEB)
    ]
    check("web_only_imported_by_app", violations)


# --- no dynamic imports or import guards -------------------------------------------------------------


def product_files() -> list[Path]:
    return sorted(p for package in PRODUCT_PACKAGES for p in (ROOT / package).rglob("*.py"))


def _names(handler_type: ast.expr | None) -> set[str]:
    if handler_type is None:
        return set()
    nodes = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    return {n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else "" for n in nodes}


def _imports_first_party(body: list[ast.stmt]) -> bool:
    for node in (n for stmt in body for n in ast.walk(stmt)):
        if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").split(".")[0] in PRODUCT_PACKAGES):
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in PRODUCT_PACKAGES for a in node.names):
            return True
    return False


def dynamic_imports(source: str) -> set[str]:
    """What hides an import from the static tools: importlib.import_module, __import__, and guards
    that swallow a missing module (``except ModuleNotFoundError``, or ``except ImportError`` around
    an import of our own code; an optional third-party extra may still be guarded by ImportError)."""
    found = set()
    imported_names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "importlib":
            imported_names |= {a.asname or a.name for a in node.names if a.name == "import_module"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "import_module":
                found.add("importlib.import_module")
            elif isinstance(func, ast.Name) and func.id in imported_names:
                found.add("importlib.import_module")
            elif isinstance(func, ast.Name) and func.id == "__import__":
                found.add("__import__")
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                names = _names(handler.type)
                if "ModuleNotFoundError" in names:
                    found.add("except ModuleNotFoundError")
                elif "ImportError" in names and _imports_first_party(node.body):
                    found.add("except ImportError")
    return found


def test_dynamic_imports_are_recognised() -> None:
    source = """
import importlib
from importlib import import_module as load
try:
    from brokerage import web
except ImportError:
    web = None
try:
    import pika
except ImportError:
    pika = None
try:
    x = 1
except (ValueError, ModuleNotFoundError):
    pass
importlib.import_module("a")
load("b")
__import__("c")
"""
    assert dynamic_imports(source) == {
        "importlib.import_module",
        "__import__",
        "except ImportError",
        "except ModuleNotFoundError",
    }
    assert dynamic_imports("from importlib import resources\nresources.files('brokerage')\n") == set()


def test_no_dynamic_imports_or_import_guards_in_product_code() -> None:
    files = product_files()
    assert len(files) > 100
    violations = [
        f"{path.relative_to(ROOT).as_posix()}: {kind}"
        for path in files
        for kind in sorted(dynamic_imports(path.read_text(encoding="utf-8")))
    ]
    check("no_dynamic_imports", violations)


# --- the suite's own rule: fixtures come from conftest.py by pytest's lookup, never by import ------------


def _fixture_names(conftest: Path) -> set[str]:
    names = set()
    for node in ast.parse(conftest.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr == "fixture":
                    names.add(node.name)
    return names


def test_no_fixture_is_imported_from_a_conftest() -> None:
    tests = ROOT / "tests"
    fixtures = {".".join(p.relative_to(ROOT).with_suffix("").parts): _fixture_names(p) for p in tests.rglob("conftest.py")}
    assert "tests.conftest" in fixtures and "db" in fixtures["tests.conftest"]
    violations = []
    for path in sorted(p for p in tests.rglob("*.py") if "node_modules" not in p.parts):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in fixtures and node.level == 0:
                for alias in node.names:
                    if alias.name in fixtures[node.module]:
                        violations.append(f"{path.relative_to(ROOT).as_posix()} imports the fixture {alias.name}")
    assert not violations, "fixtures are shared through the root conftest or pytest_plugins:\n  " + "\n  ".join(violations)
