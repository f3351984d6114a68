"""Reward and penalty notices (001 篇5 第十二条 奖罚通知单): issued by a supervisor for their team's
agents or by a manager for any agent; the agent is told and sees their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal import selectors
from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Notice
from core.notifications import notify


def notice_check(*, actor, agent, kind: str, reason: str, amount: Decimal | None, points: int | None) -> None:
    """Raise ``AppraisalError`` for a notice ``actor`` may not issue or that says nothing: the agent
    must be one ``actor`` may appraise (never themself), with a kind, a reason and an amount or points."""
    if agent is None:
        raise AppraisalError(_("Choose the agent."), field="agent")
    if not selectors.may_appraise(actor, agent):
        raise NotAllowed(_("You may only issue notices to the agents of your team."), field="agent")
    if kind not in Notice.Kind.values:
        raise AppraisalError(_("Choose reward or penalty."), field="kind")
    if not (reason or "").strip():
        raise AppraisalError(_("Give the reason."), field="reason")
    if amount is None and points is None:
        raise AppraisalError(_("Give an amount or points."), field="amount")
    if amount is not None and amount <= 0:
        raise AppraisalError(_("The amount must be above 0."), field="amount")
    if points is not None and points <= 0:
        raise AppraisalError(_("The points must be above 0."), field="points")


def notice_issue(*, actor, agent, kind: str, reason: str, amount: Decimal | None = None, points: int | None = None,
                 complaint=None, now: dt.datetime | None = None) -> Notice:
    """Record a reward or penalty notice against ``agent`` (see ``notice_check``) and tell the agent."""
    notice_check(actor=actor, agent=agent, kind=kind, reason=reason, amount=amount, points=points)
    notice = Notice.objects.create(agent=agent, kind=kind, reason=reason.strip(), amount=amount, points=points,
                                   complaint=complaint, issued_by=actor, issued_at=now or timezone.now())
    notify(agent, kind="info", text=_("%(kind)s notice: %(reason)s") % {
        "kind": notice.get_kind_display(), "reason": notice.reason[:200]},
        link=reverse("admin:appraisal_notice_change", args=[notice.pk]))
    return notice
