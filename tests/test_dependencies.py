"""Arrows point one way, by package (DESIGN "Layout"), with no exemptions:

    core <- readers <- stages <- checks <- catalog <- build.py (orchestration) <- publish.py
                       stages <- web        (serving: core and the facet store the build wrote)
            readers <- harvest              (reads what it downloads with our own readers)

`core` imports nothing of ours outside core; `web` and `harvest` never import each other, and
nothing `web` loads opens a network connection; no import loop between packages or modules (an
import inside a function counts: hiding a loop in a function does not remove it). `pipelines/`
never imports `datasets/` (a dataset's transform.py is loaded by path), and a transform.py
imports nothing of ours but `pipelines.api`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = "top"  # modules at the top of pipelines/: build.py (orchestration), __init__.py
# Which packages each package may import (besides itself).
ALLOWED = {
    "core": set(),
    "readers": {"core"},
    "stages": {"core", "readers"},
    "checks": {"core", "stages"},  # region-name compares rows with the region lookup of stages
    "catalog": {"core", "stages"},  # Datasette metadata writes the facet store
    "web": {"core", "stages"},  # the facet store the build wrote; the network rule keeps the rest
    "harvest": {"core", "readers"},  # infers a schema by reading files as the build will
    TOP: {"core", "readers", "stages", "checks", "catalog"},
}
# publish.py is thin: it calls the orchestration, the server launch, the harvester and core.
CLI_ALLOWED = {TOP, "core", "catalog", "web", "harvest"}
NETWORK_CLIENTS = {"urllib.request", "http.client", "socket", "requests", "urllib3", "httpx"}
NETWORK_CLIENTS |= {"aiohttp", "ckanapi"}


def module_name(path: Path, root: Path) -> str:
    """`pipelines/core/model.py` -> `pipelines.core.model`; a package's __init__ is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / "pipelines").rglob("*.py"))}


def imports_of(path: Path, name: str, known: set[str] | None = None) -> set[str]:
    """Every module a file imports, anywhere in it, as absolute dotted names. `from .x import y`
    names the module `x.y` when that is one of ours, else `x` (y is a name defined in x)."""
    known = known or set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if child in known else target)
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports."""
    found = modules(root)
    known = set(found)
    return {
        name: {t for t in imports_of(path, name, known) if t in known and t != name}
        for name, path in found.items()
    }


def external_imports(root: Path = ROOT) -> dict[str, set[str]]:
    found = modules(root)
    return {
        name: {t for t in imports_of(path, name) if not t.startswith("pipelines")}
        for name, path in found.items()
    }


def package_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ALLOWED:
        return parts[1]
    return TOP


def wrong_way(root: Path = ROOT) -> list[str]:
    """Imports from one package into another that ALLOWED does not list."""
    problems = []
    for source, targets in sorted(graph(root).items()):
        for target in sorted(targets):
            a, b = package_of(source), package_of(target)
            if a != b and b not in ALLOWED.get(a, set()):
                problems.append(f"{source} ({a}) imports {target} ({b})")
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import loops: strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for source, targets in graph(root).items():
        a = package_of(source)
        edges.setdefault(a, set()).update(package_of(t) for t in targets if package_of(t) != a)
    return edges


def reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def network_from_web(root: Path = ROOT) -> list[str]:
    """Modules a web module loads (directly or through ours) that import a network client."""
    edges, external = graph(root), external_imports(root)
    problems = []
    for module in sorted(m for m in edges if package_of(m) == "web"):
        for loaded in sorted(reachable(module, edges)):
            clients = {
                name
                for name in external[loaded]
                if any(name == c or name.startswith(c + ".") for c in NETWORK_CLIENTS)
            }
            if clients:
                problems.append(f"{module} loads {loaded}, which imports {sorted(clients)}")
    return problems


def test_allowed_package_arrows_have_no_loop_and_keep_the_rules():
    assert not cycles(ALLOWED)
    assert ALLOWED["core"] == set()
    assert "harvest" not in ALLOWED["web"] and "web" not in ALLOWED["harvest"]
    assert not any("web" in targets or "harvest" in targets for targets in ALLOWED.values())


def test_every_import_between_packages_points_the_allowed_way():
    problems = wrong_way()
    assert not problems, "\n".join(problems)


def test_no_import_loop_between_modules_or_packages():
    assert not cycles(graph()), cycles(graph())
    assert not cycles(package_graph()), cycles(package_graph())


def test_nothing_served_opens_a_network_connection():
    problems = network_from_web()
    assert not problems, "\n".join(problems)


def test_pipelines_never_import_datasets():
    for name, targets in external_imports().items():
        assert not any(t.split(".")[0] == "datasets" for t in targets), name


def test_dataset_transforms_import_only_the_api():
    """datasets/*/transform.py may import pipelines.api and nothing else of ours (pipelines/api.py
    is the stable surface; every other module may move)."""
    transforms = sorted((ROOT / "datasets").glob("*/transform.py"))
    assert transforms
    for path in transforms:
        ours = {t for t in imports_of(path, "transform") if t.split(".")[0] == "pipelines"}
        assert ours <= {"pipelines.api"}, f"{path.relative_to(ROOT)} imports {sorted(ours)}"


def test_cli_is_thin():
    """publish.py parses, calls pipelines/ and prints: no stage, reader or check directly."""
    known = set(modules(ROOT))
    used = {
        package_of(t)
        for t in imports_of(ROOT / "publish.py", "publish", known)
        if t.startswith("pipelines.")
    }
    assert used <= CLI_ALLOWED, used - CLI_ALLOWED


def test_the_checker_catches_wrong_arrows_loops_and_network(tmp_path):
    """The rules themselves can fail: planted bad imports in a copy-shaped tree are reported."""
    files = {
        "pipelines/__init__.py": "",
        "pipelines/core/__init__.py": "",
        "pipelines/core/model.py": "from ..stages.load import insert_rows\n",  # core -> stages
        "pipelines/stages/__init__.py": "",
        "pipelines/stages/load.py": "def insert_rows(): ...\n",
        "pipelines/stages/fetch.py": "import urllib.request\n",
        "pipelines/web/__init__.py": "",
        "pipelines/web/plugin.py": "from ..harvest import client\n",  # web -> harvest
        "pipelines/web/serve.py": "def later():\n    from ..stages.fetch import x\n",
        "pipelines/harvest/__init__.py": "",
        "pipelines/harvest/client.py": "import ckanapi\nfrom . import infer\n",
        "pipelines/harvest/infer.py": "from .client import both\n",  # a loop
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    wrong = wrong_way(tmp_path)
    assert "pipelines.core.model (core) imports pipelines.stages.load (stages)" in wrong
    assert "pipelines.web.plugin (web) imports pipelines.harvest.client (harvest)" in wrong
    assert cycles(graph(tmp_path)) == [["pipelines.harvest.client", "pipelines.harvest.infer"]]
    network = network_from_web(tmp_path)
    assert any(p.startswith("pipelines.web.plugin loads pipelines.harvest.client") for p in network)
    assert any(p.startswith("pipelines.web.serve loads pipelines.stages.fetch") for p in network)
