"""Commemoration days (001 篇2 各项纪念日): a customer's wedding anniversary, company founding day and
first ride are greeted like birthdays: once per occasion per year, with consent, outside quiet hours."""

import datetime as dt

import pytest
from django.urls import reverse

from care.models import Message, Occasion
from care.services import anniversary_greetings_enqueue, messages_dispatch_due
from core.roles import Role
from customers.models import AnniversaryKind, CustomerAnniversary
from tests.care.conftest import local
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _wedding(customer, date):
    return CustomerAnniversary.objects.create(customer=customer, kind=AnniversaryKind.objects.get(code="wedding"),
                                              date=date)


def test_default_kinds_and_their_greeting_occasions_exist():
    assert set(AnniversaryKind.objects.values_list("code", flat=True)) == {"wedding", "company_founding",
                                                                          "first_ride"}
    assert Occasion.objects.filter(kind=Occasion.Kind.ANNIVERSARY).count() == 3


def test_a_wedding_anniversary_is_greeted_on_the_day_once_a_year():
    couple = CustomerFactory(marketing_consent=True, full_name="张伟")
    _wedding(couple, dt.date(2015, 6, 18))
    _wedding(CustomerFactory(marketing_consent=True), dt.date(2015, 6, 19))
    counts = anniversary_greetings_enqueue(today=dt.date(2026, 6, 18), now=local(2026, 6, 18, 9), dispatch=False)
    message = Message.objects.get()
    assert counts["wedding"] == 1 and message.customer == couple
    assert "张伟" in message.body and "结婚纪念日" in message.body
    assert (message.year, message.dedupe_key, message.purpose) == (2026, "anniversary:wedding:2026", "anniversary")
    # a second run that day, and the next day's run, add nothing; next year greets again
    anniversary_greetings_enqueue(today=dt.date(2026, 6, 18), now=local(2026, 6, 18, 15), dispatch=False)
    assert Message.objects.count() == 1
    anniversary_greetings_enqueue(today=dt.date(2027, 6, 18), now=local(2027, 6, 18, 9), dispatch=False)
    assert Message.objects.filter(customer=couple).count() == 2


def test_two_occasions_of_one_customer_on_the_same_day_are_two_greetings():
    customer = CustomerFactory(marketing_consent=True, customer_type="enterprise", company_name="某某科技")
    _wedding(customer, dt.date(2010, 3, 8))
    CustomerAnniversary.objects.create(customer=customer, kind=AnniversaryKind.objects.get(code="company_founding"),
                                       date=dt.date(2012, 3, 8))
    anniversary_greetings_enqueue(today=dt.date(2026, 3, 8), now=local(2026, 3, 8, 9), dispatch=False)
    assert Message.objects.filter(customer=customer).count() == 2


def test_without_consent_the_greeting_is_recorded_as_skipped():
    _wedding(CustomerFactory(marketing_consent=False), dt.date(2015, 6, 18))
    anniversary_greetings_enqueue(today=dt.date(2026, 6, 18), now=local(2026, 6, 18, 9), dispatch=False)
    assert Message.objects.get().status == Message.Status.SKIPPED


def test_the_day_itself_is_not_an_anniversary():
    _wedding(CustomerFactory(marketing_consent=True), dt.date(2026, 6, 18))
    assert anniversary_greetings_enqueue(today=dt.date(2026, 6, 18), now=local(2026, 6, 18, 9),
                                         dispatch=False)["wedding"] == 0


def test_the_first_ride_anniversary_comes_from_the_first_completed_order():
    rider = CustomerFactory(marketing_consent=True, first_order_at=local(2024, 9, 2, 22, 30))
    CustomerFactory(marketing_consent=True, first_order_at=local(2026, 9, 2, 22, 30))  # this year: not yet
    counts = anniversary_greetings_enqueue(today=dt.date(2026, 9, 2), now=local(2026, 9, 2, 9), dispatch=False)
    assert counts["first_ride"] == 1 and Message.objects.get().customer == rider


def test_greetings_wait_for_the_end_of_quiet_hours(sms_log, settings):
    settings.CARE_QUIET_HOURS_START, settings.CARE_QUIET_HOURS_END = "21:00", "09:00"
    _wedding(CustomerFactory(marketing_consent=True), dt.date(2015, 6, 18))
    anniversary_greetings_enqueue(today=dt.date(2026, 6, 18), now=local(2026, 6, 18, 7), dispatch=False)
    assert messages_dispatch_due(now=local(2026, 6, 18, 7)) == 0
    assert Message.objects.get().status == Message.Status.QUEUED


def test_commemoration_days_are_entered_inline_on_the_customer_page(client):
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR, is_superuser=True))
    customer = CustomerFactory()
    page = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    body = page.content.decode()
    assert 'name="anniversaries-TOTAL_FORMS"' in body
    choices = page.context["inline_admin_formsets"][1].formset.empty_form.fields["kind"].queryset
    assert "first_ride" not in set(choices.values_list("code", flat=True))  # derived, never typed
