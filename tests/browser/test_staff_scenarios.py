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
        page.set_default_timeout(8000)
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


# --- Scenario 5: the GM, start page → dashboard → Excel ------------------------------------------------------

def _two_months_and_this_one():
    """Orders in the month before last, last month and this month; the three snapshots computed."""
    import datetime as dt

    from django.utils import timezone

    from kpis.services import snapshot_compute_month
    from tests.kpis import builders as b

    this_month = timezone.localdate().replace(day=1)
    last = (this_month - dt.timedelta(days=1)).replace(day=1)
    before = (last - dt.timedelta(days=1)).replace(day=1)
    customers = [b.customer() for _ in range(3)]
    for month, fees in ((before, ["80.00"]), (last, ["100.00", "200.50", "1234.00"]), (this_month, ["60.00"])):
        for i, fee in enumerate(fees):
            b.order(customers[i % 3], finished=b.at(month.year, month.month, 1 + i, 10), fee=fee)
    for month in (before, last, this_month):
        snapshot_compute_month(month=month)
    return last


def _card(page, label):
    card = page.locator(".kpi-card", has=page.locator(".kpi-card-label", has_text=label)).first
    return card.locator(".kpi-card-value").inner_text().strip()


def test_gm_clicks_to_the_dashboard_of_last_month_and_exports_excel(browser_env, tmp_path):
    from openpyxl import load_workbook

    last = _two_months_and_this_one()
    gm = StaffFactory(role=Role.GENERAL_MANAGER)

    with browser_env.as_user(gm, "gm") as page:
        page.goto(browser_env.url("/admin/"))
        with page.expect_navigation():
            page.locator("#inbox-reports a", has_text="服务质量看板").click()
        heading = page.locator("#kpi-dashboard h1").inner_text()
        assert f"{last:%Y-%m}" in heading and page.locator(".kpi-partial-tag").count() == 0, heading
        orders_shown, revenue_shown = _card(page, "完成订单数"), _card(page, "营业额")
        assert orders_shown == "3", orders_shown
        assert revenue_shown.replace(",", "").endswith("1534.50"), revenue_shown

        with page.expect_download() as download_info:
            page.locator(".kpi-actions a", has_text="Excel").click()
        assert download_info.value.suggested_filename.endswith(".xlsx")
        path = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(path)

    sheet = load_workbook(path).active
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value is not None}
    assert sheet.title == f"{last:%Y-%m}"
    header = next(row for label, row in rows.items() if label == "指标")
    assert [c.value for c in header[:2]] == ["指标", "数值"]
    assert rows["完成订单数"][1].data_type == "n" and rows["完成订单数"][1].value == int(orders_shown)
    assert rows["营业额（元）"][1].data_type == "n"
    assert f"{rows['营业额（元）'][1].value:.2f}" == "1534.50"


# --- Scenario 3: a handover approved by the supervisor, confirmed by the receiver ------------------------------

def _open_the_one_row(page, inbox_label):
    with page.expect_navigation():
        page.locator("#inbox a", has_text=inbox_label).click()
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1, rows.all_inner_texts()
    with page.expect_navigation():
        rows.first.locator("th a, td a").first.click()


def test_supervisor_approves_a_handover_that_waits_in_the_receivers_start_page(browser_env):
    from customers import services
    from customers.models import Handover
    from tests.factories import SupervisorFactory

    supervisor = SupervisorFactory(last_name="周", first_name="敏")
    leaver = StaffFactory(team=supervisor.staff_profile.team, last_name="汤", first_name="雨婷")
    receiver = StaffFactory(team=supervisor.staff_profile.team, last_name="李", first_name="强")
    customers = [CustomerFactory(owner=leaver, full_name=name) for name in ("王建华", "陈丽")]
    services.handover_request(from_user=leaver, to_user=receiver, actor=supervisor, reason="离职")

    with browser_env.as_user(supervisor, "supervisor_handover") as page:
        page.goto(browser_env.url("/admin/"))
        _open_the_one_row(page, "待审批的客户交接")
        with page.expect_navigation():
            page.locator("#decisions input[type=submit][value=批准]").click()
        assert "已批准，待接收人确认" in page.locator("#content").inner_text()

    with browser_env.as_user(receiver, "receiver_handover") as page:
        page.goto(browser_env.url("/admin/"))
        section = page.locator("#inbox-customers_handovers")
        assert "交接给我、等待我确认的客户" in section.inner_text()
        assert section.locator("td").first.inner_text().strip() == "1"
        _open_the_one_row(page, "交接给我、等待我确认的客户")
        assert "王建华" in page.locator("#content").inner_text()
        with page.expect_navigation():
            page.locator("#decisions input[type=submit][value=确认接收]").click()
        assert "已确认" in page.locator("#content").inner_text()
        page.goto(browser_env.url("/admin/"))
        assert page.locator("#inbox-customers_handovers").count() == 0

    assert Handover.objects.get().status == Handover.Status.CONFIRMED
    assert {c.owner_id for c in type(customers[0]).objects.filter(pk__in=[c.pk for c in customers])} == {receiver.pk}


# --- Scenario 2: a hotline complaint from intake to its second closing ---------------------------------------

def _move(page, status, note=""):
    """Press the workflow button into ``status`` (the button's value is the status code)."""
    if note:
        page.fill("#id_transition_note", note)
    with page.expect_navigation():
        page.locator(f"#workflow button[name=to_status][value={status}]").click()
    errors = page.locator(".errorlist, .messagelist .error").all_inner_texts()
    assert not errors, errors


