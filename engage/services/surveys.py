"""Sending questionnaires and recording answers. Every message goes through care's outbox
(``care.services.message_enqueue``): quiet hours, the anonymised-customer refusal, and one message per
customer and questionnaire (dedupe key ``survey:<id>``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import _template_engine
from care.services import message_enqueue, next_send_time
from customers.models import Customer, Order, Review
from customers.services import order_events_emit
from engage import links, rules
from engage.errors import EngageError
from engage.models import Question, Questionnaire, SurveyAnswer, SurveyInvitation


@dataclass
class SendResult:
    sent: int = 0
    already: int = 0


def survey_link(invitation: SurveyInvitation) -> str:
    token = links.token_make(links.SURVEY, invitation.pk)
    return links.public_url(reverse("engage:survey", args=[token]))


def _check_sendable(questionnaire: Questionnaire, actor) -> None:
    if actor is not None and not actor.has_perm("engage.send_questionnaire"):
        raise EngageError(_("You may not send questionnaires to customers."), code="not_allowed")
    if not questionnaire.is_active:
        raise EngageError(_("This questionnaire is no longer in use."), code="inactive")
    if not questionnaire.questions.exists():
        raise EngageError(_("The questionnaire has no questions yet."), code="empty")


def _latest_order_id(customer_id: int) -> int | None:
    return (Order.objects.filter(customer_id=customer_id, status=Order.Status.COMPLETED)
            .order_by("-finished_at").values_list("pk", flat=True).first())


def _invite(questionnaire: Questionnaire, customer: Customer, *, actor, now: dt.datetime) -> bool:
    """One invitation and its message; False when the customer already had this questionnaire."""
    with transaction.atomic():
        invitation, created = SurveyInvitation.objects.get_or_create(
            questionnaire=questionnaire, customer=customer,
            defaults={"order_id": _latest_order_id(customer.pk), "sent_by": actor, "created_at": now,
                      "expires_at": now + dt.timedelta(days=questionnaire.valid_days)})
        if not created:
            return False
        context = {"name": customer.full_name, "link": survey_link(invitation), "company": settings.COMPANY_NAME}
        body = _template_engine.from_string(questionnaire.message).render(Context(context, autoescape=False))
        invitation.message = message_enqueue(customer=customer, body=body, purpose="survey",
                                             dedupe_key=f"survey:{questionnaire.pk}", send_after=next_send_time(now))
        invitation.save(update_fields=["message"])
    return True


def survey_send(*, questionnaire: Questionnaire, customers, actor=None, now: dt.datetime | None = None) -> SendResult:
    """Send ``questionnaire`` to ``customers`` (a queryset or list): one invitation and one outbox message
    per customer, never twice (a customer who already had it is counted in ``already``). A survey is a
    service message (no marketing consent needed); the outbox keeps it out of the quiet hours.
    Anonymised customers are left out. Refuses an inactive or empty questionnaire, or an actor
    without ``engage.send_questionnaire``."""
    _check_sendable(questionnaire, actor)
    now = now or timezone.now()
    result = SendResult()
    for customer in customers:
        if customer.status == Customer.Status.ANONYMISED:
            continue
        if _invite(questionnaire, customer, actor=actor, now=now):
            result.sent += 1
        else:
            result.already += 1
    return result


def _review_from_answers(invitation: SurveyInvitation, values: dict[int, int], roles: dict[str, int]) -> None:
    """The answer becomes the order's review (source survey) when the order has none: a platform's or a
    callback's review is never overwritten."""
    if invitation.order_id is None or "satisfaction" not in roles:
        return
    review, created = Review.objects.get_or_create(
        order_id=invitation.order_id,
        defaults={"customer_id": invitation.customer_id, "rating": values[roles["satisfaction"]],
                  "recommend_score": values.get(roles.get("recommend")), "comment": invitation.comment,
                  "source": Review.Source.SURVEY})
    if created:
        invitation.review = review
        invitation.save(update_fields=["review"])
        order_events_emit(order_ids=[invitation.order_id], kind="reviewed")


def survey_answer(*, invitation_id: int, values: dict[int, int], comment: str = "",
                  now: dt.datetime | None = None) -> SurveyInvitation:
    """Record a customer's answers, once. Every question must be answered within its scale. Refuses
    (``EngageError``) an expired link and a second answer (``already_answered``). The satisfaction and
    recommend answers become the order's review (source survey) if the order has none."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation_id)
        if invitation.answered_at is not None:
            raise EngageError(_("This survey has already been answered. Thank you!"), code="already_answered")
        if invitation.expires_at <= now:
            raise EngageError(_("This survey link has expired."), code="expired")
        questions = list(Question.objects.filter(questionnaire_id=invitation.questionnaire_id))
        if rules.answers_missing_or_invalid({q.pk: q.values for q in questions}, values):
            raise EngageError(_("Please answer every question."), code="incomplete")
        try:
            SurveyAnswer.objects.bulk_create([SurveyAnswer(invitation=invitation, question=q, value=values[q.pk])
                                              for q in questions])
        except IntegrityError as exc:
            raise EngageError(_("This survey has already been answered. Thank you!"),
                              code="already_answered") from exc
        invitation.answered_at, invitation.comment = now, comment.strip()[:500]
        invitation.save(update_fields=["answered_at", "comment"])
        _review_from_answers(invitation, values, {q.role: q.pk for q in questions if q.role})
    return invitation


def survey_comments_scrub(*, customer) -> int:
    """Anonymisation: the free text the customer wrote in surveys goes, from the invitations and from
    the order reviews the surveys wrote (source survey; the survey copied the comment there); the
    answers, ratings and recommend scores stay for the figures. Returns the reviews scrubbed."""
    invitations = SurveyInvitation.objects.filter(customer=customer)
    reviews = Review.objects.filter(pk__in=invitations.filter(review__isnull=False).values("review_id"),
                                    source=Review.Source.SURVEY).exclude(comment="").update(comment="")
    invitations.exclude(comment="").update(comment="")
    return reviews


def invitation_from_token(token: str) -> SurveyInvitation:
    pk = links.token_read(links.SURVEY, token)
    invitation = (SurveyInvitation.objects.select_related("questionnaire", "customer").filter(pk=pk).first()
                  if pk else None)
    if invitation is None:
        raise EngageError(_("This link is not valid. Please check the message you received."), code="bad_link",
                          api_status=404)
    return invitation
