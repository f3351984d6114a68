"""Reward and penalty notices (001 篇5 第十二条 奖罚通知单): opened by a supervisor for their team's
agents or by a manager for any agent, then submitted to the general manager for approval (呈总经理批准).
A notice takes effect only when approved: then the agent is told and it counts; rejected (with a reason)
or withdrawn by its issuer while pending, it never does. Nobody decides their own notice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal import selectors
from appraisal.errors import AppraisalError, NotAllowed
from appraisal.models import Notice
from core.notifications import notify

APPROVE = "appraisal.approve_notices"


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


def notice_approvers(notice: Notice):
    """Who may approve ``notice``: active holders of ``appraisal.approve_notices`` other than its issuer
    and its agent (superusers only if they hold it through a role)."""
    return (get_user_model().objects.with_perm(APPROVE, include_superusers=False, is_active=True,
                                                  backend="django.contrib.auth.backends.ModelBackend")
            .exclude(pk__in=[notice.issued_by_id, notice.agent_id]))


def _link(notice: Notice) -> str:
    return reverse("admin:appraisal_notice_change", args=[notice.pk])


def notice_issue(*, actor, agent, kind: str, reason: str, amount: Decimal | None = None, points: int | None = None,
                 complaint=None, now: dt.datetime | None = None) -> Notice:
    """Open a reward or penalty notice against ``agent`` (see ``notice_check``), pending the general
    manager's approval; the approvers are told. The agent is not told yet (it is not in effect)."""
    notice_check(actor=actor, agent=agent, kind=kind, reason=reason, amount=amount, points=points)
    with transaction.atomic():
        notice = Notice.objects.create(agent=agent, kind=kind, reason=reason.strip(), amount=amount, points=points,
                                       complaint=complaint, issued_by=actor, issued_at=now or timezone.now())
        notify(notice_approvers(notice), kind="approval",
               text=_("%(kind)s notice %(number)s for %(agent)s awaits your approval: %(reason)s") % {
                   "kind": notice.get_kind_display(), "number": notice.number, "agent": agent,
                   "reason": notice.reason[:150]},
               link=_link(notice))
    return notice


def may_decide(actor, notice: Notice) -> bool:
    """``actor`` may approve or reject ``notice``: holds the permission, is neither its issuer nor its agent."""
    return (actor is not None and actor.is_active and actor.has_perm(APPROVE)
            and actor.pk not in (notice.issued_by_id, notice.agent_id))


def what(notice: Notice) -> str:
    """The amount and points of a notice in words (200 元、2 考核分)."""
    parts = []
    if notice.amount is not None:
        parts.append(_("%(amount)s yuan") % {"amount": notice.amount})
    if notice.points is not None:
        parts.append(_("%(points)s appraisal points") % {"points": notice.points})
    return "、".join(parts)


def _decide(*, notice: Notice, actor, status: str, note: str = "", now: dt.datetime | None) -> Notice:
    if not actor.has_perm(APPROVE):
        raise NotAllowed(_("Only the general manager approves or rejects notices."))
    if actor.pk == notice.issued_by_id:
        raise NotAllowed(_("You may not decide a notice you issued yourself."))
    if actor.pk == notice.agent_id:
        raise NotAllowed(_("You may not decide a notice about yourself."))
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("agent", "issued_by").get(pk=notice.pk)
        Notice.TRANSITIONS.move(notice, status, decided_by=actor, decided_at=now or timezone.now(),
                                decision_note=note)
        notice.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return notice


def notice_approve(*, notice: Notice, actor, now: dt.datetime | None = None) -> Notice:
    """The general manager approves a pending notice: it takes effect (counts from now on), the approval
    (who, when) is recorded, and the agent and the issuer are told. Refuses anyone without
    ``appraisal.approve_notices``, the notice's issuer and its agent, and a notice already decided."""
    with transaction.atomic():
        notice = _decide(notice=notice, actor=actor, status=Notice.Status.APPROVED, now=now)
        notify(notice.agent, kind="info", text=_("%(kind)s notice %(number)s (%(what)s): %(reason)s") % {
            "kind": notice.get_kind_display(), "number": notice.number, "what": what(notice),
            "reason": notice.reason[:200]}, link=_link(notice))
        notify(notice.issued_by, kind="info", text=_("Notice %(number)s for %(agent)s was approved.") % {
            "number": notice.number, "agent": notice.agent}, link=_link(notice))
    return notice


def notice_reject(*, notice: Notice, actor, reason: str, now: dt.datetime | None = None) -> Notice:
    """The general manager rejects a pending notice with a reason: it never takes effect; the issuer is
    told (the agent is not: nothing happened to them). Same refusals as ``notice_approve``."""
    reason = (reason or "").strip()
    if not reason:
        raise AppraisalError(_("Give the reason for the rejection."), field="reason")
    with transaction.atomic():
        notice = _decide(notice=notice, actor=actor, status=Notice.Status.REJECTED, note=reason[:500], now=now)
        notify(notice.issued_by, kind="info", text=_("Notice %(number)s for %(agent)s was rejected: %(reason)s") % {
            "number": notice.number, "agent": notice.agent, "reason": reason[:150]}, link=_link(notice))
    return notice


def notice_withdraw(*, notice: Notice, actor, now: dt.datetime | None = None) -> Notice:
    """The issuer withdraws their notice while it is pending: it never takes effect."""
    if actor.pk != notice.issued_by_id:
        raise NotAllowed(_("Only the issuer withdraws a notice."))
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        Notice.TRANSITIONS.move(notice, Notice.Status.WITHDRAWN, decided_by=actor, decided_at=now or timezone.now())
        notice.save(update_fields=["status", "decided_by", "decided_at"])
    return notice
