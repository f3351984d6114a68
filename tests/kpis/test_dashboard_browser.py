"""The dashboard in a real browser (headless Chromium through Playwright): the charts draw from the
locally served Chart.js, with data, and an analyst without the permission gets 403."""

import datetime as dt
import os
from pathlib import Path

import pytest

from core.roles import Role
from customers.models import Customer
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(os.environ.get("KPI_SCREENSHOT", "/tmp/kpis_dashboard.png"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
]


def _months_of_data():
    """Thirteen months of orders and reviews, and complaints, callbacks and tiers in October 2026."""
    from complaints.models import Category, Grade

    for rank, (code, name) in enumerate([("minor_grievance", "轻微抱怨"), ("complaint", "投诉")], start=1):
        Grade.objects.get_or_create(code=code, defaults={"name": name, "rank": rank, "owner_role": Role.CS_AGENT,
                                                         "acknowledge_hours": 24, "resolve_hours": 72,
                                                         "close_hours": 360})
    for code, name in [("driver_attitude", "司机态度"), ("detour_fee", "绕路或费用争议"), ("other", "其他")]:
        Category.objects.get_or_create(code=code, defaults={"name": name})
    team = b.team("客服一组")
    agents = [b.staff(f"agent{i}", team=team, full_name=name) for i, name in enumerate(["王芳", "李强", "张伟"])]
    customers = [b.customer(owner=agents[i % 3]) for i in range(12)]
    month = dt.date(2025, 10, 1)
    for step in range(13):
        for i, c in enumerate(customers[: 6 + step % 6]):
            o = b.order(c, finished=b.at(month.year, month.month, 3 + i, 20), fee=f"{60 + 5 * i}.00",
                        credited_owner=c.owner)
            b.review(o, 5 if (i + step) % 4 else 2, (i * 3 + step) % 11)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    october = list(customers[0].orders.filter(finished_at__month=10, finished_at__year=2026))
    for i, (grade, category) in enumerate([("minor_grievance", "driver_attitude"), ("complaint", "detour_fee"),
                                           ("minor_grievance", "other")]):
        b.complaint(received=b.at(2026, 10, 10 + i), order_=october[0] if october else None, grade=grade,
                    category=category, assignee=agents[i], acknowledged=b.at(2026, 10, 10 + i, 15))
    for i, c in enumerate(customers[:5]):
        b.callback(c, agents[i % 3], happened=b.at(2026, 10, 15 + i), satisfaction=4 + i % 2)
    for i, c in enumerate(customers):
        if i % 4:
            b.tier_change(c, 0, i % 4, b.at(2026, 9, 1))
    Customer.objects.update(created_at=b.at(2025, 1, 1))
    month = dt.date(2025, 10, 1)
    for _ in range(13):
        snapshot_compute_month(month=month, as_of=b.at(2026, 11, 2))
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _session_cookie(client, user, live_server):
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


@pytest.mark.django_db(transaction=True)
def test_manager_sees_charts_drawn_with_data_and_an_agent_gets_403(live_server, client, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    _months_of_data()
    manager = b.staff("manager", role=Role.OPERATIONS_MANAGER)
    agent = b.staff("agent", role=Role.CS_AGENT)
    manager_cookie = _session_cookie(client, manager, live_server)
    agent_cookie = _session_cookie(client.__class__(), agent, live_server)
    # Playwright's sync API runs an event loop in this thread; the live server does the ORM work.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            context.add_cookies([manager_cookie])
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            response = page.goto(f"{live_server.url}/dashboard/?month=2026-10")
            assert response.status == 200
            page.wait_for_selector("#kpi-dashboard[data-charts-drawn]", timeout=15000)
            assert errors == []
            drawn = page.evaluate("""() => window.kpiCharts.map(c => ({
                points: c.data.datasets.reduce((n, d) => n + d.data.filter(v => v !== null).length, 0),
                inked: (() => { const ctx = c.canvas.getContext('2d');
                                const px = ctx.getImageData(0, 0, c.canvas.width, c.canvas.height).data;
                                let n = 0; for (let i = 3; i < px.length; i += 4) { if (px[i]) n++; } return n; })()
            }))""")
            # 7 trend charts + complaints by category + by grade + tiers, each with data and ink on the canvas.
            assert len(drawn) == 10
            assert all(chart["points"] > 0 and chart["inked"] > 500 for chart in drawn), drawn
            assert page.locator(".kpi-card").count() >= 19
            assert "客户满意度" in page.content()
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            # The printable page: the print stylesheet hides the navigation and the buttons.
            page.emulate_media(media="print")
            assert not page.locator(".kpi-actions").is_visible()
            assert not page.locator("#header").is_visible()
            assert page.locator("#chart-satisfaction").is_visible()
            page.pdf(path=str(SCREENSHOT.with_suffix(".pdf")), landscape=True, print_background=True)

            agent_context = browser.new_context()
            agent_context.add_cookies([agent_cookie])
            assert agent_context.new_page().goto(f"{live_server.url}/dashboard/").status == 403
        finally:
            browser.close()