def _investigation(page, measures):
    """The investigation fields, sent with the next workflow move."""
    page.fill("textarea[name=cause]", "司机情绪失控")
    page.select_option("select[name=responsibility]", "driver")
    page.fill("textarea[name=resolution_measures]", measures)


def test_hotline_complaint_from_the_customer_page_to_a_second_closing(browser_env):
    from complaints.models import Complaint
    from tests.complaints.factories import ensure_reference_rows
    from tests.factories import OrderFactory, SupervisorFactory

    ensure_reference_rows()
    supervisor = SupervisorFactory(last_name="周", first_name="敏")
    agent = StaffFactory(team=supervisor.staff_profile.team, last_name="汤", first_name="雨婷")
    after_sales = StaffFactory(role=Role.AFTER_SALES, team=supervisor.staff_profile.team,
                               last_name="孙", first_name="磊")
    customer = CustomerFactory(owner=agent, full_name="王建华", mobile="13800138000")
    order = OrderFactory(customer=customer)
    OrderFactory()  # someone else's order: not offered

    with browser_env.as_user(agent, "complaint_intake") as page:
        page.goto(browser_env.url(f"/admin/customers/customer/{customer.pk}/change/"))
        with page.expect_navigation():
            page.locator("a", has_text="登记投诉").first.click()
        assert page.locator("select[name=customer], input[name=customer]").first.input_value() == str(customer.pk)
        offered = page.locator("select[name=order] option").evaluate_all("os => os.map(o => o.value)")
        assert [v for v in offered if v] == [str(order.pk)], offered
        page.select_option("select[name=order]", str(order.pk))
        page.select_option("select[name=channel]", "hotline")
        page.select_option("select[name=category]", label="司机态度")
        page.fill("textarea[name=content]", "司机态度恶劣，言语辱骂客户。")
        with page.expect_navigation():
            page.click("input[name=_save]")
        assert not page.locator(".errorlist").all_inner_texts()
    complaint = Complaint.objects.get()
    assert complaint.owner_role == Role.AFTER_SALES and complaint.assignee_id == after_sales.pk
    assert complaint.customer_id == customer.pk and complaint.order_id == order.pk
    change = f"/admin/complaints/complaint/{complaint.pk}/change/"

    with browser_env.as_user(after_sales, "complaint_after_sales") as page:
        page.goto(browser_env.url("/admin/"))
        mine = page.locator("#inbox-complaints_mine")
        assert mine.locator("tr", has_text="我未结的投诉").locator("td").inner_text().strip() == "1"
        nearest = mine.locator("tr", has_text=complaint.number)
        assert "剩余" in nearest.locator("td.inbox-countdown").inner_text(), nearest.inner_text()
        with page.expect_navigation():
            nearest.locator("a").click()
        assert page.url.endswith(change)
        _move(page, "acknowledged")
        _move(page, "investigating")
        page.select_option("select[name=remedy-kind]", "compensation")
        page.fill("input[name=remedy-amount]", "500")
        with page.expect_navigation():
            page.locator("#workflow button[formaction$='/remedy/']").click()
        assert "¥500" in page.locator("#remedy-decisions").inner_text()
        assert page.locator("#remedy-decisions button").count() == 0  # over the after-sales limit (¥200)
        _investigation(page, "向客户致歉并赔偿500元")
        _move(page, "resolution_proposed")

    with browser_env.as_user(supervisor, "complaint_supervisor") as page:
        page.goto(browser_env.url("/admin/"))
        approvals = page.locator("#inbox-complaints_supervision tr", has_text="等我审批的补救措施")
        assert approvals.locator("td").inner_text().strip() == "1"
        with page.expect_navigation():
            approvals.locator("a").click()
        with page.expect_navigation():
            page.locator("#result_list a", has_text=complaint.number).first.click()
        with page.expect_navigation():
            page.locator("#remedy-decisions button[formaction$='/approve/']").click()
        assert page.locator("#remedy-decisions").count() == 0

    with browser_env.as_user(after_sales, "complaint_resolution") as page:
        page.goto(browser_env.url(change))
        page.select_option("select[name=macro]", label="处理结果")
        reply = page.locator("#id_note_text").input_value()
        assert "王建华" in reply and complaint.number in reply and "{" not in reply, reply
        with page.expect_navigation():
            page.locator("#notes button[value=message]").click()
        _move(page, "resolved")
        _move(page, "follow_up")
        _move(page, "investigating", note="回访：客户不满意，司机未当面致歉")  # the follow-up says dissatisfied
        _investigation(page, "安排司机当面致歉，赔偿500元已到账")
        _move(page, "resolution_proposed")
        _move(page, "resolved")
        _move(page, "follow_up")
        _move(page, "closed", note="二次回访：客户满意")
        timeline = page.locator("#timeline-group").inner_text()

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED and complaint.reopen_count == 1
    remedy = complaint.remedies.get()
    assert remedy.status == "carried_out" and remedy.approved_by_id == supervisor.pk
    steps = ("已受理", "调查中", "已提出处理方案", "¥500.00 已批准", "已处理:", "已解决", "回访中",
             "客户不满意", "已结案")
    assert "原状态" in timeline and "新状态" in timeline and "移出人" not in timeline  # not the handover's words
    for step in steps:
        assert step in timeline, step
    assert timeline.count("已解决") >= 2 and timeline.count("已提出处理方案") >= 2
