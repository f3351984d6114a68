"""Reads of appraisal and QA: who may see and appraise whom, who is appraised in a month, what can be
sampled, and the month's parts per agent (grouped queries)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q, QuerySet, Sum

from appraisal.models import AppraisalWeights, Notice, QaReview, SelfAssessment
from complaints.models import Complaint
from core.dates import month_bounds
from customers.models import ContactLog

CALLBACK_PURPOSES = (ContactLog.Purpose.CALLBACK, ContactLog.Purpose.COMPLAINT_FOLLOW_UP)


# --- scope ------------------------------------------------------------------------------------------
def sees_all(user) -> bool:
    return user.has_perm("appraisal.view_all_appraisals") or user.has_perm("appraisal.appraise_all")


def visible_q(user, path: str = "agent") -> Q:
    """Rows (reached by ``path`` to the agent) ``user`` may read: every agent's for managers, the GM and
    the analyst; their teams' and their own for a supervisor; their own for everyone else."""
    if sees_all(user):
        return Q()
    own = Q(**{f"{path}": user.pk})
    if user.has_perm("appraisal.appraise_team"):
        return own | Q(**{f"{path}__staff_profile__team__supervisor": user.pk})
    return own


def notices_visible_q(user) -> Q:
    """Notices ``user`` may read: as ``visible_q``, except that an agent sees their own only once
    approved (pending, rejected or withdrawn, it never concerned them); the issuer always sees theirs."""
    if sees_all(user) or user.has_perm("appraisal.approve_notices"):
        return Q()
    own_in_effect = Q(agent=user.pk, status="approved")
    mine = own_in_effect | Q(issued_by=user.pk)
    if user.has_perm("appraisal.appraise_team"):
        return mine | Q(agent__staff_profile__team__supervisor=user.pk)
    return mine


def notices_in_effect(agent_id: int, month: dt.date) -> QuerySet:
    """The agent's approved notices issued in ``month`` (what the appraisal page and the API count)."""
    start, end = bounds(month)
    return Notice.objects.filter(agent_id=agent_id, status=Notice.Status.APPROVED, issued_at__gte=start,
                                 issued_at__lt=end)


def may_appraise(user, agent) -> bool:
    """``user`` may score ``agent``'s QA reviews, sign off their appraisal and issue them notices:
    never their own; any agent with ``appraise_all``; an agent of a team they supervise with
    ``appraise_team``."""
    if user is None or agent is None or user.pk == agent.pk or not user.is_active:
        return False
    if user.has_perm("appraisal.appraise_all"):
        return True
    if not user.has_perm("appraisal.appraise_team"):
        return False
    team = getattr(getattr(agent, "staff_profile", None), "team", None)
    return team is not None and team.supervisor_id == user.pk


def agents_appraisable_by(user) -> QuerySet:
    """The appraised staff (active) ``user`` may appraise (for the sampling page and notice form)."""
    qs = appraised_staff().exclude(pk=user.pk)
    if user.has_perm("appraisal.appraise_all"):
        return qs
    if user.has_perm("appraisal.appraise_team"):
        return qs.filter(staff_profile__team__supervisor=user)
    return qs.none()


def appraised_staff(*, active_only: bool = True) -> QuerySet:
    """Staff whose role self-assesses (core.roles: agents and after-sales): those appraised."""
    qs = get_user_model().objects.filter(groups__permissions__codename="self_assess",
                                         groups__permissions__content_type__app_label="appraisal")
    return (qs.filter(is_active=True) if active_only else qs).distinct().order_by("username")


def appraised_in(month: dt.date, parts: dict[int, dict]) -> set[int]:
    """Who gets an appraisal of ``month``: every active appraised member of staff, anyone with a QA
    review or a self-assessment of the month, and appraised staff who left with customer ratings in it
    (a supervisor's own callbacks do not make them appraised)."""
    graded = {pk for pk, p in parts.items() if p.get("qa_reviews") or p.get("self") is not None}
    rated = {pk for pk, p in parts.items() if p.get("ratings")}
    in_role = set(appraised_staff(active_only=False).filter(pk__in=rated).values_list("pk", flat=True))
    return set(appraised_staff().values_list("pk", flat=True)) | graded | in_role


