"""Where the platform API's base sits (docs/architecture-notes.md, "The platform API's base"):
core ← customers ← platform_api ← every app's ``api/`` package. The base reads customers' models, so it
cannot live in core; customers' own code (outside its API endpoints) still imports only core."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = {"core", "customers", "platform_api", "loyalty", "care", "complaints", "kpis"}


def _imports(package: str):
    """(file, imported top-level package) for every import of a project package under ``package``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in names:
                if name.split(".")[0] in APPS:
                    yield path.relative_to(ROOT), name.split(".")[0]


def test_customers_outside_its_api_endpoints_imports_only_core():
    offenders = [f"{path}: {top}" for path, top in _imports("customers")
                 if top not in {"core", "customers"} and path.parts[:2] != ("customers", "api")]
    assert offenders == []


def test_customers_api_holds_only_the_customer_and_order_endpoints():
    names = {p.stem for p in (ROOT / "customers" / "api").glob("*.py")}
    assert names == {"__init__", "views", "serializers", "urls", "fast"}


def test_the_base_builds_only_on_core_and_customers():
    offenders = [f"{path}: {top}" for path, top in _imports("platform_api")
                 if top not in {"core", "customers", "platform_api"}]
    assert offenders == []


def test_only_api_packages_use_the_base():
    offenders = [f"{path}: platform_api"
                 for app in APPS - {"platform_api"} for path, top in _imports(app)
                 if top == "platform_api" and "api" not in path.parts[1:-1]]
    assert offenders == []


def test_the_settings_name_the_base():
    from django.conf import settings

    drf = settings.REST_FRAMEWORK
    assert drf["DEFAULT_AUTHENTICATION_CLASSES"][0] == "platform_api.auth.PlatformAPIKeyAuthentication"
    assert drf["DEFAULT_PERMISSION_CLASSES"] == ["platform_api.permissions.IsStaff"]
    assert drf["DEFAULT_THROTTLE_CLASSES"] == ["platform_api.throttling.PlatformRateThrottle"]
    assert drf["EXCEPTION_HANDLER"] == "core.api_errors.exception_handler"
