"""Complaints through Loyalty (tier minimum, coupons, points) and Care (messages, callbacks)."""

from decimal import Decimal

import pytest

from care.models import Message
from complaints.models import Complaint, Remedy
from complaints.services import complaint_transition, remedy_propose
from core.roles import Role
from customers.models import ContactLog
from loyalty.models import Coupon, LoyaltyAccount, PointsEntry, Tier
from tests.complaints.factories import make_complaint
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status
INVESTIGATED = dict(cause="司机未按导航行驶", responsibility="driver", resolution_measures="道歉并赠送免单券")


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


def test_diamond_customers_complaint_is_at_least_a_grievance(agent):
    customer = CustomerFactory()
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.DIAMOND)
    assert make_complaint(actor=agent, customer=customer).grade.code == "grievance"


def test_approved_coupon_and_points_are_issued_through_loyalty_once(agent):
    order = OrderFactory()
    complaint = make_complaint(actor=agent, order=order)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    coupon = remedy_propose(complaint=complaint, kind=Remedy.Kind.FREE_RIDE_COUPON, amount=Decimal("80"),
                            actor=agent)
    points = remedy_propose(complaint=complaint, kind=Remedy.Kind.POINTS, points=500, actor=agent)
    for target in (S.RESOLUTION_PROPOSED, S.RESOLVED):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent, **INVESTIGATED)
    coupon.refresh_from_db()
    points.refresh_from_db()
    issued = Coupon.objects.get(customer=order.customer)
    assert issued.origin == Coupon.Origin.COMPLAINT_REMEDY and issued.amount == Decimal("80")
    assert coupon.loyalty_reference == issued.code and coupon.status == Remedy.Status.CARRIED_OUT
    assert PointsEntry.objects.get(customer=order.customer).points == 500


def test_customer_is_told_of_acknowledgement_and_resolution_through_the_care_outbox(
        agent, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    complaint = make_complaint(actor=agent, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_transition(complaint=complaint, to_status=S.ACKNOWLEDGED, actor=agent)
    message = Message.objects.get(customer=customer)
    assert message.dedupe_key == f"complaint:{complaint.number}:acknowledged"
    assert complaint.number in message.body and message.purpose == "complaint"


def test_resolution_schedules_a_follow_up_callback_linked_to_the_order(agent):
    order = OrderFactory()
    complaint = make_complaint(actor=agent, order=order)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING, S.RESOLUTION_PROPOSED, S.RESOLVED):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent, **INVESTIGATED)
    callback = ContactLog.objects.get(customer=order.customer, reason_key=f"complaint:{complaint.number}")
    assert callback.purpose == ContactLog.Purpose.COMPLAINT_FOLLOW_UP and callback.status == "scheduled"


def test_anonymising_a_customer_scrubs_the_complainant_details_but_keeps_the_complaint():
    from customers.services import customer_anonymise

    # given a complaint where the complainant left a name and phone beside their customer record
    customer = CustomerFactory()
    complaint = make_complaint(customer=customer, complainant_name="张伟", complainant_mobile="13800138000")
    assert complaint.complainant_mobile == "13800138000"
    # when the customer is anonymised (an approved deletion request)
    customer_anonymise(customer=customer, reason="客户申请注销")
    # then the complaint stays for the figures, without the personal details
    complaint.refresh_from_db()
    assert complaint.complainant_name == "" and complaint.complainant_mobile == ""
    assert complaint.number and complaint.category_id
