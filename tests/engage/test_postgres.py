"""Engagement under concurrency (PostgreSQL: real row locks between connections). Each worker is a
thread with its own database connection; a barrier starts them together. A customer's double tap on
the public survey or RSVP page, two customers taking the last seat, two managers scheduling the same
campaign or sending the same questionnaire: one outcome each, nothing recorded twice."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from care.models import Message
from core.roles import Role
from customers.models import Review
from engage.errors import EngageError
from engage.models import (
    AppreciationEvent,
    Campaign,
    CampaignTemplate,
    EventInvitation,
    Segment,
    SurveyAnswer,
    SurveyInvitation,
)
from engage.services import campaign_schedule, event_invite, event_respond, rsvp_link, survey_link, survey_send
from tests.engage.conftest import make_questionnaire
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
R = EventInvitation.Response


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def at_once(*jobs) -> list:
    """Run each job in its own thread (its own connection), started together; their results in order
    (an exception is returned as the result)."""
    results, barrier = [None] * len(jobs), threading.Barrier(len(jobs))

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def post(url: str, data: dict):
    return lambda: Client().post(url, data)


def event(capacity: int) -> AppreciationEvent:
    return AppreciationEvent.objects.create(
        name="金卡客户答谢晚宴", starts_at=timezone.now() + dt.timedelta(days=10), place="上海市黄浦区外滩18号",
        capacity=capacity, tiers=["gold"], requires_consent=False, message="{{ name }}您好：{{ event }} {{ link }}")


def test_a_double_tap_on_the_survey_page_records_one_set_of_answers_and_one_review(no_quiet_hours):
    customer = CustomerFactory()
    order = OrderFactory(customer=customer)
    questionnaire = make_questionnaire()
    survey_send(questionnaire=questionnaire, customers=[customer])
    invitation = SurveyInvitation.objects.get()
    url = path_of(survey_link(invitation))
    q = {x.role or "plain": x.pk for x in questionnaire.questions.all()}

    def answers(satisfaction, recommend, comment):
        return {f"q{q['satisfaction']}": satisfaction, f"q{q['recommend']}": recommend, f"q{q['plain']}": 4,
                "comment": comment}

    pages = at_once(post(url, answers(5, 10, "很好")), post(url, answers(2, 3, "一般")))

    # Both taps land on the thank-you page (the second one finds the survey answered).
    assert [p.status_code for p in pages] == [302, 302]
    assert "已记录" in Client().get(url).content.decode()
    invitation.refresh_from_db()
    stored = dict(SurveyAnswer.objects.filter(invitation=invitation).values_list("question_id", "value"))
    assert len(stored) == 3 and invitation.answered_at is not None
    review = Review.objects.get(order=order)
    assert Review.objects.count() == 1 and invitation.review == review
    # One submission won, whole: the answers, the comment and the review all come from it.
    won = (stored[q["satisfaction"]], stored[q["recommend"]], invitation.comment)
    assert won in [(5, 10, "很好"), (2, 3, "一般")]
    assert (review.rating, review.recommend_score, review.comment, review.source) == (*won, "survey")


def test_a_double_tap_on_the_rsvp_page_takes_one_place_and_is_not_refused(no_quiet_hours):
    customer, other = CustomerFactory(), CustomerFactory()
    last_seat = event(capacity=2)
    event_invite(event=last_seat, customers=[customer, other])
    event_respond(invitation_id=EventInvitation.objects.get(customer=other).pk, response=R.ACCEPTED)
    invitation = EventInvitation.objects.get(customer=customer)
    url = path_of(rsvp_link(invitation))

    pages = at_once(post(url, {"response": "accepted"}), post(url, {"response": "accepted"}))

    # Neither tap is told the event is full: the second finds the customer already coming.
    assert [p.status_code for p in pages] == [302, 302]
    invitation.refresh_from_db()
    assert (invitation.response, invitation.responded_via) == (R.ACCEPTED, "link")
    assert last_seat.invitations.filter(response=R.ACCEPTED).count() == 2


def test_two_customers_taking_the_last_seat_at_once_one_gets_it(no_quiet_hours):
    first, second, already = CustomerFactory(), CustomerFactory(), CustomerFactory()
    dinner = event(capacity=2)
    event_invite(event=dinner, customers=[first, second, already])
    event_respond(invitation_id=EventInvitation.objects.get(customer=already).pk, response=R.ACCEPTED)
    urls = [path_of(rsvp_link(EventInvitation.objects.get(customer=c))) for c in (first, second)]

    pages = at_once(*(post(url, {"response": "accepted"}) for url in urls))

    assert dinner.invitations.filter(response=R.ACCEPTED).count() == dinner.capacity == 2
    assert sorted(p.status_code for p in pages) == [200, 302]
    refused = next(p for p in pages if p.status_code == 200).content.decode()
    assert "抱歉，名额已满" in refused


def test_a_rush_of_acceptances_never_overfills_the_event(no_quiet_hours):
    customers = [CustomerFactory() for _ in range(8)]
    dinner = event(capacity=3)
    event_invite(event=dinner, customers=customers)
    ids = list(EventInvitation.objects.order_by("pk").values_list("pk", flat=True))

    results = at_once(*(lambda pk=pk: event_respond(invitation_id=pk, response=R.ACCEPTED) for pk in ids))

    assert dinner.invitations.filter(response=R.ACCEPTED).count() == 3
    refusals = [r for r in results if isinstance(r, EngageError)]
    assert len(refusals) == 5 and {r.code for r in refusals} == {"full"}
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, EngageError)]


def test_scheduling_the_same_campaign_twice_at_once_queues_one_message_per_customer(no_quiet_hours):
    customers = [CustomerFactory(marketing_consent=True) for _ in range(5)]
    managers = [StaffFactory(role=Role.OPERATIONS_MANAGER) for _ in range(2)]
    template = CampaignTemplate.objects.create(  # (the flush took the seeded ones)
        code="pg-offer", name="优惠", kind="promotion", body="{{ name }}您好")
    campaign = Campaign.objects.create(name="十一出行优惠", kind="promotion", template=template,
                                       segment=Segment.objects.create(name="全部"),
                                       send_at=timezone.now() + dt.timedelta(hours=1))

    results = at_once(*(lambda m=m: campaign_schedule(campaign=campaign, actor=m) for m in managers))

    # One manager scheduled it; the other is told it is no longer a draft.
    assert sorted(results, key=lambda r: isinstance(r, EngageError))[0] == 5
    refused = [r for r in results if isinstance(r, EngageError)]
    assert len(refused) == 1 and refused[0].code == "not_draft"
    messages = Message.objects.filter(dedupe_key=f"campaign:{campaign.pk}")
    assert sorted(messages.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.enqueued) == ("scheduled", 5)


def test_sending_a_questionnaire_and_inviting_to_an_event_twice_at_once_reach_each_customer_once(
        no_quiet_hours):
    customers = [CustomerFactory(marketing_consent=True) for _ in range(6)]
    questionnaire, dinner = make_questionnaire(), event(capacity=10)

    sent = at_once(lambda: survey_send(questionnaire=questionnaire, customers=customers),
                   lambda: survey_send(questionnaire=questionnaire, customers=customers))
    invited = at_once(lambda: event_invite(event=dinner, customers=customers),
                      lambda: event_invite(event=dinner, customers=customers))

    assert sum(r.sent for r in sent) == sum(r.sent for r in invited) == 6
    assert sum(r.already for r in sent) == sum(r.already for r in invited) == 6
    for key, rows in ((f"survey:{questionnaire.pk}", SurveyInvitation.objects),
                      (f"event:{dinner.pk}", EventInvitation.objects)):
        assert rows.count() == 6
        assert Message.objects.filter(dedupe_key=key).count() == 6
