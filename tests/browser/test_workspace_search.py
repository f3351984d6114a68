"""Issue 15 scenario 1 (the search part) in Chromium: an agent logs in, presses "/", types
"+86 138 0013 8000", lands on the customer's page, then finds them again by the last 4 digits; the
sidebar shows the work groups. Screenshots:
on failure (WORKSPACE_SCREENSHOT); of the start and customer pages when WORKSPACE_SHOTS names a folder."""

import os
from pathlib import Path

import pytest

from core.roles import Role
from tests.factories import CustomerFactory, StaffFactory

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(os.environ.get("WORKSPACE_SCREENSHOT", "/tmp/workspace_search_failure.png"))
SHOTS = os.environ.get("WORKSPACE_SHOTS")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]


@pytest.mark.django_db(transaction=True)
def test_agent_presses_slash_searches_a_mobile_and_lands_on_the_customer(live_server, monkeypatch, settings):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    StaffFactory(username="agent1", role=Role.CS_AGENT, last_name="汤", first_name="雨婷",
                 password="pw-Long-123456")
    customer = CustomerFactory(full_name="王建华", mobile="13800138000")

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}).new_page()
        problems = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
        try:
            _scenario(page, live_server.url, customer)
            assert problems == []
        except Exception:
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()


def _scenario(page, base, customer):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", "pw-Long-123456")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    groups = page.locator("#nav-sidebar details.work-group > summary").all_inner_texts()
    assert groups == ["工作台", "客户", "订单", "投诉", "会员与积分", "关怀", "考核", "报表", "系统设置"]
    assert page.locator("#nav-sidebar details[data-group='系统设置']").get_attribute("open") is None
    _shot(page, "start_page.png")

    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "staff-search-q"
    page.keyboard.type("+86 138 0013 8000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/admin/customers/customer/{customer.pk}/change/"
    assert "王建华" in page.content()
    _shot(page, "customer_page.png")

    page.locator("#content h1").click()  # out of any field: "/" is the shortcut again
    page.keyboard.press("/")
    page.keyboard.type("8000")  # the last 4 digits (agents see whole mobiles)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/admin/customers/customer/{customer.pk}/change/"


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=False)
