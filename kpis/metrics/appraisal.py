"""Appraisal figures (issue 18 item 4): the month's appraisal score (``appraisal.Appraisal.total``,
signed off or still a draft). Agent: their own; team: the average of its agents' scores (by the
agent's team, as the other team figures); company: the average over every appraised agent. Agents
without a score (no part yet) are left out of the averages."""

from decimal import Decimal

from django.db.models import Count, Sum

from appraisal.models import Appraisal  # (kpis only reads appraisal)
from kpis.metrics.period import Period
from kpis.rules import ratio


def _average(total, count) -> Decimal | None:
    return ratio(Decimal(str(total)) if total is not None else None, count)


def _scored(period: Period):
    return Appraisal.objects.filter(month=period.month, total__isnull=False)


def appraisal_score(period: Period) -> dict:
    """Company: the average appraisal score of the month."""
    row = _scored(period).aggregate(total=Sum("total"), n=Count("id"))
    return {"appraisal_score": _average(row["total"], row["n"])}


def appraisal_scores_by(period: Period, group_by: str) -> dict:
    """Per agent (``agent``) or per agent's team (``agent__staff_profile__team``)."""
    rows = (_scored(period).filter(**{f"{group_by}__isnull": False}).values(group_by)
            .annotate(total=Sum("total"), n=Count("id")).order_by())
    return {r[group_by]: {"appraisal_score": _average(r["total"], r["n"])} for r in rows}
