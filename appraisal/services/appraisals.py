"""The monthly appraisal (004 考核: 自评、上级评价、客户评价相结合): agents' self-assessments, the
computation that combines QA, self-assessment and customer ratings with the weights row, the monthly
job, and the supervisor's sign-off."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal import rules, selectors
from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Appraisal, AppraisalReopening, SelfAssessment
from core.notifications import notify
from core.services import job_lock, job_run_record


def self_assessment_check(*, agent, month: dt.date, score: int | None = None, text: str | None = None,
                          today: dt.date | None = None) -> dt.date:
    """The month ``agent`` may self-assess (the running month or the one before, while its appraisal is
    not signed off), normalised to its first day; with ``score`` and ``text``, those too (0–100, not
    empty). Raises ``AppraisalError`` otherwise."""
    if not agent.has_perm("appraisal.self_assess"):
        raise NotAllowed(_("Only appraised staff self-assess."))
    month = rules.month_of(month)
    if month not in rules.self_assessment_months(today or timezone.localdate()):
        raise AppraisalError(_("You can self-assess this month or the month before only."), field="month")
    if Appraisal.objects.filter(agent=agent, month=month, status=Appraisal.Status.SIGNED_OFF).exists():
        raise AppraisalError(_("The appraisal of this month is signed off: the self-assessment is final."),
                             field="month", code="signed_off")
    if score is not None and not 0 <= int(score) <= 100:
        raise AppraisalError(_("The score is from 0 to 100."), field="score")
    if text is not None and not text.strip():
        raise AppraisalError(_("Say in a few words how the month went."), field="text")
    return month


def self_assessment_submit(*, agent, month: dt.date, score: int, text: str,
                           today: dt.date | None = None) -> SelfAssessment:
    """An agent's own assessment of a month (score 0–100 and a text): created, or changed while the
    month's appraisal is not signed off. Only for the agent themself (the caller passes
    ``request.user``); one per agent and month (a database constraint)."""
    month = self_assessment_check(agent=agent, month=month, score=score, text=text or "", today=today)
    assessment, _created = SelfAssessment.objects.update_or_create(
        agent=agent, month=month, defaults={"score": int(score), "text": text.strip()})
    return assessment


def _team_id(user) -> int | None:
    return getattr(getattr(user, "staff_profile", None), "team_id", None)


def _values(parts: dict, weights: dict) -> dict:
    qa = rules.round2(parts["qa_sum"] / parts["qa_reviews"]) if parts.get("qa_reviews") else None
    self_score = rules.round2(parts["self"]) if parts.get("self") is not None else None
    customer = rules.rating_score(parts.get("rating_sum") or 0, parts.get("ratings") or 0)
    return {"qa_score": qa, "qa_reviews": parts.get("qa_reviews") or 0, "self_score": self_score,
            "customer_score": customer, "customer_ratings": parts.get("ratings") or 0,
            "qa_weight": weights["qa"], "self_weight": weights["self"], "customer_weight": weights["customer"],
            "total": rules.combine({"qa": qa, "self": self_score, "customer": customer}, weights)}


def appraisals_compute_month(*, month: dt.date, agents=None, now: dt.datetime | None = None) -> dict[str, int]:
    """Compute (or recompute) the month's appraisal of every appraised agent (``selectors.appraised_in``:
    the roles that self-assess, and anyone with a QA review or a self-assessment of the month), or of
    ``agents``:
    QA = average score of the QA reviews scored for the month; self = the self-assessment; customer =
    the average rating (1–5) of the agent's callbacks done in the month × 20; total = the weighted
    average of the parts present (``rules.combine``). Upsert on (agent, month), so a second run leaves
    one appraisal per agent; a signed-off appraisal is never changed. Two runs serialise on a job lock."""
    month = rules.month_of(month)
    now = now or timezone.now()
    counts = {"computed": 0, "signed_off": 0}
    with transaction.atomic():
        job_lock(f"appraisal.compute:{month:%Y-%m}")
        if agents is None:
            parts = selectors.month_parts(month)
            ids = selectors.appraised_in(month, parts)
        else:
            ids = {a.pk for a in agents}
            parts = selectors.month_parts(month, ids)
        weights = selectors.current_weights().as_dict()
        users = get_user_model().objects.filter(pk__in=ids).select_related("staff_profile").in_bulk()
        rows = Appraisal.objects.select_for_update().filter(month=month, agent_id__in=ids).order_by("pk")
        existing = {a.agent_id: a for a in rows}
        for agent_id in sorted(ids):
            current = existing.get(agent_id)
            if current is not None and current.status == Appraisal.Status.SIGNED_OFF:
                counts["signed_off"] += 1
                continue
            values = {**_values(parts.get(agent_id, {}), weights), "team_id": _team_id(users.get(agent_id)),
                      "computed_at": now}
            Appraisal.objects.update_or_create(agent_id=agent_id, month=month, defaults=values)
            counts["computed"] += 1
    return counts


def appraisals_compute_previous_month(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The monthly job (days 1–10 after a month ends): the previous month's appraisals, so that
    self-assessments and QA scores entered in the first days count; idempotent (see above)."""
    now = now or timezone.now()
    month = rules.previous_month(timezone.localdate(now))
    counts = appraisals_compute_month(month=month, now=now)
    job_run_record(name="appraisal.compute_previous_month", result=f"{month:%Y-%m}: {counts}")
    return counts


