"""The product does not import the sandbox: it is a development tool, and the wheel leaves it out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from touchpoints.config import REPO_ROOT

PRODUCT = ("touchpoints", "connectors", "expectations", "dags")


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports, at its top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("package", PRODUCT)
def test_the_product_does_not_import_the_sandbox(package: str) -> None:
    files = sorted((REPO_ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    offending = {
        str(path.relative_to(REPO_ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "sandbox"
        )
        for path in files
    }
    assert not {path: modules for path, modules in offending.items() if modules}
