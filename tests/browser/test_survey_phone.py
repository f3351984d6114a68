"""Issue 18 item 6 in a real browser (Playwright + Debian's Chromium) on a phone-sized screen (390×844):
a customer opens the survey link from the SMS, taps the answers, submits, and the answers become the
order's review; opening the link again says it is done. No CSP violation, no sideways scrolling."""

import os
import re
from pathlib import Path

import pytest

from care.models import Message
from customers.models import Review
from engage.models import SurveyInvitation

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(os.environ.get("SURVEY_SCREENSHOT", "/tmp/survey_phone_failure.png"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]


@pytest.fixture
def sent_survey(transactional_db, settings):
    from engage.services import survey_send
    from tests.engage.conftest import make_questionnaire
    from tests.factories import CustomerFactory, OrderFactory

    settings.CARE_QUIET_HOURS_START = settings.CARE_QUIET_HOURS_END = "00:00"
    questionnaire = make_questionnaire()
    customer = CustomerFactory(full_name="赵建国")
    order = OrderFactory(customer=customer)
    survey_send(questionnaire=questionnaire, customers=[customer])
    return order


@pytest.mark.django_db(transaction=True)
def test_customer_answers_the_survey_on_a_phone(live_server, sent_survey, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    path = re.search(r"(/public/engage/survey/\S+/)", Message.objects.get().body).group(1)

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                   is_mobile=True, has_touch=True).new_page()
        problems = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
        try:
            _scenario(page, live_server.url + path)
            assert problems == []
        except Exception:
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()

    review = Review.objects.get(order=sent_survey)
    assert (review.rating, review.recommend_score, review.source) == (4, 9, "survey")


def _scenario(page, url):
    page.goto(url)
    assert page.locator("h1").inner_text() == "服务满意度调查"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    fieldsets = page.locator("fieldset")
    assert fieldsets.count() == 3
    fieldsets.nth(0).get_by_text("满意", exact=True).tap()
    fieldsets.nth(1).get_by_text("9", exact=True).tap()
    fieldsets.nth(2).get_by_text("非常满意", exact=True).tap()
    box = fieldsets.nth(1).locator("label").nth(10).bounding_box()
    assert box["x"] + box["width"] <= 390 and box["height"] >= 40  # the 0–10 scale fits and is tappable
    page.fill("textarea[name=comment]", "司机很准时")
    page.click("button[type=submit]")
    page.wait_for_selector("#survey-done")
    assert "已记录" in page.locator("#survey-done").inner_text()
    assert SurveyInvitation.objects.get().answered_at is not None

    page.goto(url)  # the link again: done, nothing to answer
    assert page.locator("#survey-done").count() == 1 and page.locator("form").count() == 0
