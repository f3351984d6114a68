"""Remedies: proposal, approval within the approver's authority (the complaint's total counts),
rejection, and carrying them out when the complaint is resolved."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import adapters, rules
from complaints.adapters import IntegrationError
from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Complaint, DriverAction, Remedy, TimelineEntry
from complaints.services.common import _complaint_link, _lock, _roles_of, _timeline, _user_has
from core.dates import local_tz
from core.models import Notification
from core.notifications import notify

S = Complaint.Status


def approval_limit_of(user) -> Decimal | None:
    """The largest remedy value ``user`` may approve (None: no limit)."""
    limits = {role: None if value is None else Decimal(str(value))
              for role, value in settings.COMPLAINT_APPROVAL_LIMITS.items()}
    return rules.approval_limit(roles=_roles_of(user), limits=limits, unlimited=bool(user and user.is_superuser))


# Remedies that count against the approval authority: everything not rejected.
COMMITTED_REMEDY_STATUSES = (Remedy.Status.PROPOSED, Remedy.Status.APPROVED, Remedy.Status.CARRIED_OUT)


def point_value_cny() -> Decimal:
    """What one point is worth for the authority check: COMPLAINT_POINT_VALUE_CNY when set, else what
    a point buys at redemption (¥1 / LOYALTY_REDEMPTION_POINTS_PER_YUAN), so the two cannot drift."""
    if settings.COMPLAINT_POINT_VALUE_CNY:
        return Decimal(str(settings.COMPLAINT_POINT_VALUE_CNY))
    return Decimal(1) / Decimal(settings.LOYALTY_REDEMPTION_POINTS_PER_YUAN)


def _remedy_value(remedy: Remedy) -> Decimal:
    return rules.remedy_value(kind=remedy.kind, amount=remedy.amount, points=remedy.points,
                              point_value=point_value_cny())


def _committed_remedy_values(complaint: Complaint) -> list[Decimal]:
    remedies = complaint.remedies.filter(kind__in=Remedy.MONEY_LIKE, status__in=COMMITTED_REMEDY_STATUSES)
    return [_remedy_value(r) for r in remedies.only("kind", "amount", "points")]


def complaint_remedies_total(complaint: Complaint) -> Decimal:
    """The money value of the complaint's remedies approved, carried out or awaiting approval."""
    return sum(_committed_remedy_values(complaint), Decimal("0"))


@transaction.atomic
def remedy_propose(
    *,
    complaint: Complaint,
    kind: str,
    actor,
    amount: Decimal | None = None,
    points: int = 0,
    overcharged_amount: Decimal | None = None,
    action: str = "",
    target_user=None,
    note: str = "",
) -> Remedy:
    """Propose a remedy while investigating or proposing a resolution. A remedy within the
    proposer's authority (or with no money value) is approved at once; a larger one waits for a
    role whose limit covers it (the complaint's move to "approved")."""
    complaint = _lock(complaint)
    if not _user_has(actor, "complaints.transition_complaint"):
        raise NotAllowed(_("You are not allowed to propose remedies."))
    if complaint.status not in (S.INVESTIGATING, S.AWAITING_CUSTOMER, S.RESOLUTION_PROPOSED):
        raise ComplaintError(_("Remedies are proposed while investigating or proposing a resolution."),
                             field="kind")
    if kind not in Remedy.Kind.values:
        raise ComplaintError(_("Choose a remedy."), field="kind")
    amount = Decimal(amount or 0)
    if amount < 0:
        raise ComplaintError(_("An amount cannot be negative."), field="amount")
    if kind == Remedy.Kind.COMPENSATION and overcharged_amount is not None and not amount:
        try:
            amount = rules.overcharge_refund(Decimal(overcharged_amount),
                                             Decimal(settings.COMPLAINT_OVERCHARGE_REFUND_MULTIPLIER))
        except rules.RuleError as exc:
            raise ComplaintError(str(exc), field="overcharged_amount") from None
    if kind in (Remedy.Kind.COMPENSATION, Remedy.Kind.FREE_RIDE_COUPON, Remedy.Kind.DISCOUNT_COUPON) and amount <= 0:
        raise ComplaintError(_("Give the amount."), field="amount")
    if kind == Remedy.Kind.POINTS and points <= 0:
        raise ComplaintError(_("Give the number of points."), field="points")
    if kind in (Remedy.Kind.FREE_RIDE_COUPON, Remedy.Kind.DISCOUNT_COUPON, Remedy.Kind.POINTS) \
            and complaint.customer_id is None:
        raise ComplaintError(_("Coupons and points need the complainant to be a customer: link the customer first."),
                             field="kind")
    if kind in (Remedy.Kind.DRIVER_ACTION, Remedy.Kind.AGENT_ACTION):
        if action not in Remedy.Action.values:
            raise ComplaintError(_("Choose the action."), field="action")
        if kind == Remedy.Kind.DRIVER_ACTION and complaint.driver_id is None:
            raise ComplaintError(_("No driver is linked to this complaint."), field="kind")
        if kind == Remedy.Kind.AGENT_ACTION and target_user is None:
            raise ComplaintError(_("Choose the agent concerned."), field="target_user")
    remedy = Remedy(complaint=complaint, kind=kind, amount=amount, points=points if kind == Remedy.Kind.POINTS else 0,
                    overcharged_amount=overcharged_amount, action=action, target_user=target_user, note=note.strip(),
                    proposed_by=actor)
    state = _approve_within_authority(remedy, complaint=complaint, actor=actor)
    remedy.save()
    _timeline(complaint, TimelineEntry.Kind.REMEDY, actor=actor,
              note=f"{remedy.get_kind_display()} ¥{_remedy_value(remedy)} — {state}. {remedy.note}".strip())
    if remedy.status == Remedy.Status.PROPOSED:
        notify(_approvers_for(complaint_remedies_total(complaint)).exclude(pk=actor.pk),
               kind=Notification.Kind.APPROVAL, link=_complaint_link(complaint),
               text=_("A remedy of ¥%(amount)s on complaint %(number)s waits for approval")
               % {"amount": _remedy_value(remedy), "number": complaint.number})
    return remedy


