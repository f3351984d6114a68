"""Profiles incomplete after 90 days (001 篇2: 自建档之日起90天之内仍未填写完整的客户资料): a daily job
e-mails each account manager the count of their customers whose profile is still incomplete
CUSTOMER_PROFILE_INCOMPLETE_DAYS after creation, and each team supervisor the counts of their team's
agents, one message per person with a link to the list. The document deletes such profiles; we list
them instead (a customer with orders must not disappear, and deletion goes through the PIPL review)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.notifications import email_staff_after_commit
from core.services import job_lock
from customers import selectors

JOB = "customers.incomplete_profiles"


def _list_link(*, mine: bool) -> str:
    """The customer list filtered to these profiles (the owner's own, or all the supervisor may see)."""
    query = "owner=me&profile=incomplete_after" if mine else "profile=incomplete_after"
    return f"{reverse('admin:customers_customer_changelist')}?{query}"


def incomplete_profiles_notify(*, now=None) -> dict[str, int]:
    """Once per day (a second run the same day, or two at once, sends nothing more): e-mail owners and
    their supervisors. Returns how many owners and supervisors were written to."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        run = job_lock(JOB)
        if run.last_finished_at and timezone.localdate(run.last_finished_at) == today:
            return {"owners": 0, "supervisors": 0, "skipped": 1}
        counts = selectors.profiles_incomplete_by_owner(now=now)
        owners = (get_user_model().objects.filter(pk__in=counts, is_active=True)
                  .select_related("staff_profile__team").order_by("pk"))
        days, link = settings.CUSTOMER_PROFILE_INCOMPLETE_DAYS, _list_link(mine=True)
        by_supervisor: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for owner in owners:
            n = counts[owner.pk]
            email_staff_after_commit(
                _("%(n)s of your customers' profiles are still incomplete after %(days)s days")
                % {"n": n, "days": days},
                _("Please complete them: %(link)s") % {"link": link},
                get_user_model().objects.filter(pk=owner.pk))
            team = getattr(getattr(owner, "staff_profile", None), "team", None)
            if team and team.supervisor_id and team.supervisor_id != owner.pk:
                by_supervisor[team.supervisor_id].append((f"{owner.last_name}{owner.first_name}" or owner.username, n))
        for supervisor_id, rows in sorted(by_supervisor.items()):
            lines = "\n".join(f"{name}: {n}" for name, n in rows)
            email_staff_after_commit(
                _("Your team: %(n)s profiles incomplete after %(days)s days") % {
                    "n": sum(n for _name, n in rows), "days": days},
                f"{lines}\n\n{_list_link(mine=False)}", get_user_model().objects.filter(pk=supervisor_id))
        result = f"{today}: owners={len(owners)} supervisors={len(by_supervisor)}"
        type(run).objects.filter(pk=run.pk).update(last_started_at=now, last_finished_at=timezone.now(),
                                                   runs=run.runs + 1, last_result=result)
    return {"owners": len(owners), "supervisors": len(by_supervisor)}
