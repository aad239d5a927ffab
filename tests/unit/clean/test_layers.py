"""The cleaner reads top to bottom: each module of feedsvc/clean imports only the layers below it.

The layers, top first: the report; the pipeline (feedsvc/clean/__init__.py); the stages (and ``summary``,
which reads their output), none of which imports another; the leaves ``dom`` and ``explain``, independent of
each other; the policy. Imports are read from the source with ast, so one inside a function or under
``TYPE_CHECKING`` counts too. Every module of the package also has a true ``__all__``: its public names,
each of which exists.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import feedsvc.clean

PACKAGE = "feedsvc.clean"
PIPELINE = "__init__"  # the package itself: feedsvc/clean/__init__.py
CLEAN_DIR = Path(feedsvc.clean.__file__).parent
STAGES = frozenset(
    {"rules", "extract", "boilerplate", "edges", "jsonld", "chrome", "normalise", "sanitise", "scorer", "summary"}
)
# Top first. A module may import from the layers below its own, never from its own or one above.
LAYERS: list[frozenset[str]] = [
    frozenset({"report"}),
    frozenset({PIPELINE}),
    STAGES,
    frozenset({"blocks"}),  # the block scorer's features
    frozenset({"dom", "explain", "confidence"}),
    frozenset({"policy"}),
]
LAYER_OF = {name: depth for depth, layer in enumerate(LAYERS) for name in layer}
MODULES = sorted(path.stem for path in CLEAN_DIR.glob("*.py"))


def clean_imports(source: str, module: str) -> set[str]:
    """Return the modules of feedsvc.clean that ``source`` (the code of ``module``) imports, by short name.

    The package itself is ``PIPELINE``. ``from feedsvc.clean import x`` imports the module ``x`` when there
    is one, and the pipeline otherwise.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= _modules_named(alias.name, ())
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: every module here, __init__ included, sits in the package
                base = PACKAGE.rsplit(".", node.level - 1)[0] if node.level > 1 else PACKAGE
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found |= _modules_named(target, tuple(alias.name for alias in node.names))
    found.discard(module)
    return found


def _modules_named(target: str, names: tuple[str, ...]) -> set[str]:
    if target == "feedsvc":
        return {PIPELINE} if "clean" in names else set()
    if target == PACKAGE:
        if not names:
            return {PIPELINE}
        return {name if name in MODULES else PIPELINE for name in names}
    if target.startswith(PACKAGE + "."):
        return {target.removeprefix(PACKAGE + ".").split(".")[0]}
    return set()


def layer_violations(module: str, source: str) -> list[str]:
    """Return one line for each import of ``module`` that does not point to a lower layer."""
    own = LAYER_OF[module]
    wrong = []
    for imported in sorted(clean_imports(source, module)):
        depth = LAYER_OF.get(imported)
        if depth is None or depth <= own:
            kind = "a stage" if imported in STAGES else f"layer {depth}"
            wrong.append(f"{module} imports {imported} ({kind}; {module} is in layer {own})")
    return wrong


def test_every_module_has_a_layer() -> None:
    assert set(MODULES) == set(LAYER_OF), (
        "give each module of feedsvc/clean a layer in LAYERS (and in pyproject.toml's clean contracts): "
        f"unplaced {sorted(set(MODULES) - set(LAYER_OF))}, gone {sorted(set(LAYER_OF) - set(MODULES))}"
    )


@pytest.mark.parametrize("module", MODULES)
def test_imports_only_lower_layers(module: str) -> None:
    source = (CLEAN_DIR / f"{module}.py").read_text(encoding="utf-8")
    assert layer_violations(module, source) == [], (
        "a module of feedsvc/clean imports its own layer or one above it: move what it needs down to "
        "feedsvc.clean.dom (tree helpers) or feedsvc.clean.policy (data), or let the pipeline call both stages"
    )


def test_stages_import_the_leaves_they_share() -> None:
    # The shared vocabulary is really shared: the check above is not passing because nothing imports anything.
    for stage in ("rules", "extract", "boilerplate", "edges", "jsonld", "normalise"):
        source = (CLEAN_DIR / f"{stage}.py").read_text(encoding="utf-8")
        assert "dom" in clean_imports(source, stage), stage


@pytest.mark.parametrize(
    "source",
    [
        "from feedsvc.clean.edges import trim_edges",
        "from .extract import prune",
        "from . import normalise",
        "from feedsvc.clean import jsonld",
        "import feedsvc.clean.rules",
        "import feedsvc.clean.summary as summary",
        "def late():\n    from feedsvc.clean.sanitise import sanitise\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from feedsvc.clean.extract import find_article\n",
    ],
)
def test_a_stage_importing_another_stage_fails(source: str) -> None:
    assert layer_violations("boilerplate", source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("jsonld", "from feedsvc.clean import clean_html"),  # the pipeline, from below
        ("extract", "from feedsvc import clean"),
        ("dom", "from feedsvc.clean.explain import Recorder"),  # the leaves are independent
        ("policy", "from feedsvc.clean.dom import HEADING_TAGS"),
        ("normalise", "from feedsvc.clean.report import render_report"),
        (PIPELINE, "from feedsvc.clean.report import render_report"),
    ],
)
def test_an_import_upward_or_across_fails(module: str, source: str) -> None:
    assert layer_violations(module, source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("boilerplate", "from feedsvc.clean.dom import remove\nfrom feedsvc.clean.explain import Recorder"),
        ("edges", "from feedsvc.clean import policy\nfrom feedsvc.text import one_line"),
        (PIPELINE, "from feedsvc.clean.edges import trim_edges"),
        ("report", "from feedsvc.clean import CLEANER_VERSION"),
        ("dom", "from feedsvc.clean.policy import BLOCK_TAGS"),
    ],
)
def test_an_import_downward_passes(module: str, source: str) -> None:
    assert layer_violations(module, source) == []


def public_definitions(source: str) -> set[str]:
    """Return the public names a module's own top-level code defines (functions, classes, assignments)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("module", MODULES)
def test_all_is_true(module: str) -> None:
    name = PACKAGE if module == PIPELINE else f"{PACKAGE}.{module}"
    imported = importlib.import_module(name)
    listed = getattr(imported, "__all__", None)
    assert isinstance(listed, list), f"{name} has no __all__: list its public names"
    assert len(listed) == len(set(listed)), f"{name}.__all__ names something twice"
    missing = [n for n in listed if not hasattr(imported, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)  # the check is that this runs
    assert set(listed) <= set(namespace)
    if module != PIPELINE:  # the package lists its API, re-exported; a module lists what it defines
        defined = public_definitions((CLEAN_DIR / f"{module}.py").read_text(encoding="utf-8"))
        assert set(listed) == defined, (
            f"{name}.__all__ must list exactly the public names it defines: "
            f"add {sorted(defined - set(listed))}, drop {sorted(set(listed) - defined)} (or make them private)"
        )
