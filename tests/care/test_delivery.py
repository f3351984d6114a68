"""Delivering the outbox: consent, quiet hours, retries with backoff, resend, one-off messages."""

import datetime as dt

import pytest
from django.utils.translation import gettext

from care.channels import PermanentDeliveryError, TransientDeliveryError
from care.channels.sms import LoggingSmsBackend
from care.errors import CareError
from care.models import Channel, Message
from care.services import message_deliver, message_enqueue, message_resend, messages_dispatch_due
from customers.models import Customer, PlatformAccount
from tests.care.conftest import local
from tests.factories import CustomerFactory, PlatformFactory

pytestmark = pytest.mark.django_db

MORNING = local(2026, 11, 23, 10)


class FlakySms(LoggingSmsBackend):
    failures = 0
    permanent = False

    def send(self, **kwargs):
        if FlakySms.failures:
            FlakySms.failures -= 1
            raise (PermanentDeliveryError if FlakySms.permanent else TransientDeliveryError)("provider down")
        return super().send(**kwargs)


def queued(customer, **fields):
    fields.setdefault("body", "您好")
    fields.setdefault("requires_consent", False)
    fields.setdefault("send_after", MORNING - dt.timedelta(minutes=1))
    return Message.objects.create(customer=customer, **fields)


def test_queued_message_is_sent_through_the_sms_backend(sms_log):
    customer = CustomerFactory(marketing_consent=True)
    message = queued(customer, requires_consent=True)
    assert message_deliver(message_id=message.pk, now=MORNING).status == "sent"
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1 and message.sent_at == MORNING
    assert sms_log[-1] == {"to": customer.mobile, "body": "您好"}


def test_a_sent_message_is_never_sent_again(sms_log):
    message = queued(CustomerFactory())
    message_deliver(message_id=message.pk, now=MORNING)
    assert message_deliver(message_id=message.pk, now=MORNING).status == "noop"
    assert len(sms_log) == 1


def test_consent_withdrawn_after_queueing_skips_the_message_with_the_reason(sms_log):
    customer = CustomerFactory(marketing_consent=True)
    message = queued(customer, requires_consent=True)
    Customer.objects.filter(pk=customer.pk).update(marketing_consent=False)
    assert message_deliver(message_id=message.pk, now=MORNING).status == "skipped"
    message.refresh_from_db()
    assert message.status == Message.Status.SKIPPED and message.status_reason == gettext("no marketing consent")
    assert sms_log == []


def test_quiet_hours_defer_sending_to_nine_in_the_morning(sms_log):
    message = queued(CustomerFactory(), send_after=local(2026, 11, 23, 20))
    late_evening = local(2026, 11, 23, 22, 30)
    assert message_deliver(message_id=message.pk, now=late_evening).status == "deferred"
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.send_after == local(2026, 11, 24, 9)
    assert sms_log == []
    # the dispatcher hands nothing over during quiet hours, and the message once they end
    assert messages_dispatch_due(now=late_evening) == 0
    assert message_deliver(message_id=message.pk, now=local(2026, 11, 24, 9, 1)).status == "sent"


def test_transient_failures_retry_with_backoff_then_fail_with_the_reason(settings):
    settings.CARE_SMS_BACKEND = "tests.care.test_delivery.FlakySms"
    settings.CARE_DELIVERY_MAX_ATTEMPTS = 3
    settings.CARE_DELIVERY_BACKOFF_SECONDS = 60
    FlakySms.failures, FlakySms.permanent = 10, False
    message = queued(CustomerFactory())
    first = message_deliver(message_id=message.pk, now=MORNING)
    assert (first.status, first.retry_in) == ("retry", 60)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.send_after == MORNING + dt.timedelta(seconds=60)
    # not due yet: a premature run does nothing
    assert message_deliver(message_id=message.pk, now=MORNING).status == "not_due"
    second = message_deliver(message_id=message.pk, now=MORNING + dt.timedelta(seconds=60))
    assert second.retry_in == 120
    third = message_deliver(message_id=message.pk, now=MORNING + dt.timedelta(seconds=180))
    assert third.status == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 3
    assert "provider down" in message.status_reason


