"""cms and accounts are the base the domain apps build on: outside management commands they import none of them."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE_APPS = ("cms", "accounts")


def _domain_apps() -> set[str]:
    """The project's own apps other than the base ones (so a new app is covered without editing this test)."""
    root = Path(settings.BASE_DIR).resolve()
    own = {c.name for c in apps.get_app_configs() if Path(c.path).resolve().parent == root}
    return own - set(BASE_APPS)


def _imported_packages(path: Path) -> set[str]:
    """Top-level packages a module imports anywhere in it, lazy imports inside functions included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _base_modules(app: str) -> list[Path]:
    root = Path(settings.BASE_DIR) / app
    return [
        path
        for path in sorted(root.rglob("*.py"))
        if not {"management", "migrations"} & set(path.relative_to(root).parts)
    ]


def test_the_project_has_domain_apps_to_keep_out():
    assert {"courses", "contests", "certificates"} <= _domain_apps()


def test_cms_and_accounts_import_no_domain_app_outside_management_commands():
    domain = _domain_apps()
    modules = [path for app in BASE_APPS for path in _base_modules(app)]
    scanned = {path.relative_to(settings.BASE_DIR).as_posix() for path in modules}
    assert {"cms/models.py", "cms/services.py", "accounts/roles.py"} <= scanned
    offenders = {
        path.relative_to(settings.BASE_DIR).as_posix(): sorted(_imported_packages(path) & domain) for path in modules
    }
    assert {module: apps_ for module, apps_ in offenders.items() if apps_} == {}
