"""Reads of engagement: who a segment selects, a questionnaire's answers aggregated."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from customers.models import Customer, Place
from engage.models import Question, Segment, SurveyAnswer
from engage.rules import net_promoter_score, share
from loyalty.models import Tier


def _tier_filter(codes: list[str]) -> Q:
    values = [tier for tier in Tier if tier.code in codes]
    match = Q(loyalty__tier__in=values)
    if Tier.NORMAL in values:
        match |= Q(loyalty__isnull=True)
    return match


def segment_customers(segment: Segment) -> QuerySet:
    """The customers ``segment`` selects now (never anonymised ones), as a queryset of customers."""
    customers = Customer.objects.exclude(status=Customer.Status.ANONYMISED)
    if segment.tiers:
        customers = customers.filter(_tier_filter(segment.tiers))
    if segment.status:
        customers = customers.filter(status=segment.status)
    if segment.district:
        places = Place.objects.filter(customer=OuterRef("pk"), address__contains=segment.district)
        customers = customers.filter(Exists(places))
    if segment.last_order_before:
        start = timezone.make_aware(dt.datetime.combine(segment.last_order_before, dt.time.min))
        customers = customers.filter(last_order_at__lt=start)
    if segment.consent:
        customers = customers.filter(marketing_consent=segment.consent == Segment.Consent.GIVEN)
    return customers.order_by("pk")


def questionnaire_results(questionnaire) -> dict:
    """Per question: how many answered, the count per value, the average; for the five-level scale
    the share satisfied (4–5), for 0–10 the NPS. Plus invitations sent and answered."""
    invitations = questionnaire.invitations.aggregate(sent=Count("id"),
                                                      answered=Count("id", filter=Q(answered_at__isnull=False)))
    rows = []
    for question in questionnaire.questions.all():
        answers = SurveyAnswer.objects.filter(question=question)
        counts = dict(answers.values_list("value").annotate(n=Count("id")).order_by())
        total = sum(counts.values())
        row = {"question": question, "answered": total,
               "average": answers.aggregate(avg=Avg("value"))["avg"],
               "distribution": [(value, counts.get(value, 0)) for value in question.values]}
        if question.scale == Question.Scale.LIKERT:
            row["satisfied_rate"] = share(counts.get(4, 0) + counts.get(5, 0), total)
        else:
            row["nps"] = net_promoter_score(
                promoters=sum(n for v, n in counts.items() if v >= 9),
                detractors=sum(n for v, n in counts.items() if v <= 6), scored=total)
        rows.append(row)
    return {**invitations, "response_rate": share(invitations["answered"], invitations["sent"]), "questions": rows}


def event_tier_customers(event) -> QuerySet:
    """The customers of the event's target tiers (none: nobody — an event names whom it invites)."""
    if not event.tiers:
        return Customer.objects.none()
    return (Customer.objects.exclude(status=Customer.Status.ANONYMISED).filter(_tier_filter(event.tiers))
            .order_by("pk"))


def event_counts(event) -> dict:
    """Invited, coming, not coming, no answer yet, attended, and the places left."""
    from engage.models import EventInvitation

    R = EventInvitation.Response
    row = event.invitations.aggregate(
        invited=Count("id"), accepted=Count("id", filter=Q(response=R.ACCEPTED)),
        declined=Count("id", filter=Q(response=R.DECLINED)), pending=Count("id", filter=Q(response=R.PENDING)),
        attended=Count("id", filter=Q(attended=True)))
    return {**row, "capacity": event.capacity, "places_left": max(event.capacity - row["accepted"], 0)}
