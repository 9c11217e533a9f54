"""The layout rules of docs/architecture.md, checked on the source so that they cannot drift.

Read from the files with `ast`, without importing anything: every import counts, at module level
or inside a function (an import moved into a function to dodge a cycle is still a cycle).
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "certificates",
    "cms",
    "config",
    "contests",
    "courses",
    "experts",
    "notifications",
    "organisations",
    "stats",
    "training",
)
DOMAIN_APPS = (
    "certificates",
    "contests",
    "courses",
    "experts",
    "notifications",
    "organisations",
    "stats",
    "training",
)  # cms and accounts: tests/test_base_apps.py
MAX_LINES = 600


def _job_task_pair(component: set[str]) -> bool:
    """The one cycle django-tasks asks for: a job module enqueues its task, the task runs the job."""
    packages = {name.rpartition(".")[0] for name in component}
    return len(packages) == 1 and {name.rpartition(".")[2] for name in component} == {"jobs", "tasks"}


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import statement of a module."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if _is_package(name) else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            out.append((base, [alias.name for alias in node.names], node.lineno))
    return out


def _targets(base: str, names: list[str]) -> list[str]:
    """The project modules an import statement loads: `from pkg import mod` loads pkg.mod."""
    targets = [f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES]
    if base in MODULES and len(targets) < len(names):
        targets.append(base)
    if not targets and base not in MODULES:
        # `import a.b.c` of a module we own but spelled through a parent
        while base and base not in MODULES:
            base = base.rpartition(".")[0]
        if base:
            targets.append(base)
    return targets


def _graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for name in MODULES:
        for base, names, _line in _imports(name):
            if base.split(".")[0] not in APPS:
                continue
            for target in _targets(base, names):
                if target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return out


def _defines_code(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for node in ast.walk(tree))


def test_no_python_file_is_over_600_lines_except_pure_data():
    too_long = []
    for path in [*MODULES.values(), *(ROOT / "tests").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and _defines_code(path):
            too_long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert too_long == []


def test_no_import_cycle_inside_an_app():
    cycles = [sorted(c) for c in _cycles(_graph()) if not _job_task_pair(c)]
    assert cycles == []


def test_no_private_name_is_imported_from_another_app():
    offending = []
    for name, path in MODULES.items():
        app = name.split(".")[0]
        for base, names, line in _imports(name):
            other = base.split(".")[0]
            if other in APPS and other != app:
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                private += [p for p in base.split(".") if p.startswith("_") and not p.startswith("__")]
                if private:
                    offending.append(f"{path.relative_to(ROOT)}:{line} imports {base}.{private}")
    assert offending == []


def test_every_domain_app_has_the_same_file_set():
    missing = []
    for app in DOMAIN_APPS:
        for piece in ("models", "services", "views", "urls", "wagtail_hooks"):
            if not any((ROOT / app / f).exists() for f in (f"{piece}.py", f"{piece}/__init__.py")):
                missing.append(f"{app}/{piece}")
    assert missing == []


def test_the_checker_sees_a_cycle_when_there_is_one():
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert _cycles(graph) == [{"a.x", "a.y", "a.z"}]
    assert _job_task_pair({"certificates.jobs", "certificates.tasks"})
    assert not _job_task_pair({"contests.events", "contests.services"})
