"""The same idea written one way in every app (issue 14 item 5): hook receivers in ``<app>/receivers.py``
(``connect()``, called by ``AppConfig.ready``), calls into another app in ``<app>/adapters.py``, and no
``try: import … except ImportError`` for apps that exist."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "customers", "loyalty", "care", "complaints", "kpis", "platform_api")
# The registries: customers.hooks.register_…, core.inbox.register_provider, customers.search.register_search_provider.
REGISTRIES = {"hooks", "customer_hooks", "inbox", "register_search_provider"}


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _registration_calls(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr.startswith("register_") and isinstance(func.value, ast.Name) \
                and func.value.id in REGISTRIES:
            lines.append(node.lineno)
        elif isinstance(func, ast.Name) and func.id == "register_search_provider":
            lines.append(node.lineno)
    return lines


def test_hook_receivers_are_registered_only_in_receivers_py():
    elsewhere = [f"{path.relative_to(ROOT)}:{line}" for app in APPS for path, tree in _modules(app)
                 if path.name != "receivers.py" for line in _registration_calls(tree)]
    assert elsewhere == []


@pytest.mark.parametrize("app", ["customers", "loyalty", "care", "complaints", "kpis"])
def test_each_app_connects_its_receivers_when_ready(app):
    source = (ROOT / app / "apps.py").read_text(encoding="utf-8")
    assert f"from {app} import receivers" in source and "receivers.connect()" in source
    assert (ROOT / app / "receivers.py").exists()


@pytest.mark.parametrize("app, others", [
    ("loyalty", {"care", "complaints", "kpis"}),
    ("care", {"loyalty", "complaints", "kpis"}),
    ("complaints", {"loyalty", "care", "kpis"}),
])
def test_calls_into_another_app_go_through_its_adapters(app, others):
    """customers is reached through customers.hooks and customers' services (the rule of the README);
    loyalty, care and complaints reach each other only from ``<app>/adapters.py`` (demo seeds aside).
    kpis reads the others' models from ``kpis/metrics/`` only."""
    offenders = []
    for path, tree in _modules(app):
        if path.name == "adapters.py" or path.name.startswith("demo"):
            continue
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in others]
    assert offenders == []


def test_no_import_error_scaffolding_for_our_apps():
    ours = set(APPS)
    found = []
    for app in APPS:
        for path, tree in _modules(app):
            for node in ast.walk(tree):
                if not isinstance(node, ast.Try):
                    continue
                catches_import_error = any(
                    isinstance(h.type, ast.Name) and h.type.id in {"ImportError", "ModuleNotFoundError"}
                    for h in node.handlers)
                body = list(ast.walk(ast.Module(body=node.body, type_ignores=[])))
                imported = {(n.module or "").split(".")[0] for n in body if isinstance(n, ast.ImportFrom)} | {
                    a.name.split(".")[0] for n in body if isinstance(n, ast.Import) for a in n.names}
                if catches_import_error and imported & ours:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
