"""Satisfaction and NPS by the source of the review, and the surveys of the month (issue 18 item 6).

``reviews_by_source``: the reviews of M's completed orders (the population of ``satisfaction_rate``
and ``nps``) per source — platform, callback, survey: {source: {reviews, satisfaction_rate, nps}}; the
reviews add up to ``reviews_count``.

``surveys``: questionnaires sent in M (invitation created in M), answered in M (``answered_at`` in M,
whenever sent), and over the answers given in M: the share satisfied (4–5) of the satisfaction
question and the NPS of the recommend question — every answer, whether or not it became a review.
"""

from django.db.models import Count, Q

from customers.models import Rating
from engage.models import Question, SurveyAnswer, SurveyInvitation  # (kpis only reads engage)
from kpis.metrics import orders
from kpis.metrics.period import Period
from kpis.rules import net_promoter_score, percentage

SATISFIED = (Rating.SATISFIED, Rating.VERY_SATISFIED)


def reviews_by_source(period: Period, groups: list[dict] | None = None) -> dict:
    groups = orders.completed_order_groups(period) if groups is None else groups
    return {source: {"reviews": r["reviews"], "satisfaction_rate": percentage(r["satisfied"], r["reviews"]),
                     "nps": net_promoter_score(promoters=r["promoters"], detractors=r["detractors"],
                                               scored=r["scored"])}
            for source, r in sorted(orders.sum_groups(groups, "review__source").items())}


def survey_counts(period: Period) -> dict:
    start, end = period.start, period.end
    invitations = SurveyInvitation.objects.filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(answered_at__gte=start, answered_at__lt=end)
    ).aggregate(sent=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
                answered=Count("id", filter=Q(answered_at__gte=start, answered_at__lt=end)))
    likert = Q(question__role=Question.Role.SATISFACTION)
    recommend = Q(question__role=Question.Role.RECOMMEND)
    answers = SurveyAnswer.objects.filter(invitation__answered_at__gte=start, invitation__answered_at__lt=end,
                                          question__role__in=[Question.Role.SATISFACTION, Question.Role.RECOMMEND]
                                          ).aggregate(
        rated=Count("id", filter=likert), satisfied=Count("id", filter=likert & Q(value__gte=4)),
        scored=Count("id", filter=recommend), promoters=Count("id", filter=recommend & Q(value__gte=9)),
        detractors=Count("id", filter=recommend & Q(value__lte=6)))
    return {**invitations, "response_rate": percentage(invitations["answered"], invitations["sent"]),
            "rated": answers["rated"], "satisfaction_rate": percentage(answers["satisfied"], answers["rated"]),
            "scored": answers["scored"],
            "nps": net_promoter_score(promoters=answers["promoters"], detractors=answers["detractors"],
                                      scored=answers["scored"])}
