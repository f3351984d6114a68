"""Helpers shared by the complaint services: grades, roles and rights, the row lock, the timeline,
telling a role or the customer after commit."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from complaints.adapters import customer_message
from complaints.models import Complaint, Grade, TimelineEntry
from core.models import Notification
from core.notifications import notifications_are_muted as _is_muted
from core.notifications import notify

log = logging.getLogger(__name__)


def _grades() -> list[Grade]:
    return list(Grade.objects.order_by("rank"))


def _grade_by_code(grades: list[Grade], code: str | None) -> Grade | None:
    return next((g for g in grades if g.code == code), None)


def _rank_map(mapping: dict[str, str], grades: list[Grade]) -> dict[str, int]:
    ranks = {g.code: g.rank for g in grades}
    return {key: ranks[code] for key, code in mapping.items() if code in ranks}


def _roles_of(user) -> list[str]:
    if user is None:
        return []
    return list(user.groups.values_list("name", flat=True))


def _user_has(user, perm: str) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(perm))


def _lock(complaint: Complaint) -> Complaint:
    return (Complaint.objects.select_for_update(of=("self",))
            .select_related("grade", "min_grade", "category", "customer", "driver").get(pk=complaint.pk))


def _timeline(complaint: Complaint, kind: str, *, actor=None, note: str = "", public: bool = False,
              from_status: str = "", to_status: str = "", at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(complaint=complaint, kind=kind, actor=actor, note=note, public=public,
                                        from_status=from_status, to_status=to_status, at=at or timezone.now())


def _complaint_link(complaint: Complaint) -> str:
    from django.urls import reverse

    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def _notify_role_after_commit(role: str, subject: str, body: str, *, complaint: Complaint | None = None,
                              kind: str = Notification.Kind.INFO) -> None:
    """Tell the active members of a role: an item under their bell now, an e-mail after commit."""
    notify(get_user_model().objects.filter(groups__name=role), kind=kind, text=subject,
           link=_complaint_link(complaint) if complaint is not None else "", email_subject=subject, email_body=body)


def _inform_customer_after_commit(complaint: Complaint, event: str, text: str) -> None:
    """Queue a progress message through the Care outbox after commit (once per complaint and event)."""
    if complaint.customer_id is None or _is_muted():
        return
    key = f"complaint:{complaint.number}:{event}"
    if complaint.reopen_count:
        key = f"{key}:{complaint.reopen_count}"
    customer = complaint.customer

    def send():
        try:
            customer_message(customer=customer, key=key, text=text)
        except Exception:  # noqa: BLE001 - a message must never undo the complaint's progress
            log.exception("could not queue complaint message %s", key)

    transaction.on_commit(send)
