"""QA: the supervisor's monthly sample of each agent's contacts and complaints, and scoring one
against the checklist (004 录音监听、在线客服记录审查、解答准确率)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal import rules, selectors
from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Appraisal, ChecklistItem, QaReview, QaScore
from core.services import job_lock


@dataclass
class SampleResult:
    month: dt.date
    created: int = 0
    per_agent: dict[int, int] = field(default_factory=dict)


def _check_month(month: dt.date, *, today: dt.date) -> dt.date:
    month = rules.month_of(month)
    if month > rules.month_of(today):
        raise AppraisalError(_("That month has not started yet."), field="month")
    return month


def _signed_off(agent_id: int, month: dt.date) -> bool:
    return Appraisal.objects.filter(agent_id=agent_id, month=month, status=Appraisal.Status.SIGNED_OFF).exists()


def qa_sample(*, actor, month: dt.date, agents=None, size: int | None = None, rng: random.Random | None = None,
              today: dt.date | None = None) -> SampleResult:
    """Give ``actor`` a random sample of each agent's contacts (done in ``month``) and complaints
    (assigned to them, received in ``month``) to score: up to ``size`` (``APPRAISAL_QA_SAMPLE_SIZE``, 5)
    per agent and month, as reviews "to score". Sampling again tops up to ``size`` (never more, never the
    same contact or complaint twice). ``agents``: a subset of those ``actor`` may appraise (default all
    of them); agents whose appraisal of the month is signed off are left out."""
    size = settings.APPRAISAL_QA_SAMPLE_SIZE if size is None else size
    month = _check_month(month, today=today or timezone.localdate())
    allowed = selectors.agents_appraisable_by(actor)
    if agents is not None:
        wanted = {a.pk for a in agents}
        if wanted - set(allowed.filter(pk__in=wanted).values_list("pk", flat=True)):
            raise NotAllowed(_("You may only sample the agents of your team."))
        allowed = allowed.filter(pk__in=wanted)
    rng = rng or random.Random()
    result = SampleResult(month=month)
    with transaction.atomic():
        job_lock(f"appraisal.sample:{month:%Y-%m}")  # two samplings at once: the second sees the first's
        agent_ids = list(allowed.values_list("pk", flat=True))
        taken = selectors.samples_taken(agent_ids, month)
        for agent_id in agent_ids:
            wanted = size - taken.get(agent_id, 0)
            if wanted <= 0 or _signed_off(agent_id, month):
                continue
            contacts, complaints = selectors.sample_candidates(agent_id, month)
            pool = [("contact", pk) for pk in contacts] + [("complaint", pk) for pk in complaints]
            picked = rng.sample(pool, min(wanted, len(pool)))
            QaReview.objects.bulk_create(
                [QaReview(agent_id=agent_id, month=month, sampled_by=actor, **{f"{kind}_id": pk})
                 for kind, pk in picked])
            result.per_agent[agent_id] = len(picked)
            result.created += len(picked)
    return result


def items_for(review: QaReview) -> list[ChecklistItem]:
    """The active checklist items that apply to the review's subject (contact or complaint)."""
    applies = [ChecklistItem.AppliesTo.BOTH, review.kind]
    return list(ChecklistItem.objects.filter(is_active=True, applies_to__in=applies))


def qa_review_score(*, review: QaReview, actor, points: dict[int, int], comment: str = "",
                    now: dt.datetime | None = None) -> QaReview:
    """Score a review: ``points`` (0–5) for every active checklist item that applies, and a comment.
    The review's score is Σ weight × points / 5 ÷ Σ weight × 100 (``rules.qa_review_score``). Refuses
    a reviewer who may not appraise the agent (never the agent themself), a missing item, points out of
    range, and a month whose appraisal is signed off. A scored review may be scored again (corrected)."""
    if not selectors.may_appraise(actor, review.agent):
        raise NotAllowed(_("You may not score this agent's work."))
    if _signed_off(review.agent_id, review.month):
        raise AppraisalError(_("The appraisal of this month is signed off: its QA reviews are final."),
                             code="signed_off")
    items = items_for(review)
    if not items:
        raise AppraisalError(_("The QA checklist has no active item: add one under Settings."))
    missing = [item.text for item in items if item.pk not in points]
    if missing:
        raise AppraisalError(_("Score every item: %(items)s.") % {"items": "、".join(missing)})
    if any(not 0 <= int(points[item.pk]) <= rules.QA_POINTS_MAX for item in items):
        raise AppraisalError(_("Points are from 0 to %(max)s.") % {"max": rules.QA_POINTS_MAX})
    with transaction.atomic():
        review = QaReview.objects.select_for_update().get(pk=review.pk)
        if _signed_off(review.agent_id, review.month):
            raise AppraisalError(_("The appraisal of this month is signed off: its QA reviews are final."),
                                 code="signed_off")
        review.scores.all().delete()
        QaScore.objects.bulk_create([QaScore(review=review, item=item, points=int(points[item.pk]),
                                             weight=item.weight) for item in items])
        score = rules.qa_review_score([(int(points[item.pk]), item.weight) for item in items])
        QaReview.TRANSITIONS.move(review, QaReview.Status.SCORED, reviewer=actor, reviewed_at=now or timezone.now(),
                                  score=score, comment=comment)
        review.save(update_fields=["status", "reviewer", "reviewed_at", "score", "comment"])
    return review
