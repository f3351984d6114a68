"""Numbers as staff read them: counts without ".00", money as ¥1,234.00, a rate's change in 个百分点,
hours in 小时; deadlines named in Chinese in the overdue queue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core import formats
from core.roles import Role


def test_counts_money_rates_and_hours():
    assert formats.count(Decimal("-2085.00")) == "-2,085" and formats.count(1234) == "1,234"
    assert formats.count(Decimal("2.50")) == "2.5" and formats.count(None) == "—"
    assert formats.money(Decimal("1234")) == "¥1,234.00" and formats.money(Decimal("-20.5")) == "-¥20.50"
    assert formats.rate(Decimal("12.50")) == "12.5%"
    assert formats.change(Decimal("1.50"), "rate") == "+1.5个百分点"
    assert formats.change(Decimal("-2085.00"), "count") == "-2,085"
    assert formats.figure(Decimal("3.0"), "hours") == "3小时"


@pytest.mark.django_db
def test_the_overdue_queue_names_missed_deadlines_in_chinese(client):
    from tests.complaints.factories import make_complaint
    from tests.factories import StaffFactory

    complaint = make_complaint()
    type(complaint).objects.filter(pk=complaint.pk).update(
        acknowledge_due_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    page = client.get(reverse("admin:complaints_complaint_queue")).content.decode()
    assert complaint.number in page and "color:#ba2121\">受理<" in page
    assert ">acknowledge<" not in page and "acknowledge," not in page


@pytest.mark.django_db
def test_admin_titles_read_as_chinese_without_spaces_around_the_model_name(client):
    from tests.complaints.factories import make_complaint
    from tests.factories import StaffFactory

    complaint = make_complaint()
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    change = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert "| 修改投诉 |" in change and "修改 投诉" not in change
    listing = client.get(reverse("admin:complaints_complaint_changelist")).content.decode()
    assert "选择要修改的投诉" in listing and "选择 投诉 来修改" not in listing
