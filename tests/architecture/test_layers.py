"""Which package may import which (docs/CONTRACTS.md; ../shared/docs/ARCHITECTURE.md): data flows
one way and the imports follow it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"flows", "spiders", "extractors", "expectations", "warehouse", "scoring", "mirror", "top100"}
ALLOWED = {
    "flows": OURS,
    "scoring": {"warehouse", "top100"},
    "expectations": {"warehouse", "extractors", "top100"},
    "warehouse": {"top100"},
    "extractors": {"top100"},
    "spiders": {"top100"},
    # the known answers must not be computed by the code they check: the generator carries its
    # own statement of the method (mirror.world.method) and imports nothing of scoring/,
    # extractors/ or expectations/ (ARCHITECTURE.md)
    "mirror": {"top100"},
    "top100": set(),
}
HEAVY_FOR_EXTRACTORS = {"prefect", "great_expectations", "scrapy", "sqlalchemy", "pandas"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    bad = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        wrong = (_imports(path) & OURS) - ALLOWED[package] - {package}
        if wrong:
            bad[str(path.relative_to(ROOT))] = sorted(wrong)
    assert not bad, f"{package} imports packages above it: {bad}"


def test_the_generator_imports_nothing_it_stands_in_for_or_checks():
    """mirror -> scoring (and extractors, expectations, spiders, warehouse) is forbidden, local
    imports inside functions included."""
    for path in sorted((ROOT / "mirror").rglob("*.py")):
        assert not (_imports(path) & {"scoring", "extractors", "expectations", "spiders", "warehouse"}), path


def test_no_production_package_imports_the_mirror():
    for package in OURS - {"flows", "mirror"}:
        for path in (ROOT / package).rglob("*.py"):
            assert "mirror" not in _imports(path), path


def test_extractors_do_not_import_orchestration_or_validation_libraries():
    for path in (ROOT / "extractors").rglob("*.py"):
        assert not (_imports(path) & HEAVY_FOR_EXTRACTORS), path


def _strings_outside_docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_the_program_never_reads_the_shared_folder():
    """../shared is beside the project on our machines only: a user's clone must work alone."""
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            hits = [v for v in _strings_outside_docstrings(path) if "shared" in v and ("fixtures" in v or "seed" in v)]
            assert not hits, (path, hits)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of ours that ``path`` imports when it is imported: its imports outside any
    function (those inside a function run later, and are where a circle would hide)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found.update(_from_import(base, [a.name for a in child.names], modules))
            visit(child)

    visit(ast.parse(path.read_text("utf-8"), filename=str(path)))
    return {m for m in found if m in modules and m != name}


def _from_import(base: str, names: list[str], modules: set[str]) -> set[str]:
    """What ``from base import names`` imports: the submodules among the names (their package is
    initialised first, not imported back), else ``base`` itself."""
    submodules = {f"{base}.{n}" for n in names if f"{base}.{n}" in modules}
    return submodules if len(submodules) == len(names) else submodules | {base}


def _all_imports(path: Path, modules: set[str]) -> set[str]:
    """Every module of ours that ``path`` imports, inside functions too."""
    name = _module_name(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(_from_import(node.module, [a.name for a in node.names], modules))
    return {m for m in found if m in modules and m != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph`` (one path per strongly connected component, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return circles


def _graph(packages: set[str], imports) -> dict[str, set[str]]:
    paths = {_module_name(p): p for package in packages for p in sorted((ROOT / package).rglob("*.py"))}
    return {name: imports(path, set(paths)) for name, path in paths.items()}


def test_no_import_circles_between_modules():
    """The modules of ours, imported as Python imports them (module level), form no circle."""
    assert _cycles(_graph(OURS, _module_level_imports)) == []


def test_no_circle_hides_behind_an_import_inside_a_function():
    """Counting the imports inside functions too, no two modules need each other (issue 19 item 6:
    a circle is untied by moving what both sides need, not hidden by a late import)."""
    assert _cycles(_graph(OURS, _all_imports)) == []


def test_no_module_is_over_about_400_lines():
    """Issue 19 item 6: a module that grows past about 400 lines is split along its seams."""
    long = {str(p.relative_to(ROOT)): n for package in OURS for p in (ROOT / package).rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > 420}
    assert not long, f"split these along their seams: {long}"
