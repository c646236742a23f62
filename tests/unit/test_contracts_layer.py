"""The contracts layer keeps the inbound adapters and the API apart: neither reaches into the other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[2] / "chalicelib"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offenders(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imported_modules(path):
            if name in forbidden or name.startswith(tuple(f"{f}." for f in forbidden)):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


def test_no_adapter_imports_the_api() -> None:
    assert offenders("adapters", ("chalicelib.api",)) == []


def test_the_contracts_import_neither_the_api_nor_the_adapters_nor_the_services() -> None:
    assert offenders("contracts", ("chalicelib.api", "chalicelib.adapters", "chalicelib.services")) == []
