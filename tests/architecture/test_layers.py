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


def _package_imports(path: Path, package: str) -> set[str]:
    """The modules of ``package`` that ``path`` imports, local imports inside functions included
    (``from package import name`` counts as importing ``package.name`` where that is a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == package:
                names |= {f"{package}.{a.name}" for a in node.names}
            elif node.module.startswith(package + "."):
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith(package + ".")}
    return names


def test_the_extractors_import_no_circle():
    """The readers' modules (extractors.registry, cn_*, hk_*, sec_*, ...) import one another one
    way only: what two modules share lives in a third (issue 19, item 6)."""
    graph = {".".join(p.relative_to(ROOT).with_suffix("").parts): _package_imports(p, "extractors")
             for p in sorted((ROOT / "extractors").glob("*.py")) if p.name != "__init__.py"}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done or module not in graph:
            return
        for other in sorted(graph[module]):
            visit(other, path + [module])
        done.add(module)
    for module in graph:
        visit(module, [])


def test_no_extractor_module_is_over_about_400_lines():
    long = {p.name: n for p in (ROOT / "extractors").glob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > 420}
    assert not long, f"split these along their seams (issue 19, item 6): {long}"
