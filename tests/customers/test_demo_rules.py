"""The demo company shows issue 17's customers features (items 18, 15, 20, 19)."""

from io import StringIO

import pytest
from django.core.management import call_command

from customers.management.commands import seed_demo as seed_demo_command
from customers.models import ContactLog

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One small demo company for the module's tests (seeding is slow)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            mp = pytest.MonkeyPatch()
            mp.setattr(seed_demo_command, "DEMO_APPS", ())
            out = StringIO()
            call_command("seed_demo", stdout=out, customers=150, drivers=20, seed=5)
            mp.undo()
            yield out.getvalue()
            transaction.set_rollback(True)


def test_agents_have_inquiries_waiting_one_late_and_a_history_of_answers(demo):
    waiting = ContactLog.objects.filter(reply_due_at__isnull=False, answered_at__isnull=True)
    assert waiting.exists() and waiting.filter(reply_late_at__isnull=False).exists()
    assert ContactLog.objects.filter(purpose=ContactLog.Purpose.SUGGESTION, answered_at__isnull=False).exists()
    assert "inquiries and suggestions:" in demo


def test_an_agent_booked_changed_and_cancelled_orders_by_phone(demo):
    from customers.models import Order

    phone = Order.objects.filter(platform__code="company")
    assert phone.filter(status=Order.Status.BOOKED).count() == 2
    assert phone.filter(status=Order.Status.CANCELLED).count() == 1
    assert "orders booked by phone: 3" in demo


def test_a_team_scoped_agent_with_a_request_and_a_break_glass(demo):
    from customers.models import CustomerAccessRequest

    assert CustomerAccessRequest.objects.filter(status="pending").count() == 1
    assert CustomerAccessRequest.objects.filter(kind="break_glass", status="approved").count() == 1


def test_pool_customers_were_reassigned_to_the_agent_who_served_them(demo):
    from customers.models import OwnershipChange

    # the two set up by the demo, and any other the history's contact log happens to hold
    assert OwnershipChange.objects.filter(reason=OwnershipChange.Reason.SERVED_TWICE).count() >= 2
    assert "pool customers given to" in demo
