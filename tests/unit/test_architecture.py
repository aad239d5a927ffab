"""The architecture, checked: the import contracts, no import cycle, a true ``__all__`` everywhere.

The contracts live in pyproject.toml ([tool.importlinter]) and say which way imports run between the
subpackages and inside ``feedsvc.clean`` and ``feedsvc.metadata``; ``make lint`` checks them too. The cycle
check is finer than the contracts: any two modules of feedsvc importing each other, however indirectly, fail
it, with the cycle printed.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

import feedsvc

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
MODULES = ["feedsvc", *(info.name for info in pkgutil.walk_packages(feedsvc.__path__, "feedsvc."))]


def test_import_contracts_hold() -> None:
    # In a child process: lint-imports configures logging for the whole process it runs in,
    # which would silence feedsvc's loggers for the tests after this one.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"{lint_imports} is missing: install the test tools with pip install -e '.[test]'"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(PYPROJECT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        "an import breaks a contract in pyproject.toml [tool.importlinter]: move the code the import needs "
        "to a lower layer, or pass it in from above\n" + result.stdout + result.stderr
    )


def import_cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Return one cycle (as a path that ends where it starts) in each group of modules that import each other.

    ``imports`` maps each module to the modules it imports. The groups are the strongly connected components
    (Tarjan's algorithm, without recursion so that a long chain cannot exhaust the stack).
    """
    graph = {module: sorted(set(imported)) for module, imported in imports.items()}
    for imported in list(graph.values()):
        for module in imported:
            graph.setdefault(module, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[module] = min(low[module], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1 or module in graph[module]:
                        groups.append(sorted(group))
    return [_shortest_cycle(graph, group) for group in groups]


def _shortest_cycle(graph: Mapping[str, list[str]], group: list[str]) -> list[str]:
    """Return the shortest path from the group's first module back to itself, within the group."""
    members = set(group)
    start = group[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for nxt in graph[module]:
                if nxt not in members:
                    continue
                if nxt == start:
                    path = [module]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = module
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"{group} is not a cycle")  # unreachable for a strongly connected group


def test_import_cycles_finds_each_cycle_once() -> None:
    imports = {"a": ["b"], "b": ["c", "d"], "c": ["a"], "d": ["e"], "e": ["e"], "f": ["a"]}
    assert import_cycles(imports) == [["e", "e"], ["a", "b", "c", "a"]]
    assert import_cycles({"a": ["b"], "b": ["c"], "c": []}) == []


def test_no_import_cycles_among_feedsvc_modules() -> None:
    # Every import counts: at module level, inside functions and under TYPE_CHECKING, since each one
    # ties the importer to the imported module's place in the layers.
    graph = grimp.build_graph("feedsvc", cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    cycles = import_cycles(imports)

    def step(importer: str, imported: str) -> str:
        lines = sorted(
            detail["line_number"] for detail in graph.get_import_details(importer=importer, imported=imported)
        )
        return f"  {importer} imports {imported} (line {', '.join(map(str, lines))})"

    described = ["\n".join(step(a, b) for a, b in itertools.pairwise(cycle)) for cycle in cycles]
    assert not cycles, "import cycles among feedsvc's modules; each must lose one import:\n" + "\n\n".join(described)


@pytest.mark.parametrize("name", MODULES)
def test_module_has_a_true_dunder_all(name: str) -> None:
    module = importlib.import_module(name)
    public = getattr(module, "__all__", None)
    assert isinstance(public, list | tuple), f"{module.__file__}: add __all__, the list of the names it offers"
    missing = [item for item in public if not isinstance(item, str) or not hasattr(module, item)]
    assert not missing, f"{module.__file__}: __all__ names {missing}, which the module does not define"
    assert len(set(public)) == len(public), f"{module.__file__}: __all__ names a name twice"
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(public) <= set(namespace)
