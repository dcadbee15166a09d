"""The layers of src/basis_ledger, enforced: a package imports only packages below it, and no module imports
itself round a cycle (docs/architecture.md draws the same picture).

    core (model, money, resources, taxcalendar, suggest, faults, files, arrays)
      <- ingest, engine            peers: neither imports the other
      <- ledger                    an import runs the importers, so the ledger sits above ingest
      <- loader                    ledger + engine -> Loaded; the one way into the engine
      <- audit <- plan <- render <- commands <- cli <- __main__

Every import counts, lazy ones inside functions and type-only ones too, for the layers; for cycles, imports
under `if TYPE_CHECKING:` are left out (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "basis_ledger"
CORE = {"__init__", "resources", "model", "money", "taxcalendar", "suggest", "faults", "files", "arrays"}
LAYERS = [
    {"core"},
    {"ingest", "engine"},
    {"ledger"},
    {"loader"},
    {"audit"},
    {"plan"},
    {"render"},
    {"commands"},
    {"cli"},
    {"__main__"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, bool]]:
    """(imported basis_ledger module, type-only?) for every import statement of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            type_only |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import mod` imports the module pkg.mod when there is one
            targets = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names
            ]
        else:
            continue
        found += [(t, id(node) in type_only) for t in targets if t.split(".")[0] == "basis_ledger"]
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return "core" if top in CORE else top


def test_every_package_has_a_layer():
    assert {_layer(m) for m in _modules()} <= set(RANK)


def test_no_package_imports_one_at_or_above_its_layer():
    modules = _modules()
    wrong = []
    for name, path in sorted(modules.items()):
        for target, _ in _imports(path, modules):
            a, b = _layer(name), _layer(target)
            if a != b and RANK[b] >= RANK[a]:
                wrong.append(f"{name} imports {target} ({a} may not use {b})")
    assert wrong == []


def test_no_module_cycles():
    modules = _modules()
    graph = {
        name: sorted({t for t, type_only in _imports(path, modules) if not type_only and t in modules and t != name})
        for name, path in modules.items()
    }
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    assert cycles == []


def test_the_checks_see_a_backward_import(tmp_path, monkeypatch):
    """The layer check is not vacuous: an engine module importing the audit is caught."""
    fake = tmp_path / "basis_ledger"
    (fake / "engine").mkdir(parents=True)
    (fake / "audit").mkdir()
    (fake / "engine" / "x.py").write_text("def f():\n    from basis_ledger.audit import y\n")
    (fake / "audit" / "y.py").write_text("")
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", fake)
    modules = _modules()
    assert ("basis_ledger.audit.y", False) in _imports(fake / "engine" / "x.py", modules)
    try:
        test_no_package_imports_one_at_or_above_its_layer()
    except AssertionError as err:
        assert "basis_ledger.engine.x imports basis_ledger.audit.y" in str(err)
    else:
        raise AssertionError("a backward import went unnoticed")


def test_printing_for_people_is_in_render():
    """The engine, the audit and the planner compute; tables for people are drawn in render/ (the plan's report
    moved there from plan/render.py). None of them imports rich, or has a module named like a renderer."""
    below = {"engine", "loader", "audit", "plan"}
    rich_users = []
    for name, path in sorted(_modules().items()):
        if _layer(name) not in below:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            rich_users += [f"{name} imports {n}" for n in names if n.split(".")[0] == "rich"]
        if path.stem in {"render", "tables", "report"}:
            rich_users.append(f"{name} is named as a renderer")
    assert rich_users == []
