"""Surveys (issue 18 item 6): a questionnaire goes through the care outbox as a signed link, the public
page records the answers once, and the answers become the order's review (source survey)."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from care.models import Message
from core.roles import Role
from customers.models import Customer, Review
from engage import links
from engage.models import Segment, SurveyAnswer, SurveyInvitation
from engage.selectors import segment_customers
from engage.services import survey_link, survey_send
from tests.factories import CustomerFactory, OrderFactory, ReviewFactory, StaffFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def answers(invitation, satisfaction=5, recommend=10, smooth=4, comment=""):
    q = {x.role or "plain": x.pk for x in invitation.questionnaire.questions.all()}
    return {f"q{q['satisfaction']}": satisfaction, f"q{q['recommend']}": recommend, f"q{q['plain']}": smooth,
            "comment": comment}


def test_sending_to_a_segment_puts_one_message_with_a_signed_link_per_customer_in_the_outbox(
        client, questionnaire, no_quiet_hours):
    gold = CustomerFactory(full_name="王芳")
    CustomerFactory(status=Customer.Status.ANONYMISED)
    segment = Segment.objects.create(name="全部客户")

    result = survey_send(questionnaire=questionnaire, customers=segment_customers(segment))
    again = survey_send(questionnaire=questionnaire, customers=[gold])

    assert (result.sent, again.sent, again.already) == (1, 0, 1)
    message = Message.objects.get()
    invitation = SurveyInvitation.objects.get()
    assert message.customer == gold and message.purpose == "survey" and not message.requires_consent
    assert message.dedupe_key == f"survey:{questionnaire.pk}" and invitation.message == message
    link = re.search(r"http://localhost:8000(/public/engage/survey/\S+/)", message.body).group(1)
    assert "王芳您好" in message.body and client.get(link).status_code == 200


def test_in_quiet_hours_the_survey_waits_for_their_end(questionnaire, settings):
    settings.CARE_QUIET_HOURS_START, settings.CARE_QUIET_HOURS_END = "21:00", "09:00"
    customer = CustomerFactory()
    late = timezone.make_aware(dt.datetime(2026, 11, 3, 22, 30))

    survey_send(questionnaire=questionnaire, customers=[customer], now=late)

    assert timezone.localtime(Message.objects.get().send_after) == timezone.make_aware(dt.datetime(2026, 11, 4, 9, 0))


def test_a_customer_answers_on_the_public_page_and_the_answer_becomes_the_order_review(
        client, questionnaire, no_quiet_hours):
    customer = CustomerFactory()
    OrderFactory(customer=customer, booked_at=timezone.now() - dt.timedelta(days=3))
    latest = OrderFactory(customer=customer)
    survey_send(questionnaire=questionnaire, customers=[customer])
    invitation = SurveyInvitation.objects.get()
    url = path_of(survey_link(invitation))

    page = client.get(url)
    assert page.status_code == 200 and "您对本次代驾服务满意吗？" in page.content.decode()
    done = client.post(url, answers(invitation, satisfaction=4, recommend=9, comment="司机很专业"))

    assert done.status_code == 302 and "已记录" in client.get(url).content.decode()
    review = Review.objects.get(order=latest)
    assert (review.rating, review.recommend_score, review.source, review.comment) == (4, 9, "survey", "司机很专业")
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 3


def test_a_second_answer_changes_nothing(client, questionnaire, no_quiet_hours):
    customer = CustomerFactory()
    OrderFactory(customer=customer)
    survey_send(questionnaire=questionnaire, customers=[customer])
    invitation = SurveyInvitation.objects.get()
    url = path_of(survey_link(invitation))
    client.post(url, answers(invitation, satisfaction=5))

    second = client.post(url, answers(invitation, satisfaction=1))

    assert "已记录" in client.get(url).content.decode() and second.status_code == 200
    assert Review.objects.get().rating == 5 and SurveyAnswer.objects.count() == 3


def test_a_platform_review_is_never_overwritten_by_a_survey(client, questionnaire, no_quiet_hours):
    review = ReviewFactory(rating=2, recommend_score=3)
    survey_send(questionnaire=questionnaire, customers=[review.customer])
    invitation = SurveyInvitation.objects.get()

    client.post(path_of(survey_link(invitation)), answers(invitation, satisfaction=5, recommend=10))

    review.refresh_from_db()
    invitation.refresh_from_db()
    assert (review.rating, review.source) == (2, "platform") and invitation.answered_at and invitation.review is None


def test_a_customer_without_orders_can_answer_no_review_is_made(client, questionnaire, no_quiet_hours):
    customer = CustomerFactory()
    survey_send(questionnaire=questionnaire, customers=[customer])
    invitation = SurveyInvitation.objects.get()

    client.post(path_of(survey_link(invitation)), answers(invitation))

    assert SurveyInvitation.objects.get().answered_at is not None and not Review.objects.exists()


def test_an_incomplete_answer_is_refused_and_nothing_is_recorded(client, questionnaire, no_quiet_hours):
    customer = CustomerFactory()
    survey_send(questionnaire=questionnaire, customers=[customer])
    invitation = SurveyInvitation.objects.get()
    data = answers(invitation)
    data.popitem()  # the comment
    data.popitem()  # the third question
    data[next(iter(data))] = 7  # out of the five-level scale

    page = client.post(path_of(survey_link(invitation)), data)

    assert page.status_code == 200 and "请回答所有问题" in page.content.decode()
    assert SurveyAnswer.objects.count() == 0 and SurveyInvitation.objects.get().answered_at is None


def test_an_expired_or_tampered_or_foreign_link_opens_nothing(client, questionnaire, no_quiet_hours):
    customer = CustomerFactory()
    survey_send(questionnaire=questionnaire, customers=[customer])
    invitation = SurveyInvitation.objects.get()
    url = path_of(survey_link(invitation))
    rsvp_token = links.token_make(links.RSVP, invitation.pk)

    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.get(reverse("engage:survey", args=[rsvp_token])).status_code == 404
    assert client.get(reverse("engage:survey", args=[signing.dumps(invitation.pk)])).status_code == 404
    SurveyInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = client.get(url)
    assert expired.status_code == 410 and "已过期" in expired.content.decode()


def test_a_link_older_than_the_signing_limit_is_refused_even_if_the_row_says_valid(
        client, questionnaire, no_quiet_hours, settings):
    customer = CustomerFactory()
    survey_send(questionnaire=questionnaire, customers=[customer])
    url = path_of(survey_link(SurveyInvitation.objects.get()))
    SurveyInvitation.objects.update(expires_at=timezone.now() + dt.timedelta(days=400))
    settings.ENGAGE_LINK_MAX_AGE_DAYS = 0

    assert client.get(url).status_code == 404


def test_public_page_has_no_inline_script(client, questionnaire, no_quiet_hours):
    customer = CustomerFactory()
    survey_send(questionnaire=questionnaire, customers=[customer])
    page = client.get(path_of(survey_link(SurveyInvitation.objects.get()))).content.decode()

    assert "<script" not in page and " onclick" not in page


def test_a_manager_sends_from_the_admin_and_sees_the_results(client, questionnaire, no_quiet_hours):
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(manager)
    customer = CustomerFactory()
    OrderFactory(customer=customer)

    sent = client.post(reverse("admin:engage_questionnaire_send", args=[questionnaire.pk]), {"customer": customer.pk})
    invitation = SurveyInvitation.objects.get()
    client.logout()
    client.post(path_of(survey_link(invitation)), answers(invitation, satisfaction=5, recommend=10))
    client.force_login(manager)
    results = client.get(reverse("admin:engage_questionnaire_results", args=[questionnaire.pk]))

    assert sent.status_code == 302 and invitation.sent_by == manager
    text = results.content.decode()
    assert "NPS 100.00" in text and "100.00" in text
    assert client.get(reverse("admin:engage_questionnaire_changelist")).status_code == 200
    assert client.get(reverse("admin:engage_surveyinvitation_changelist")).status_code == 200


def test_an_agent_may_not_send_questionnaires(client, questionnaire):
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    customer = CustomerFactory()

    response = client.post(reverse("admin:engage_questionnaire_send", args=[questionnaire.pk]),
                           {"customer": customer.pk})

    assert response.status_code == 403 and not SurveyInvitation.objects.exists()
