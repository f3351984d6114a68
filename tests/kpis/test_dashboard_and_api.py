"""The managers' dashboard, its exports and the monthly-figures API (read from snapshots only)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.roles import Role
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

API_FIELDS = [
    "month", "orders_total", "orders_completed", "customers_active", "customers_new", "satisfaction_rate",
    "complaint_rate", "complaints_per_1000_orders", "retention_rate", "nps", "complaints_total",
    "avg_acknowledge_hours", "avg_resolve_hours",
    "sla_acknowledge_rate", "sla_resolve_rate", "first_contact_resolution_rate", "reopen_rate",
    "repeat_purchase_rate", "avg_orders_per_customer", "revenue", "avg_clv", "tiers", "points", "callbacks",
    "care_messages", "warnings_raised", "warnings_worked", "inquiries", "inquiries_answered_in_time_rate",
    "appraisal_score", "computed_at",
]


@pytest.fixture
def figures():
    """September and October 2026 computed from a few orders, reviews, a complaint and a callback."""
    team = b.team("客服一组")
    agent = b.staff("agent_x", team=team, full_name="赵敏")
    c = b.customer(owner=agent)
    sep = b.order(c, finished=b.at(2026, 9, 5), fee="100.00", credited_owner=agent)
    oct1 = b.order(c, finished=b.at(2026, 10, 5), fee="80.00", credited_owner=agent)
    oct2 = b.order(b.customer(), finished=b.at(2026, 10, 6), fee="20.00")
    b.review(sep, 3, 5)
    b.review(oct1, 5, 10)
    b.review(oct2, 4, 8)
    b.complaint(received=b.at(2026, 10, 7), order_=oct2, assignee=agent, acknowledged=b.at(2026, 10, 7, 13))
    b.callback(c, agent, happened=b.at(2026, 10, 9), satisfaction=5)
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
        snapshot_compute_month(month=month, as_of=b.at(2026, 11, 2))
    return {"agent": agent, "team": team}


@pytest.fixture
def manager_client(client):
    client.force_login(b.staff("manager", role=Role.OPERATIONS_MANAGER))
    return client


@pytest.fixture
def analyst_client(client):
    client.force_login(b.staff("analyst", role=Role.DATA_ANALYST))
    return client


def test_manager_sees_the_months_cards_with_changes_and_links(manager_client, figures):
    response = manager_client.get("/dashboard/?month=2026-10")
    assert response.status_code == 200
    cards = {card["field"]: card for card in response.context["data"]["cards"]}
    assert cards["satisfaction_rate"]["value"] == Decimal("100.00")
    assert cards["satisfaction_rate"]["vs_previous"] == Decimal("100.00")  # September: 0 of 1 satisfied
    assert cards["satisfaction_rate"]["vs_last_year"] is None  # no October 2025 snapshot
    assert cards["orders_completed"]["value"] == 2
    assert "/admin/customers/order/?" in cards["orders_completed"]["link"]
    assert "finished_at__gte=2026-10-01T00%3A00%3A00%2B08%3A00" in cards["orders_completed"]["link"]
    assert "/admin/complaints/complaint/?" in cards["complaint_rate"]["link"]
    html = response.content.decode()
    assert 'src="/static/kpis/vendor/chart.min.js"' in html
    assert "kpi-chart-data" in html and 'id="chart-satisfaction"' in html
    assert "赵敏" in html  # the agent ranking


def test_the_trend_covers_thirteen_months_with_gaps_as_null(manager_client, figures):
    trend = manager_client.get("/dashboard/?month=2026-10").context["data"]["trend"]
    assert trend["months"][0] == "2025-10" and trend["months"][-1] == "2026-10" and len(trend["months"]) == 13
    satisfaction = next(c for c in trend["charts"] if c["key"] == "satisfaction")["series"][0]["data"]
    assert satisfaction[-2:] == [0.0, 100.0] and satisfaction[:-2] == [None] * 11


def test_without_a_month_the_latest_snapshot_is_shown(manager_client, figures):
    assert manager_client.get("/dashboard/").context["data"]["month"] == dt.date(2026, 10, 1)


def test_a_month_without_snapshot_answers_404_and_a_bad_month_too(manager_client, figures):
    assert manager_client.get("/dashboard/?month=2020-01").status_code == 404
    assert manager_client.get("/dashboard/?month=nonsense").status_code == 404


def test_an_analyst_reads_the_dashboard_its_exports_and_the_api(analyst_client, figures):
    # the same company figures the analyst already reads in the snapshots (issue 15)
    assert analyst_client.get("/dashboard/").status_code == 200
    assert analyst_client.get("/dashboard/export.csv?month=2026-10").status_code == 200
    assert analyst_client.get("/api/v1/kpis/monthly/2026-10/").status_code == 200


def test_an_agent_without_the_dashboard_permission_gets_403(client, figures):
    client.force_login(b.staff("agent_y", role=Role.CS_AGENT))
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/export.csv?month=2026-10").status_code == 403
    assert client.get("/api/v1/kpis/monthly/2026-10/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_dashboard_reads_snapshots_only_with_a_bounded_number_of_queries(manager_client, figures,
                                                                         django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert manager_client.get("/dashboard/?month=2026-10").status_code == 200


def test_csv_export_has_the_figures_and_rankings(manager_client, figures):
    response = manager_client.get("/dashboard/export.csv?month=2026-10")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kpis-2026-10.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "2026-10"
    by_label = {r[0]: r for r in rows if r}
    assert by_label["客户满意度"][1:4] == ["100.00", "0.00", "100.00"]  # value, September, change
    assert any(r and r[0] == "赵敏" for r in rows)


def test_excel_export_opens_with_the_figures(manager_client, figures):
    response = manager_client.get("/dashboard/export.xlsx?month=2026-10")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "2026-10"
    assert any(row[0] == "赵敏" for row in values)


def test_excel_export_speaks_chinese_with_numbers_as_numbers_and_shanghai_times(manager_client, figures):
    import datetime as dt

    from django.utils import timezone

    from kpis.models import MonthlySnapshot

    sheet = load_workbook(io.BytesIO(manager_client.get("/dashboard/export.xlsx?month=2026-10").content)).active
    rows = [row for row in sheet.iter_rows() if row[0].value is not None]
    by_label = {row[0].value: row for row in rows}
    computed = MonthlySnapshot.objects.get(month=dt.date(2026, 10, 1), scope_key="company").computed_at
    assert by_label["计算时间"][1].value == timezone.localtime(computed).replace(tzinfo=None, microsecond=0)
    assert by_label["客户满意度"][1].data_type == "n" and by_label["客户满意度"][6].value == "%"
    assert by_label["客户满意度"][7].value == "个百分点"  # a rate's change is in percentage points
    assert by_label["发放"][1].data_type == "n"  # points breakdown keyed in Chinese, not "earned"
    texts = {c.value for row in rows for c in row if isinstance(c.value, str)}
    assert not texts & {"earned", "redeemed", "due", "done", "sent", "failed", "queued"}


def test_export_of_a_month_without_snapshot_is_404(manager_client, figures):
    assert manager_client.get("/dashboard/export.xlsx?month=2020-01").status_code == 404


def test_api_returns_the_company_snapshot_with_exactly_the_defined_fields(manager_client, figures):
    response = manager_client.get("/api/v1/kpis/monthly/2026-10/")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == API_FIELDS
    assert body["month"] == "2026-10"
    assert body["orders_completed"] == 2 and body["satisfaction_rate"] == 100.0 and body["revenue"] == 100.0
    assert body["complaint_rate"] == 50.0 and body["complaints_total"] == 1
    assert body["callbacks"]["done"] == 1


def test_api_answers_404_when_no_snapshot_exists(manager_client, figures):
    assert manager_client.get("/api/v1/kpis/monthly/2020-01/").status_code == 404
    assert manager_client.get("/api/v1/kpis/monthly/2020-13/").status_code == 404


def test_api_lists_a_range_of_months(manager_client, figures):
    body = manager_client.get("/api/v1/kpis/monthly/?from=2026-09&to=2026-10").json()
    assert [row["month"] for row in body] == ["2026-09", "2026-10"]
    assert [row["month"] for row in manager_client.get("/api/v1/kpis/monthly/?from=2026-10").json()] == ["2026-10"]


@pytest.mark.parametrize("query", ["from=2026-13", "to=oct", "from=2026-10&to=2026-09"])
def test_api_rejects_bad_ranges_with_400(manager_client, figures, query):
    response = manager_client.get(f"/api/v1/kpis/monthly/?{query}")
    assert response.status_code == 400


def test_api_needs_a_login(client, figures):
    assert client.get("/api/v1/kpis/monthly/2026-10/").status_code in (401, 403)


def test_a_reporting_tool_reads_the_api_with_a_staff_token_and_an_agent_token_is_refused(client, figures):
    from rest_framework.authtoken.models import Token

    # given API tokens of a manager (dashboard permission) and of an agent (none)
    manager_token = Token.objects.create(user=b.staff("report_bot", role=Role.OPERATIONS_MANAGER))
    agent_token = Token.objects.create(user=b.staff("agent_bot", role=Role.CS_AGENT))
    # when each calls the API without a session
    ok = client.get("/api/v1/kpis/monthly/2026-10/", HTTP_AUTHORIZATION=f"Token {manager_token.key}")
    refused = client.get("/api/v1/kpis/monthly/2026-10/", HTTP_AUTHORIZATION=f"Token {agent_token.key}")
    # then the manager's tool gets the figures and the agent's is refused
    assert ok.status_code == 200 and ok.json()["month"] == "2026-10"
    assert refused.status_code == 403


def test_only_the_snapshot_of_the_company_is_served_by_the_api(manager_client, figures):
    assert MonthlySnapshot.objects.filter(month=dt.date(2026, 10, 1)).count() == 3  # company, team, agent
    assert len(manager_client.get("/api/v1/kpis/monthly/").json()) == 2


def test_every_figure_link_opens_its_filtered_admin_list(manager_client, figures):
    data = manager_client.get("/dashboard/?month=2026-10").context["data"]
    links = {card["link"] for card in data["cards"] if card["link"]} | {v for v in data["links"].values() if v}
    assert len(links) >= 6
    for link in sorted(links):
        response = manager_client.get(link)
        assert response.status_code == 200, link
        assert "e=1" not in response.get("Location", ""), link  # the admin rejected a filter