def appraisal_recompute(*, appraisal: Appraisal, actor) -> Appraisal:
    """Recompute one appraisal now (a supervisor after late QA scores): refused once signed off."""
    if not selectors.may_appraise(actor, appraisal.agent):
        raise NotAllowed(_("You may not appraise this agent."))
    if appraisal.status == Appraisal.Status.SIGNED_OFF:
        raise AppraisalError(_("This appraisal has already been signed off."), code="signed_off")
    appraisals_compute_month(month=appraisal.month, agents=[appraisal.agent])
    appraisal.refresh_from_db()
    return appraisal


def appraisal_sign_off(*, appraisal: Appraisal, actor, note: str = "", now: dt.datetime | None = None) -> Appraisal:
    """The supervisor signs the month's appraisal off (上级评价): it is final from then on (no recompute,
    no more QA scores or self-assessment for the month). Refuses the agent themself, a supervisor of
    another team, a month not yet over and an appraisal without any part. The agent is told."""
    if not selectors.may_appraise(actor, appraisal.agent):
        raise NotAllowed(_("You may not sign off this agent's appraisal."))
    now = now or timezone.now()
    with transaction.atomic():
        appraisal = Appraisal.objects.select_for_update().select_related("agent").get(pk=appraisal.pk)
        if appraisal.month >= rules.month_of(timezone.localdate(now)):
            raise AppraisalError(_("A month is signed off after it has ended."), code="month_running")
        Appraisal.TRANSITIONS.check(appraisal.status, Appraisal.Status.SIGNED_OFF)
        if appraisal.total is None:
            raise AppraisalError(_("Nothing to sign off: no QA score, self-assessment or customer rating yet."),
                                 code="empty")
        Appraisal.TRANSITIONS.move(appraisal, Appraisal.Status.SIGNED_OFF, signed_off_by=actor, signed_off_at=now,
                                   sign_off_note=note[:500])
        appraisal.save(update_fields=["status", "signed_off_by", "signed_off_at", "sign_off_note"])
        notify(appraisal.agent, kind="info",
               text=_("Your appraisal of %(month)s was signed off: %(total)s.") % {
                   "month": f"{appraisal.month:%Y-%m}", "total": appraisal.total},
               link=reverse("admin:appraisal_appraisal_change", args=[appraisal.pk]))
    return appraisal


def appraisal_reopen(*, appraisal: Appraisal, actor, reason: str, now: dt.datetime | None = None) -> Appraisal:
    """Reopen a signed-off appraisal (a late complaint, a QA score corrected): the agent's supervisor or
    a manager (the sign-off's rules, ``selectors.may_appraise``), with a required reason. The undone
    sign-off, the reason and who/when are kept (``AppraisalReopening``); the appraisal is a draft again,
    so it can be recomputed (by hand or by the monthly job) and signed off again. The agent is told."""
    if not selectors.may_appraise(actor, appraisal.agent):
        raise NotAllowed(_("You may not reopen this agent's appraisal."))
    reason = (reason or "").strip()
    if not reason:
        raise AppraisalError(_("Give the reason for reopening."), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        appraisal = Appraisal.objects.select_for_update().select_related("agent").get(pk=appraisal.pk)
        Appraisal.TRANSITIONS.check(appraisal.status, Appraisal.Status.DRAFT)
        AppraisalReopening.objects.create(
            appraisal=appraisal, reopened_by=actor, reopened_at=now, reason=reason[:500],
            signed_off_by_id=appraisal.signed_off_by_id, signed_off_at=appraisal.signed_off_at,
            sign_off_note=appraisal.sign_off_note, total=appraisal.total)
        Appraisal.TRANSITIONS.move(appraisal, Appraisal.Status.DRAFT, signed_off_by=None, signed_off_at=None,
                                   sign_off_note="")
        appraisal.save(update_fields=["status", "signed_off_by", "signed_off_at", "sign_off_note"])
        notify(appraisal.agent, kind="info",
               text=_("Your appraisal of %(month)s was reopened: %(reason)s") % {
                   "month": f"{appraisal.month:%Y-%m}", "reason": reason[:200]},
               link=reverse("admin:appraisal_appraisal_change", args=[appraisal.pk]))
    return appraisal