# --- the month ------------------------------------------------------------------------------------
def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return month_bounds(month.year, month.month)


def current_weights() -> AppraisalWeights:
    """The weights row (seeded by the migration; the model's defaults if it was removed)."""
    return AppraisalWeights.objects.order_by("pk").first() or AppraisalWeights()


def sample_candidates(agent_id: int, month: dt.date) -> tuple[list[int], list[int]]:
    """Ids of the agent's contacts done in the month and complaints assigned to them received in the
    month, not yet under a QA review."""
    start, end = bounds(month)
    reviewed_contacts = QaReview.objects.filter(agent_id=agent_id, contact__isnull=False).values("contact_id")
    reviewed_complaints = QaReview.objects.filter(agent_id=agent_id, complaint__isnull=False).values("complaint_id")
    contacts = (ContactLog.objects.filter(agent_id=agent_id, status=ContactLog.Status.DONE, happened_at__gte=start,
                                          happened_at__lt=end).exclude(pk__in=reviewed_contacts)
                .order_by("pk").values_list("pk", flat=True))
    complaints = (Complaint.objects.filter(assignee_id=agent_id, received_at__gte=start, received_at__lt=end)
                  .exclude(pk__in=reviewed_complaints).order_by("pk").values_list("pk", flat=True))
    return list(contacts), list(complaints)


def samples_taken(agent_ids, month: dt.date) -> dict[int, int]:
    rows = QaReview.objects.filter(agent_id__in=agent_ids, month=month).values("agent_id").annotate(n=Count("id"))
    return {r["agent_id"]: r["n"] for r in rows.order_by()}


def month_parts(month: dt.date, agent_ids=None) -> dict[int, dict]:
    """Per agent: the QA reviews scored for the month (average score, count), the self-assessment score,
    and the customers' ratings of the agent's callbacks done in the month (sum, count)."""
    start, end = bounds(month)
    only = {"agent_id__in": agent_ids} if agent_ids is not None else {}
    out: dict[int, dict] = {}
    qa = (QaReview.objects.filter(month=month, status=QaReview.Status.SCORED, **only).values("agent_id")
          .annotate(n=Count("id"), total=Sum("score")).order_by())
    for row in qa:
        out.setdefault(row["agent_id"], {}).update(qa_sum=row["total"], qa_reviews=row["n"])
    for agent_id, score in SelfAssessment.objects.filter(month=month, **only).values_list("agent_id", "score"):
        out.setdefault(agent_id, {})["self"] = score
    ratings = (ContactLog.objects.filter(purpose__in=CALLBACK_PURPOSES, status=ContactLog.Status.DONE,
                                         happened_at__gte=start, happened_at__lt=end, satisfaction__isnull=False,
                                         agent__isnull=False, **only)
               .values("agent_id").annotate(n=Count("id"), total=Sum("satisfaction")).order_by())
    for row in ratings:
        out.setdefault(row["agent_id"], {}).update(rating_sum=row["total"], ratings=row["n"])
    return out


def qa_item_averages(agent_id: int, month: dt.date) -> list[dict]:
    """Per checklist item: the average points the agent's scored reviews of the month got (the
    appraisal page's breakdown, e.g. 解答准确)."""
    from appraisal.models import QaScore

    rows = (QaScore.objects.filter(review__agent_id=agent_id, review__month=month,
                                   review__status=QaReview.Status.SCORED)
            .values("item__text", "item__position").annotate(avg=Avg("points"), n=Count("id"))
            .order_by("item__position", "item__text"))
    return [{"item": r["item__text"], "average": round(float(r["avg"]), 2), "count": r["n"]} for r in rows]
