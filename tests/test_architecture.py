"""The package's shape: no import circles, no private names borrowed across modules.

Imports are read from the source with ``ast`` (module level and inside functions alike); imports
under ``if TYPE_CHECKING:`` are type-only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scheduler"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(absolute module, imported names) for every runtime ``from . import`` in one file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.ImportFrom) and child.level:
                base = package.split(".")
                base = base[: len(base) - (child.level - 1)]
                target = ".".join(base + ([child.module] if child.module else []))
                found.append((target, [alias.name for alias in child.names]))
            elif isinstance(child, ast.ImportFrom) and (child.module or "").startswith("scheduler"):
                found.append((child.module or "", [alias.name for alias in child.names]))
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, names in _imports(path):
            for imported in names:
                # `from . import x` may name a submodule rather than an attribute.
                submodule = f"{target}.{imported}"
                graph[name].add(submodule if submodule in MODULES else target)
    for name in graph:
        graph[name].discard(name)
        graph[name] &= MODULES.keys()
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _packages_and_parents(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph without edges from a package's ``__init__`` to its own submodules (re-exports)."""
    return {
        name: {other for other in targets if not (path_is_init(name) and other.startswith(name + "."))}
        for name, targets in graph.items()
    }


def path_is_init(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def test_no_import_circle_inside_the_package() -> None:
    cycles = _cycles(_packages_and_parents(_graph()))
    assert cycles == [], f"import circles: {cycles}"


def test_no_private_name_is_imported_across_modules() -> None:
    borrowed = [
        f"{name} imports {imported} from {target}"
        for name, path in MODULES.items()
        for target, names in _imports(path)
        for imported in names
        if imported.startswith("_") and not imported.startswith("__")
    ]
    assert borrowed == []


def test_the_checker_never_imports_the_solver() -> None:
    graph = _graph()
    seen, todo = set(), ["scheduler.check"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(graph[name])
    assert not any(name.startswith("scheduler.solver") for name in seen)
