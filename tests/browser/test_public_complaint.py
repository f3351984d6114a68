"""Issue 15, scenario 6, in a real browser (Playwright + Debian's Chromium) on a phone-sized screen
(390×844): the public form accepts "+86 139 1234 5678", refreshing the thank-you page files nothing, and
the status page shows the complaint's status. Screenshot on failure (PUBLIC_FORM_SCREENSHOT)."""

import os
from pathlib import Path

import pytest

from complaints.models import Complaint

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(os.environ.get("PUBLIC_FORM_SCREENSHOT", "/tmp/public_complaint_failure.png"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]


@pytest.fixture
def reference_rows(transactional_db):
    from django.core.cache import caches

    from tests.complaints.factories import ensure_reference_rows

    ensure_reference_rows()
    caches["api"].clear()


@pytest.mark.django_db(transaction=True)
def test_phone_user_files_a_complaint_refreshes_and_checks_its_status(live_server, reference_rows, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                   is_mobile=True, has_touch=True).new_page()
        problems = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
        try:
            _scenario(page, live_server.url)
            assert problems == []
        except Exception:
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()


def _scenario(page, base):
    page.goto(f"{base}/public/complaints/new/")
    mobile = page.locator("input[name=mobile]")
    assert mobile.get_attribute("inputmode") == "tel" and mobile.get_attribute("maxlength") is None
    page.fill("input[name=full_name]", "赵建国")
    mobile.fill("+86 139 1234 5678")
    assert mobile.input_value() == "+86 139 1234 5678"  # nothing cut
    page.fill("textarea[name=content]", "司机迟到四十分钟,电话也不接。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    page.click("button[type=submit]")

    page.wait_for_url("**/public/complaints/thanks/")
    number = page.locator("#complaint-number").inner_text().strip()
    complaint = Complaint.objects.get()
    assert number == complaint.number and complaint.complainant_mobile == "13912345678"

    page.reload()  # a refresh of the thank-you page
    page.reload()
    assert page.locator("#complaint-number").inner_text().strip() == number
    assert Complaint.objects.count() == 1

    page.goto(f"{base}/public/complaints/status/")
    page.fill("input[name=number]", number)
    page.fill("input[name=mobile]", "139 1234 5678")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/public/complaints/status/{number}/")
    assert page.locator("#complaint-status").inner_text().strip() == "已接收"  # "Received", in Chinese
