"""The package's modules import each other without a cycle, and the writers stay writers.

Imports are read from the source (every ``import`` statement, at module level or inside a
function, so a lazy import that closes a loop counts too); those under
``if TYPE_CHECKING:`` only name types and never run, so they are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import briefgen

PACKAGE = Path(briefgen.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _import_nodes(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _import_nodes(node)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in MODULES}
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    base = package
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    named = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
    found = set()
    for alias in node.names:
        child = f"{named}.{alias.name}"
        found.add(child if child in MODULES else named)
    return found & set(MODULES)


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = set().union(*(_targets(module, n) for n in _import_nodes(tree))) - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_in_the_package():
    assert cycles(import_graph()) == []


def test_no_writer_imports_compose_or_build():
    graph = import_graph()
    writers = [m for m in graph if m.startswith("briefgen.writers")]
    assert writers
    for module in writers:
        assert not graph[module] & {"briefgen.compose", "briefgen.build", "briefgen.release"}, module


def test_every_registered_writer_has_the_one_signature():
    import inspect

    from briefgen.writers import WRITERS, preparer, writer

    for key in WRITERS:
        parameters = inspect.signature(writer(key)).parameters
        assert list(parameters)[:3] == ["doc", "target", "look"], key
        # a writer with a Python half (``prepare``) takes what it returned, and only that
        prepare = preparer(key)
        assert list(parameters)[3:] == (["prepared"] if prepare else []), key
        if prepare:
            assert parameters["prepared"].default is None, key
            assert list(inspect.signature(prepare).parameters) == ["doc", "target", "look"], key
