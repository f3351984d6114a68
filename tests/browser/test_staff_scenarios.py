"""Issue 15, the staff scenarios 4, 5, 3 and 2 in a real browser (Playwright + Debian's Chromium) against
a live server with a small data set built here. Every state change is a click; the ORM only sets up.
Each test saves a full-page screenshot on failure under STAFF_SCENARIO_SHOTS (default /tmp)."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.roles import Role
from tests.factories import CustomerFactory, StaffFactory

CHROMIUM = "/usr/bin/chromium"
SHOT_DIR = Path(os.environ.get("STAFF_SCENARIO_SHOTS", "/tmp"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]


@pytest.fixture
def browser_env(live_server, monkeypatch, transactional_db):
    api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    with api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"])
        yield Browser(browser, live_server.url)
        browser.close()


class Browser:
    """One browser; `as_user` opens a page logged in as a staff member (session cookie from the test client)."""

    def __init__(self, browser, base):
        self.browser, self.base = browser, base

    @contextmanager
    def as_user(self, user, shot_name, **context_kwargs):
        from django.test import Client

        client = Client()
        client.force_login(user)
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900},
                                           accept_downloads=True, **context_kwargs)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.base}])
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda exc: page.problems.append(str(exc)))
        page.on("console", lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None)
        try:
            yield page
            assert page.problems == []
        except Exception:
            page.screenshot(path=str(SHOT_DIR / f"staff_scenario_{shot_name}_failure.png"), full_page=True)
            raise
        finally:
            context.close()

    def url(self, path):
        return f"{self.base}{path}"


# --- Scenario 4: the analyst ---------------------------------------------------------------------------------

def test_analyst_sees_masked_mobiles_no_reveal_or_history_and_a_chinese_403(browser_env):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    customer = CustomerFactory(full_name="王建华", mobile="13800138000")
    path = f"/admin/customers/customer/{customer.pk}/change/"

    with browser_env.as_user(analyst, "analyst") as page:
        page.goto(browser_env.url(path))
        content = page.locator("#content").inner_text()
        assert "王建华" in content
        assert "138****8000" in content
        assert "13800138000" not in page.content()
        tools = page.locator("#content .object-tools")
        assert tools.locator("a", has_text="显示").count() == 0  # no "reveal mobile / ID" button
        assert tools.locator("a.historylink").count() == 0
        assert page.locator("a[href*='/reveal/']").count() == 0

        for forced in (f"/admin/customers/customer/{customer.pk}/history/",
                       f"/admin/customers/customer/{customer.pk}/reveal/mobile/"):
            response = page.goto(browser_env.url(forced))
            assert response.status == 403, forced
            assert page.locator(".error-page .error-code").inner_text() == "403"
            detail = page.locator(".error-page .error-detail").inner_text()
            assert "权限" in detail and "Forbidden" not in page.content(), detail
            assert page.locator("html").get_attribute("lang") in ("zh-hans", "zh-Hans")
