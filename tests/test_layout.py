"""The house's layout: every import points down the layers, and no module imports itself in a circle.

Layers, bottom to top (a unit may import only from lower layers):
  errors, yesno, effects.registry, the package face  <  plan, photo, progress  <  analysis  <  canvas
  <  director, effects  <  encode, audio  <  provenance (what a video says about itself)  <  frames
  <  engines  <  api, options (the one schema of every option, for the shells)  <  cli (the stillmotion
  command and its flag kit)  <  batch, server (its subcommands, each with its own flags)  <  __main__
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "stillmotion"
LAYERS = [
    {"errors", "effects.registry", "yesno", "__init__"},
    {"plan", "photo", "progress"},
    {"analysis"},
    {"canvas"},
    {"director", "effects"},
    {"encode", "audio"},
    {"provenance"},
    {"frames"},
    {"engines"},
    {"api", "options"},
    {"cli"},
    {"server", "batch"},
    {"__main__"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> set[str]:
    return {module_name(p) for p in PACKAGE.rglob("*.py")}


def imports() -> set[tuple[str, str]]:
    """(importer, imported module) for every import of a stillmotion module, at any depth in the code."""
    known = modules()

    def resolve(target: str) -> str:
        while target not in known and "." in target:  # "from .x import name": a module, or a name in one
            target = target.rsplit(".", 1)[0]
        return target

    edges = set()
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                    targets = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
                else:
                    targets = [node.module or ""]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            edges.update((name, resolve(t)) for t in targets if t.startswith("stillmotion"))
    return edges


def unit(module: str) -> str:
    parts = module.split(".")
    if parts[1:3] == ["effects", "registry"]:
        return "effects.registry"
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_unit_has_a_layer():
    units = {unit(a) for a, _ in imports()} | {unit(b) for _, b in imports()}
    assert units <= set(RANK), f"give these a layer: {sorted(units - set(RANK))}"


def test_imports_point_down_the_layers():
    upward = sorted(f"{a} -> {b}" for a, b in imports() if unit(a) != unit(b) and RANK[unit(a)] <= RANK[unit(b)])
    assert not upward, "imports that run up (or sideways) the layers:\n" + "\n".join(upward)


def test_no_import_circles():
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for a, b in imports():
        if b != a and not a.startswith(b + "."):  # a package's own __init__ is not a circle
            graph[a].add(b)
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
