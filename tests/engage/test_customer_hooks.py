"""Engagement when customers merges two records of one person or anonymises a customer (the handlers in
``engage/receivers.py``), driven through the real customers services: the kept customer holds the
survey and event invitations, an answer is never lost to an unanswered duplicate, nothing is counted
twice; anonymising removes the survey's free text and keeps the answers in the figures."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers.models import CustomerMerge, Review
from customers.services import customer_anonymise, customer_merge
from engage.models import AppreciationEvent, EventInvitation, SurveyAnswer, SurveyInvitation
from engage.selectors import event_counts, questionnaire_results
from engage.services import event_invite, event_respond, rsvp_link, survey_answer, survey_link, survey_send
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.engage.conftest import make_questionnaire
from tests.factories import CustomerFactory, OrderFactory, StaffFactory
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
R = EventInvitation.Response


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def values(questionnaire, satisfaction=5, recommend=10, plain=4) -> dict[int, int]:
    by_role = {q.role or "plain": q.pk for q in questionnaire.questions.all()}
    return {by_role["satisfaction"]: satisfaction, by_role["recommend"]: recommend, by_role["plain"]: plain}


def invitation_of(questionnaire, customer) -> SurveyInvitation:
    return SurveyInvitation.objects.get(questionnaire=questionnaire, customer=customer)


def merge(kept, duplicate) -> CustomerMerge:
    return customer_merge(kept=kept, duplicate=duplicate, actor=StaffFactory(role=Role.CS_SUPERVISOR),
                          reason="同一位客户，两个手机号")


def event(name, capacity=10) -> AppreciationEvent:
    return AppreciationEvent.objects.create(
        name=name, starts_at=timezone.now() + dt.timedelta(days=10), place="上海市黄浦区外滩18号",
        capacity=capacity, tiers=["gold"], requires_consent=False, message="{{ name }}您好：{{ event }} {{ link }}")


def test_after_a_merge_the_kept_customer_holds_the_surveys_and_the_answered_one_survives(client, no_quiet_hours):
    kept, duplicate = CustomerFactory(full_name="王芳"), CustomerFactory(full_name="王芳")
    both_one_answered, only_duplicate, both_answered, neither = (make_questionnaire(code) for code in
                                                                  ("q-dup-answered", "q-dup-only", "q-both", "q-none"))
    for q in (both_one_answered, both_answered, neither):
        survey_send(questionnaire=q, customers=[kept, duplicate])
    survey_send(questionnaire=only_duplicate, customers=[duplicate])
    survey_answer(invitation_id=invitation_of(both_one_answered, duplicate).pk,
                  values=values(both_one_answered, satisfaction=2), comment="司机迟到了")
    for customer, satisfaction in ((kept, 5), (duplicate, 1)):
        survey_answer(invitation_id=invitation_of(both_answered, customer).pk,
                      values=values(both_answered, satisfaction=satisfaction))
    answered_by_duplicate = invitation_of(both_one_answered, duplicate)
    lost_link = path_of(survey_link(invitation_of(both_one_answered, kept)))

    record = merge(kept, duplicate)

    # One invitation per questionnaire, all on the kept customer.
    assert not SurveyInvitation.objects.exclude(customer=kept).exists()
    assert sorted(SurveyInvitation.objects.values_list("questionnaire__code", flat=True)) == [
        "q-both", "q-dup-answered", "q-dup-only", "q-none"]
    # The duplicate's answer beats the kept customer's unanswered invitation, with its answers and comment.
    survived = invitation_of(both_one_answered, kept)
    assert survived.pk == answered_by_duplicate.pk and survived.comment == "司机迟到了"
    assert SurveyAnswer.objects.filter(invitation=survived).count() == 3
    # Both answered: the kept customer's answer stays, the person is counted once.
    both = questionnaire_results(both_answered)
    assert (both["sent"], both["answered"]) == (1, 1)
    assert list(SurveyAnswer.objects.filter(invitation__questionnaire=both_answered,
                                            question__role="satisfaction").values_list("value", flat=True)) == [5]
    assert [(r["sent"], r["answered"]) for r in map(questionnaire_results, (both_one_answered, neither))] == [
        (1, 1), (1, 0)]
    assert record.moved["engage_surveyinvitation"] == 2  # the answered one and the one only the duplicate had
    # The customer's links: the surviving answered one says it is done, the moved unanswered one still
    # opens the questionnaire, the one that lost to an answer says it is not valid.
    assert "已记录" in client.get(path_of(survey_link(survived))).content.decode()
    moved = invitation_of(only_duplicate, kept)
    assert client.get(path_of(survey_link(moved))).status_code == 200
    done = client.post(path_of(survey_link(moved)), {f"q{k}": v for k, v in values(only_duplicate).items()})
    assert done.status_code == 302 and invitation_of(only_duplicate, kept).answered_at is not None
    assert client.get(lost_link).status_code == 404


def test_after_a_merge_the_kept_customer_holds_the_event_invitations_and_places_are_not_taken_twice(
        client, no_quiet_hours):
    kept, duplicate = CustomerFactory(), CustomerFactory()
    dinner, tea, golf = event("金卡答谢晚宴"), event("下午茶"), event("高尔夫邀请赛")
    for e in (dinner, tea):
        event_invite(event=e, customers=[kept, duplicate])
    event_invite(event=golf, customers=[duplicate])
    invitation = {(e, c): EventInvitation.objects.get(event=e, customer=c)
                  for e in (dinner, tea, golf) for c in (kept, duplicate) if e != golf or c == duplicate}
    event_respond(invitation_id=invitation[dinner, duplicate].pk, response=R.ACCEPTED)  # kept: no answer
    event_respond(invitation_id=invitation[tea, kept].pk, response=R.ACCEPTED)
    event_respond(invitation_id=invitation[tea, duplicate].pk, response=R.ACCEPTED)
    assert event_counts(tea)["accepted"] == 2

    record = merge(kept, duplicate)

    assert not EventInvitation.objects.exclude(customer=kept).exists()
    rows = {i.event: i for i in EventInvitation.objects.filter(customer=kept)}
    assert set(rows) == {dinner, tea, golf} and EventInvitation.objects.count() == 3
    # The duplicate's yes survives over the kept customer's silence; on the tea both said yes: one guest.
    assert rows[dinner].pk == invitation[dinner, duplicate].pk and rows[dinner].response == R.ACCEPTED
    assert rows[tea].pk == invitation[tea, kept].pk
    for e in (dinner, tea):
        counts = event_counts(e)
        assert (counts["invited"], counts["accepted"], counts["places_left"]) == (1, 1, 9)
    assert record.moved["engage_eventinvitation"] == 2
    # The moved invitation's link still answers for the kept customer.
    url = path_of(rsvp_link(rows[golf]))
    assert client.post(url, {"response": "accepted"}).status_code == 302
    rows[golf].refresh_from_db()
    assert (rows[golf].customer, rows[golf].response, rows[golf].responded_via) == (kept, R.ACCEPTED, "link")


def test_anonymising_removes_the_survey_comment_but_the_answers_still_count(client, no_quiet_hours):
    customer, other = CustomerFactory(full_name="李雷"), CustomerFactory()
    order = OrderFactory(customer=customer, booked_at=b.at(2026, 10, 10, 20))
    OrderFactory(customer=other, booked_at=b.at(2026, 10, 11, 20))
    q = make_questionnaire("q-anon")
    survey_send(questionnaire=q, customers=[customer, other], now=b.at(2026, 10, 12, 10))
    comment = "李雷，住浦东世纪大道100号，司机很专业"
    survey_answer(invitation_id=invitation_of(q, customer).pk, values=values(q, satisfaction=5, recommend=10),
                  comment=comment, now=b.at(2026, 10, 13, 10))
    survey_answer(invitation_id=invitation_of(q, other).pk, values=values(q, satisfaction=2, recommend=3),
                  comment="还行", now=b.at(2026, 10, 13, 11))
    assert Review.objects.get(order=order).comment == comment

    customer_anonymise(customer=customer, reason="客户申请注销")

    # The free text is gone: from the invitation and from the order review the survey wrote.
    invitation = invitation_of(q, customer)
    assert invitation.comment == ""
    review = Review.objects.get(order=order)
    assert (review.rating, review.recommend_score, review.source, review.comment) == (5, 10, "survey", "")
    assert invitation_of(q, other).comment == "还行"  # nobody else's
    admin = StaffFactory(role=Role.GENERAL_MANAGER)
    client.force_login(admin)
    page = client.get(reverse("admin:engage_surveyinvitation_change", args=[invitation.pk]))
    assert page.status_code == 200 and "世纪大道" not in page.content.decode()
    # The answers stay and still count: the results page and the month's figures are unchanged.
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 3
    results = questionnaire_results(q)
    assert (results["sent"], results["answered"]) == (2, 2)
    snapshot_compute_month(month=dt.date(2026, 10, 1), as_of=b.at(2026, 11, 1, 0, 30))
    row = MonthlySnapshot.objects.get(month=dt.date(2026, 10, 1), scope_key="company")
    assert row.surveys == {"sent": 2, "answered": 2, "response_rate": "100.00", "rated": 2,
                           "satisfaction_rate": "50.00", "scored": 2, "nps": "0.00"}
    assert row.reviews_by_source["survey"] == {"reviews": 2, "satisfaction_rate": "50.00", "nps": "0.00"}