def test_permanent_failure_fails_at_once(settings):
    settings.CARE_SMS_BACKEND = "tests.care.test_delivery.FlakySms"
    FlakySms.failures, FlakySms.permanent = 1, True
    message = queued(CustomerFactory())
    assert message_deliver(message_id=message.pk, now=MORNING).status == "failed"


def test_resend_queues_a_failed_message_again_but_never_a_sent_one(sms_log):
    customer = CustomerFactory()
    failed = queued(customer, status=Message.Status.FAILED, attempts=5, status_reason="provider down")
    message_resend(message=failed, now=MORNING)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Message.Status.QUEUED, 0)
    assert message_deliver(message_id=failed.pk, now=MORNING).status == "sent"
    with pytest.raises(CareError):
        message_resend(message=failed, now=MORNING)


def test_customer_without_an_address_on_the_channel_is_skipped():
    message = queued(CustomerFactory(email=""), channel=Channel.EMAIL)
    assert message_deliver(message_id=message.pk, now=MORNING).status == "skipped"
    message.refresh_from_db()
    assert message.status_reason


def test_email_goes_through_djangos_email_backend():
    from django.core import mail

    message = queued(CustomerFactory(email="li@example.com"), channel=Channel.EMAIL, subject="节日快乐")
    assert message_deliver(message_id=message.pk, now=MORNING).status == "sent"
    assert mail.outbox[-1].to == ["li@example.com"] and mail.outbox[-1].subject == "节日快乐"


def test_push_posts_to_the_webhook_of_the_customers_platform(monkeypatch):
    import json

    platform = PlatformFactory(push_webhook_url="https://push.example.com/hook")
    customer = CustomerFactory(source_platform=platform)
    PlatformAccount.objects.create(platform=platform, customer=customer, external_user_id="u-42")
    calls = []

    def fake_transport(*, host, port, path, address, body):  # the third-party endpoint, not our database
        calls.append((host, address, path, json.loads(body)))
        return 200, b'{"id": "p-1"}'

    # push.example.com resolves to a public address (a documentation range stands in for it)
    monkeypatch.setattr("core.webhooks.socket.getaddrinfo",
                        lambda host, port, **kw: [(2, 1, 6, "", ("93.184.216.34", port))])
    monkeypatch.setattr("core.webhooks._transport", fake_transport)
    message = queued(customer, channel=Channel.PUSH, body="中秋快乐")
    assert message_deliver(message_id=message.pk, now=MORNING).status == "sent"
    assert calls == [("push.example.com", "93.184.216.34", "/hook",
                      {"user_id": "u-42", "title": "安心代驾", "body": "中秋快乐", "message_id": message.pk})]
    message.refresh_from_db()
    assert message.provider_ref == "p-1"


def test_one_off_message_is_idempotent_by_dedupe_key_and_needs_no_marketing_consent(
        sms_log, django_capture_on_commit_callbacks):
    customer = CustomerFactory(marketing_consent=False)
    with django_capture_on_commit_callbacks(execute=False):
        first = message_enqueue(customer=customer, body="您的投诉已受理", purpose="complaint",
                                dedupe_key="complaint:TS2611-0007:ack", send_after=MORNING)
        second = message_enqueue(customer=customer, body="您的投诉已受理", purpose="complaint",
                                 dedupe_key="complaint:TS2611-0007:ack", send_after=MORNING)
    assert first.pk == second.pk and Message.objects.count() == 1
    assert message_deliver(message_id=first.pk, now=MORNING).status == "sent"


def test_one_off_message_refuses_bad_input_and_anonymised_customers():
    with pytest.raises(CareError):
        message_enqueue(customer=CustomerFactory(), body="   ")
    with pytest.raises(CareError):
        message_enqueue(customer=CustomerFactory(), body="hi", channel="fax")
    with pytest.raises(CareError):
        message_enqueue(customer=CustomerFactory(status=Customer.Status.ANONYMISED, mobile=None), body="hi")


