"""Agents book, change and cancel orders for customers who call (issue 17 item 19; 004 订单预订/变更/退票流程)
on the company's own channel, through the same order service and rules as the platforms' API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers.models import ContactLog, Order, OrderEvent
from customers.services.orders import OrderError
from customers.services.phone_orders import (
    company_platform,
    phone_order_book,
    phone_order_cancel,
    phone_order_change,
)
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


def tomorrow_at(hour):
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)


def test_an_agent_books_from_the_customer_page_and_sees_the_order(agent_client, agent):
    customer = CustomerFactory(owner=agent)
    page = agent_client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    book_url = reverse("admin:customers_phoneorder_add") + f"?customer={customer.pk}"
    assert book_url in page.replace("&amp;", "&")

    response = agent_client.post(book_url, {
        "customer": customer.pk, "pickup_at": tomorrow_at(21).strftime("%Y-%m-%dT%H:%M"),
        "pickup": "上海市徐汇区漕溪北路88号圣爱大厦", "dropoff": "上海市闵行区莘庄地铁站北广场"})

    order = Order.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:customers_phoneorder_change", args=[order.pk])
    assert order.platform.code == "company" and order.status == Order.Status.BOOKED
    assert order.external_id.startswith("TEL-") and order.booked_at == tomorrow_at(21)
    assert order.pickup_address == "上海市徐汇区漕溪北路88号圣爱大厦"
    assert ContactLog.objects.filter(customer=customer, agent=agent, notes__contains=order.external_id).exists()
    listed = agent_client.get(reverse("admin:customers_phoneorder_changelist"))
    assert [o.pk for o in listed.context["cl"].result_list] == [order.pk]


def test_change_and_cancel_from_the_order_page(agent_client, agent):
    order = phone_order_book(customer=CustomerFactory(), actor=agent, pickup_at=tomorrow_at(20),
                             pickup="上海市静安区南京西路1266号恒隆广场")
    page = reverse("admin:customers_phoneorder_change", args=[order.pk])

    agent_client.post(page, {"_change": "1", "pickup_at": tomorrow_at(22).strftime("%Y-%m-%dT%H:%M"),
                             "pickup": "上海市静安区南京西路1266号恒隆广场", "dropoff": "浦东机场T2航站楼"})
    order.refresh_from_db()
    assert order.booked_at == tomorrow_at(22) and order.dropoff_address == "浦东机场T2航站楼"

    agent_client.post(page, {"_cancel": "1", "reason": "客户行程取消"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert "客户行程取消" in ContactLog.objects.filter(customer=order.customer).latest("pk").notes
    # a cancelled order cannot be changed any more: the same rule as the API (status only forward)
    with pytest.raises(OrderError):
        phone_order_change(order=order, actor=agent, pickup="别处")


def test_a_completed_company_order_cancelled_within_the_window_emits_the_cancelled_event(agent, settings):
    order = OrderFactory(platform=company_platform(), external_id="TEL-20261201-0001", status=Order.Status.COMPLETED,
                         booked_at=timezone.now() - dt.timedelta(days=2, hours=1),
                         finished_at=timezone.now() - dt.timedelta(days=2))

    phone_order_cancel(order=order, actor=agent, reason="重复扣费，退款")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCELLED).count() == 1


def test_after_the_window_a_completed_order_stands(agent, settings):
    settings.ORDER_CANCEL_WINDOW_DAYS = 7
    order = OrderFactory(platform=company_platform(), external_id="TEL-20261101-0001", status=Order.Status.COMPLETED,
                         booked_at=timezone.now() - dt.timedelta(days=10, hours=1),
                         finished_at=timezone.now() - dt.timedelta(days=10))
    with pytest.raises(OrderError) as refused:
        phone_order_cancel(order=order, actor=agent, reason="太晚了")
    assert refused.value.code == "cancel_window_passed"


def test_a_platforms_order_is_not_changed_here(agent):
    order = OrderFactory(status=Order.Status.BOOKED)
    with pytest.raises(OrderError) as refused:
        phone_order_cancel(order=order, actor=agent, reason="x")
    assert refused.value.code == "other_platform"


def test_the_api_rules_apply_to_the_booking(agent, settings):
    settings.ORDER_FEE_MAX = 3000
    with pytest.raises(OrderError) as refused:
        phone_order_book(customer=CustomerFactory(), actor=agent, pickup_at=tomorrow_at(20),
                         pickup="上海市黄浦区人民大道200号", fee=5000)
    assert refused.value.field == "fee"
    assert not Order.objects.exists()


def test_who_may_not_book_is_refused(client):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    client.force_login(analyst)
    assert client.get(reverse("admin:customers_phoneorder_add")).status_code == 403
