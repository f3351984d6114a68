"""New-profile review within 12 hours (001 篇2): a profile entered by staff waits for a supervisor's
approval; the queue counts down; the job flags late ones once; platform-created customers are exempt."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers.errors import NotAllowed
from customers.models import Customer, ProfileReview
from customers.services import customer_create
from customers.services.profile_review import profile_review_approve, profile_reviews_flag_late
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _entered(agent, mobile="13812345678"):
    return customer_create(actor=agent, full_name="王建国", mobile=mobile)


def test_a_profile_entered_by_staff_is_pending_for_12_hours():
    agent = StaffFactory(role=Role.CS_AGENT)
    customer = _entered(agent)
    review = ProfileReview.objects.get(customer=customer)
    assert review.status == ProfileReview.Status.PENDING and review.created_by == agent
    assert abs((review.due_at - review.created_at) - dt.timedelta(hours=12)) < dt.timedelta(seconds=1)


def test_a_platform_created_customer_is_exempt():
    customer = customer_create(actor=None, full_name="李娜", mobile="13812345679", source=Customer.Source.PLATFORM)
    assert not ProfileReview.objects.filter(customer=customer).exists()


def test_only_a_supervisor_other_than_the_author_approves():
    agent, supervisor = StaffFactory(role=Role.CS_AGENT), StaffFactory(role=Role.CS_SUPERVISOR)
    review = ProfileReview.objects.get(customer=_entered(agent))
    with pytest.raises(NotAllowed):
        profile_review_approve(review=review, actor=agent)
    entered_by_supervisor = ProfileReview.objects.get(customer=_entered(supervisor, "13812345670"))
    with pytest.raises(NotAllowed):
        profile_review_approve(review=entered_by_supervisor, actor=supervisor)
    profile_review_approve(review=review, actor=supervisor)
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (ProfileReview.Status.APPROVED, supervisor)


def test_the_job_flags_late_reviews_once_and_tells_the_supervisors(django_capture_on_commit_callbacks):
    StaffFactory(role=Role.CS_SUPERVISOR, email="hq@example.com")
    agent = StaffFactory(role=Role.CS_AGENT)
    late = ProfileReview.objects.get(customer=_entered(agent))
    on_time = ProfileReview.objects.get(customer=_entered(agent, "13812345671"))
    ProfileReview.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert profile_reviews_flag_late() == 1
        assert profile_reviews_flag_late() == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.late_at is not None and on_time.late_at is None
    assert [m.to for m in mail.outbox] == [["hq@example.com"]]


def test_the_queue_counts_down_and_approves_by_post(client):
    agent, supervisor = StaffFactory(role=Role.CS_AGENT), StaffFactory(role=Role.CS_SUPERVISOR)
    review = ProfileReview.objects.get(customer=_entered(agent))
    client.force_login(supervisor)
    url = reverse("admin:customers_profilereview_changelist")
    assert 'class="review-countdown"' in client.get(url).content.decode()
    customer_page = client.get(reverse("admin:customers_customer_change", args=[review.customer_id]))
    assert 'id="pending-review-notice"' in customer_page.content.decode()
    client.post(url, {"action": "approve", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.status == ProfileReview.Status.APPROVED
