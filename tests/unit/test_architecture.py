"""The layering rules, read from the source: which package may import which, how large a port may grow, and that
every document the code cites is in the repository."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"
MAX_PORT_METHODS = 8
# Where the code and its tests live; a document cited from any of these must be in the repository.
CODE = ("app.py", "Makefile", "pyproject.toml", "chalicelib", "infra", "tests", "statemachines", "bench")
REAL_WORLD_BESIDE_THE_CLONE = "../shared/real-world/"
# This test names documents as examples; tests/real_world.py names the real-world folder's own index.
_NOT_CITING = {Path(__file__).resolve(), ROOT / "tests" / "real_world.py"}
_GENERATED = {"__pycache__", "cdk.out", "node_modules", ".chalice"}
_DOCUMENT = re.compile(r"(?<![\w/.-])((?:\.\./|[\w-]+/)*[\w-]+(?:\.[\w-]+)*\.md)\b")


@cache
def modules() -> dict[str, frozenset[str]]:
    """Every module under chalicelib with the modules it imports, wherever in the file (lazy and typing-only too)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = frozenset(_imports(ast.parse(path.read_text(encoding="utf-8")), name, path))
    return found


def _imports(tree: ast.Module, module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return names


def offences(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    """`module imports name` for each import under `layer` of a forbidden package or one of its modules."""
    return sorted(
        f"{module} imports {name}"
        for module, imported in modules().items()
        if module == layer or module.startswith(layer + ".")
        for name in imported
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


def test_the_source_tree_is_read() -> None:
    # a parser that found nothing would pass every rule below
    assert {"chalicelib.domain.claim", "chalicelib.services.payments", "chalicelib.adapters.dynamodb.claims"} <= set(
        modules()
    )
    assert "chalicelib.domain.agreement" in modules()["chalicelib.domain.claim"]


def test_no_adapter_imports_the_api() -> None:
    # Request models both may use live in chalicelib.contracts.
    assert offences("chalicelib.adapters", ("chalicelib.api",)) == []


def test_services_get_their_adapters_injected_and_never_reach_for_them() -> None:
    assert offences("chalicelib.services", ("chalicelib.bootstrap", "chalicelib.adapters")) == []


def test_the_domain_is_pure_python_and_imports_no_outer_ring() -> None:
    forbidden = ("boto3", "botocore", "pynamodb", "chalice", "chalicelib.services", "chalicelib.adapters")
    assert offences("chalicelib.domain", (*forbidden, "chalicelib.api", "chalicelib.bootstrap")) == []


def test_domain_modules_import_each_other_one_way_only() -> None:
    # a circle (claim and segmentation, once) means a concept lives in the wrong module
    domain = {
        m: {i for i in imported if i in modules() and i.startswith("chalicelib.domain.")}
        for m, imported in modules().items()
        if m.startswith("chalicelib.domain.")
    }

    assert [cycle for module in sorted(domain) if (cycle := _cycle_from(module, domain))] == []


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str]:
    """The first path of imports that leads from `start` back to it, or []."""
    stack, seen = [(start, [start])], set()
    while stack:
        module, path = stack.pop()
        for imported in sorted(graph.get(module, ())):
            if imported == start:
                return [*path, start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, [*path, imported]))
    return []


def test_no_port_has_more_than_eight_methods() -> None:
    ports = sorted((PACKAGE / "services" / "ports").glob("*.py"))
    protocols = {}
    for path in ports:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(_named(base) == "Protocol" for base in node.bases):
                methods = [n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
                protocols[f"{path.stem}.{node.name}"] = methods
    assert "claims.ClaimRepository" in protocols
    too_large = {name: len(methods) for name, methods in protocols.items() if len(methods) > MAX_PORT_METHODS}
    assert too_large == {}


def _named(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def cited_documents() -> dict[str, list[str]]:
    """Each *.md path the code and its tests name, with the files that name it."""
    cited: dict[str, list[str]] = {}
    for entry in CODE:
        base = ROOT / entry
        files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
        for path in files:
            if _GENERATED & set(path.relative_to(ROOT).parts) or path in _NOT_CITING:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # a binary fixture (PDF, image) cites nothing
            for document in _DOCUMENT.findall(text):
                cited.setdefault(document, []).append(str(path.relative_to(ROOT)))
    return cited


def test_every_document_the_code_cites_is_in_the_repository() -> None:
    cited = cited_documents()
    assert "docs/law.md" in cited

    # The real-world files are other projects' data, read in place beside the clone and never part of it.
    ours = {doc: files for doc, files in cited.items() if not doc.startswith(REAL_WORLD_BESIDE_THE_CLONE)}
    missing = {doc: files for doc, files in ours.items() if not (ROOT / doc).resolve().is_relative_to(ROOT)}
    missing |= {doc: files for doc, files in ours.items() if not (ROOT / doc).is_file()}

    assert missing == {}