def _approvers_for(total: Decimal):
    """The members of the role(s) with the lowest approval limit that covers ``total`` (no limit
    counts as the highest), among those allowed to approve remedies."""
    limits = {role: None if value is None else Decimal(str(value))
              for role, value in settings.COMPLAINT_APPROVAL_LIMITS.items()}
    enough = [(limit is None, limit or 0, role) for role, limit in limits.items() if limit is None or limit >= total]
    lowest = min(enough, default=None)
    roles = [role for unlimited, limit, role in enough if lowest and (unlimited, limit) == lowest[:2]]
    User = get_user_model()
    allowed = User.objects.with_perm("complaints.approve_remedy", include_superusers=False,
                                     backend="django.contrib.auth.backends.ModelBackend")
    return User.objects.filter(pk__in=allowed.values("pk"), groups__name__in=roles).distinct()


def _approve_within_authority(remedy: Remedy, *, complaint: Complaint, actor) -> str:
    """Approve a new remedy at once when it has no money value, or when the complaint's committed
    remedies plus this one stay within the proposer's authority; otherwise it awaits approval
    (as one large remedy would: splitting it changes nothing). Returns the timeline's wording."""
    if remedy.kind in Remedy.MONEY_LIKE:
        limit = approval_limit_of(actor)
        within, total = rules.complaint_total_within_authority(
            committed=_committed_remedy_values(complaint), new=_remedy_value(remedy), limit=limit)
        if not within:
            return _("awaiting approval: the complaint's remedies total ¥%(total)s, above the proposer's limit "
                     "of ¥%(limit)s") % {"total": total, "limit": limit}
    remedy.status, remedy.approved_by, remedy.approved_at = Remedy.Status.APPROVED, actor, timezone.now()
    return _("approved within the proposer's authority")


def _approve_pending_remedies(complaint: Complaint, *, actor, system: bool) -> None:
    pending = list(complaint.remedies.select_for_update().filter(status=Remedy.Status.PROPOSED))
    if not pending:
        raise ComplaintError(_("No remedy awaits approval: resolve the complaint directly."), field="status")
    limit = None if system else approval_limit_of(actor)
    # The approver answers for the whole complaint: remedies approved earlier count too.
    within, total = rules.complaint_total_within_authority(
        committed=_committed_remedy_values(complaint), new=Decimal("0"), limit=limit)
    if not within:
        raise NotAllowed(
            _("Your approval limit is ¥%(limit)s; this complaint's remedies total ¥%(total)s (approved and "
              "awaiting approval together) and need a role with a higher authority.")
            % {"limit": limit, "total": total},
            field="status", code="over_authority")
    now = timezone.now()
    for remedy in pending:
        remedy.status, remedy.approved_by, remedy.approved_at = Remedy.Status.APPROVED, actor, now
        remedy.save(update_fields=["status", "approved_by", "approved_at"])


