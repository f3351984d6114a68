"""A Content-Security-Policy on admin and public pages that refuses injected inline script, and no
template of ours that needs inline script to work."""

import re
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/admin/login/", "/public/complaints/new/", "/api/docs/"])
def test_public_pages_send_a_policy_without_inline_script(url):
    policy = _policy(Client().get(url))
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


@pytest.mark.parametrize("url", ["/admin/", "/admin/customers/customer/", "/dashboard/"])
def test_staff_pages_send_the_policy(url):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw-Long-123456"))
    response = client.get(url)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _policy(response)["script-src"]


def test_a_page_that_uses_the_nonce_gets_it_in_the_header():
    request = RequestFactory().get("/public/complaints/new/")
    middleware = CSPMiddleware(lambda req: HttpResponse(f"<script nonce='{req.csp_nonce}'>"))
    response = middleware(request)
    assert f"'nonce-{request.csp_nonce}'" in _policy(response)["script-src"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_no_template_of_ours_relies_on_inline_script():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            for match in pattern.finditer(text):
                # json_script renders <script type="application/json">: data, not code.
                if "application/json" not in match.group(0):
                    offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offenders == []


def test_the_language_switch_and_print_button_use_static_files():
    page = (TEMPLATES / "admin/base_site.html").read_text(encoding="utf-8")
    assert "data-autosubmit" in page and "core/autosubmit.js" in page
    assert "data-kpi-print" in (TEMPLATES / "kpis/dashboard.html").read_text(encoding="utf-8")
