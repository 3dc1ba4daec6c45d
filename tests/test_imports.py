"""The package's modules import each other in one direction: no cycle, not even a lazy one."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("crisisplan", *parts)).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """The crisisplan modules ``path`` imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c.startswith("crisisplan") and c in MODULES}
    return found - {name}


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of ``graph`` meets, as the modules around it."""
    done: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def test_the_import_graph_has_no_cycle() -> None:
    graph = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}
    assert len(graph) > 30 and graph["crisisplan.build"]  # the graph was read
    assert cycles(graph) == []


def test_a_cycle_is_found() -> None:
    """What the test above looks for: a module importing one that imports it back."""
    graph = {"crisisplan.model": {"crisisplan.build"}, "crisisplan.build": {"crisisplan.model"}}
    assert cycles(graph) == [["crisisplan.build", "crisisplan.model", "crisisplan.build"]]