@transaction.atomic
def remedy_reject(*, remedy: Remedy, actor, note: str = "") -> Remedy:
    remedy = Remedy.objects.select_for_update().select_related("complaint").get(pk=remedy.pk)
    if not _user_has(actor, "complaints.approve_remedy"):
        raise NotAllowed(_("You are not allowed to decide on remedies."))
    if remedy.status != Remedy.Status.PROPOSED:
        raise ComplaintError(_("Only a remedy awaiting approval can be rejected."))
    remedy.status = Remedy.Status.REJECTED
    remedy.save(update_fields=["status"])
    _timeline(remedy.complaint, TimelineEntry.Kind.REMEDY, actor=actor,
              note=_("%(remedy)s rejected. %(note)s") % {"remedy": remedy.get_kind_display(), "note": note})
    return remedy


@transaction.atomic
def remedy_approve(*, remedy: Remedy, actor, note: str = "") -> Remedy:
    """Approve one remedy awaiting approval. The approver answers for the complaint: the money value
    of its remedies already approved or carried out plus this one must be within the approver's
    authority (five small remedies pass no more easily than one large one). The complaint's status
    is unchanged; with nothing left awaiting approval it can be resolved."""
    complaint = _lock(remedy.complaint)  # the complaint first, then its remedy: the transition's lock order
    remedy = Remedy.objects.select_for_update().get(pk=remedy.pk, complaint=complaint)
    if not _user_has(actor, "complaints.approve_remedy"):
        raise NotAllowed(_("You are not allowed to decide on remedies."))
    if remedy.status != Remedy.Status.PROPOSED or not complaint.is_open:
        raise ComplaintError(_("Only a remedy awaiting approval can be approved."))
    if remedy.kind in Remedy.MONEY_LIKE:
        approved = complaint.remedies.filter(kind__in=Remedy.MONEY_LIKE, status__in=(
            Remedy.Status.APPROVED, Remedy.Status.CARRIED_OUT)).only("kind", "amount", "points")
        limit = approval_limit_of(actor)
        within, total = rules.complaint_total_within_authority(
            committed=[_remedy_value(r) for r in approved], new=_remedy_value(remedy), limit=limit)
        if not within:
            raise NotAllowed(
                _("Your approval limit is ¥%(limit)s; with this one the complaint's approved remedies total "
                  "¥%(total)s and need a role with a higher authority.") % {"limit": limit, "total": total},
                code="over_authority")
    remedy.status, remedy.approved_by, remedy.approved_at = Remedy.Status.APPROVED, actor, timezone.now()
    remedy.save(update_fields=["status", "approved_by", "approved_at"])
    _timeline(complaint, TimelineEntry.Kind.REMEDY, actor=actor,
              note=_("%(remedy)s ¥%(value)s approved. %(note)s") % {
                  "remedy": remedy.get_kind_display(), "value": _remedy_value(remedy), "note": note})
    return remedy


def _carry_out_remedies(complaint: Complaint, *, actor) -> None:
    """Carry out the approved remedies: coupons and points through Loyalty (idempotent by key),
    actions on the driver recorded on the driver, compensation recorded for payment."""
    year = timezone.localtime(timezone.now(), local_tz()).year
    for remedy in complaint.remedies.select_for_update().filter(status=Remedy.Status.APPROVED):
        key = f"complaint:{complaint.number}:remedy:{remedy.pk}"
        try:
            if remedy.kind in (Remedy.Kind.FREE_RIDE_COUPON, Remedy.Kind.DISCOUNT_COUPON):
                remedy.loyalty_reference = adapters.coupon_issue(
                    customer=complaint.customer, amount=remedy.amount, key=key, actor=actor, note=complaint.number,
                    kind="free_ride" if remedy.kind == Remedy.Kind.FREE_RIDE_COUPON else "fixed")
            elif remedy.kind == Remedy.Kind.POINTS:
                remedy.loyalty_reference = adapters.points_grant(
                    customer=complaint.customer, points=remedy.points, key=key, actor=actor, note=complaint.number)
        except IntegrationError as exc:
            raise ComplaintError(exc.message, field="kind", code="remedy_failed") from None
        if remedy.kind == Remedy.Kind.DRIVER_ACTION and complaint.driver_id:
            DriverAction.objects.create(driver_id=complaint.driver_id, complaint=complaint, kind=remedy.action,
                                        year=year, note=remedy.note, created_by=actor)
        remedy.status, remedy.carried_out_at = Remedy.Status.CARRIED_OUT, timezone.now()
        remedy.save(update_fields=["status", "carried_out_at", "loyalty_reference"])
