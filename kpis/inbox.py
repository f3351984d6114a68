"""The figures' sections of the start page (registered with ``core.inbox`` in ``apps.py``): the
last complete month's headline figures and the reports for those who read the dashboard, and the
supervisor's team this month."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db_routing import replica_reads
from core.formats import figure as figure_value
from core.inbox import Item, Section
from kpis import selectors

PERMISSION = "kpis.view_dashboard"


def _team_items(user, today, link: str) -> list[Item]:
    items = []
    for snap in selectors.team_month(user, today=today):
        for label, value, kind in (
            (_("complaints handled"), snap.complaints_handled, "count"),
            (_("deadlines met"), snap.deadlines_met_rate, "rate"),
            (_("callbacks done"), snap.callbacks_done, "count"),
            (_("callback satisfaction"), snap.callback_satisfaction_rate, "rate"),
        ):
            items.append(Item(f"{snap.label} · {label}", url=link, value=figure_value(value, kind)))
    return items


def kpi_sections(user, now) -> list[Section]:
    if not user.has_perm(PERMISSION):
        return []
    with replica_reads():  # snapshots: from the read replica when there is one (core.db_routing)
        return _kpi_sections(user, now)


def _kpi_sections(user, now) -> list[Section]:
    today = timezone.localdate(now)
    dashboard = reverse("kpis:dashboard")
    sections = []
    team = _team_items(user, today, f"{dashboard}?month={today:%Y-%m}")
    if team:
        sections.append(Section("kpis_team", _("My team this month (so far)"), 40, team))
    headline = selectors.headline(today=today)
    if headline:
        link = f"{dashboard}?month={headline['month']:%Y-%m}"
        title = _("Headline figures of %(month)s") % {"month": f"{headline['month']:%Y-%m}"}
        sections.append(Section("kpis_headline", title, 45, [
            Item(str(f.label), url=link, value=figure_value(value, f.kind)) for f, value in headline["figures"]]))
    reports = [Item(_("Service-quality dashboard"), url=dashboard)]
    if headline:
        month = f"{headline['month']:%Y-%m}"
        reports.append(Item(_("Monthly figures as Excel (%(month)s)") % {"month": month},
                            url=f"{reverse('kpis:export_xlsx')}?month={month}"))
    sections.append(Section("reports", _("Reports"), 50, reports))
    return sections