def test_dispatcher_hands_each_due_message_over_once_until_it_is_stale(settings, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    due = queued(customer)
    queued(CustomerFactory(), send_after=MORNING + dt.timedelta(hours=1))  # not due yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert messages_dispatch_due(now=MORNING) == 1
        assert messages_dispatch_due(now=MORNING + dt.timedelta(minutes=5)) == 0
    assert len(callbacks) == 1
    # a task lost with a dead worker: after the redispatch window the message is handed over again
    later = MORNING + dt.timedelta(seconds=settings.CARE_REDISPATCH_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert messages_dispatch_due(now=later) == 2
    due.refresh_from_db()
    assert due.dispatched_at == later


def test_birthday_benefit_coupon_is_issued_through_loyalty_once_when_the_greeting_is_sent(sms_log):
    from loyalty.models import Coupon

    customer = CustomerFactory(marketing_consent=True)
    message = queued(customer, purpose="birthday", occasion_date=dt.date(2026, 11, 23),
                     coupon={"kind": "percent", "amount": None, "percent": "20.00", "valid_days": 1})
    assert message_deliver(message_id=message.pk, now=MORNING).status == "sent"
    coupon = Coupon.objects.get(customer=customer)
    assert (coupon.kind, coupon.percent, coupon.origin) == ("percent", 20, Coupon.Origin.BIRTHDAY)
    assert (coupon.valid_from, coupon.valid_until) == (dt.date(2026, 11, 23), dt.date(2026, 11, 23))
    message.refresh_from_db()
    assert message.coupon_ref == coupon.code


def test_a_coupon_loyalty_refuses_fails_the_message_with_loyaltys_reason(sms_log):
    message = queued(CustomerFactory(), purpose="holiday", occasion_date=dt.date(2026, 10, 1),
                     coupon={"kind": "fixed", "amount": None, "percent": None, "valid_days": 7})
    assert message_deliver(message_id=message.pk, now=MORNING).status == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.status_reason and sms_log == []


def test_http_sms_provider_errors_map_to_retry_or_failure(settings, monkeypatch):
    import urllib.error

    settings.CARE_SMS_BACKEND = "care.channels.sms.HttpSmsBackend"
    settings.CARE_SMS_PROVIDER_URL = "https://sms.example.com/send"
    codes = iter([503, 400])

    def fake_urlopen(request, timeout):  # the provider's endpoint, not our database
        raise urllib.error.HTTPError(request.full_url, next(codes), "error", {}, None)

    monkeypatch.setattr("care.channels.sms.urllib.request.urlopen", fake_urlopen)
    message = queued(CustomerFactory())
    assert message_deliver(message_id=message.pk, now=MORNING).status == "retry"
    later = MORNING + dt.timedelta(hours=1)
    assert message_deliver(message_id=message.pk, now=later).status == "failed"
    message.refresh_from_db()
    assert "400" in message.status_reason and message.attempts == 2


def test_delivery_task_sends_a_queued_message(sms_log, settings):
    from care.tasks import deliver_message

    settings.CARE_QUIET_HOURS_START = settings.CARE_QUIET_HOURS_END = "00:00"  # the suite may run at night
    message = queued(CustomerFactory(), send_after=local(2000, 1, 1, 10))
    assert deliver_message.apply(args=[message.pk]).get() == "sent"
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT


def test_anonymising_a_customer_skips_queued_messages_and_scrubs_message_texts():
    from customers.services import customer_anonymise

    # given a sent greeting and a queued one, both naming the customer
    customer = CustomerFactory(full_name="李娜")
    sent = message_enqueue(customer=customer, body="李娜您好，生日快乐", dedupe_key="a", send_after=MORNING)
    Message.objects.filter(pk=sent.pk).update(status=Message.Status.SENT)
    waiting = message_enqueue(customer=customer, body="李娜您好，中秋快乐", dedupe_key="b", send_after=MORNING)
    # when the customer is anonymised
    customer_anonymise(customer=customer, reason="客户申请注销")
    # then nothing more goes out, and no text keeps the name; the rows stay for the campaign figures
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.SKIPPED
    assert not Message.objects.filter(customer=customer, body__contains="李娜").exists()
    assert Message.objects.filter(customer=customer).count() == 2
