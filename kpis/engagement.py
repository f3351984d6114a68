"""The dashboard's engagement section (issue 18): satisfaction and NPS by review source, surveys and
campaign reach of the month, as the snapshot stored them (read only; kpis.metrics computes them)."""

from django.utils.translation import gettext_lazy as _

from customers.models import Review  # (kpis only reads customers)
from engage.models import CampaignKind  # (kpis only reads engage)
from kpis.models import MonthlySnapshot
from kpis.selectors import admin_url
from kpis.templatetags.kpis_tags import KEY_LABELS

SURVEY_KEYS = ("sent", "answered", "response_rate", "rated", "satisfaction_rate", "scored", "nps")
CAMPAIGN_KEYS = ("sent", "customers_reached", "skipped", "failed")
LABELS = {
    "answered": _("Answered"), "response_rate": _("Response rate (%)"), "rated": _("Satisfaction answers"),
    "scored": _("Recommendation answers"), "nps": _("NPS"), "customers_reached": _("Customers reached"),
}


def _labelled(values: dict, keys) -> list[tuple[str, object]]:
    return [(str(LABELS.get(k) or KEY_LABELS.get(k, k)), values.get(k)) for k in keys]


def reviews_by_source_rows(snapshot: MonthlySnapshot) -> list[dict]:
    """One row per review source (platform, callback, survey), in that order, with its label."""
    stored = snapshot.reviews_by_source or {}
    return [{"source": str(label), **stored[value]} for value, label in Review.Source.choices if value in stored]


def survey_rows(snapshot: MonthlySnapshot) -> list[tuple[str, object]] | None:
    return _labelled(snapshot.surveys, SURVEY_KEYS) if snapshot.surveys else None


def campaign_rows(snapshot: MonthlySnapshot) -> list[tuple[str, object]] | None:
    if not snapshot.campaigns:
        return None
    by_kind = snapshot.campaigns.get("sent_by_kind") or {}
    kinds = [(str(_("Sent: %(kind)s") % {"kind": label}), by_kind[value])
             for value, label in CampaignKind.choices if value in by_kind]
    return _labelled(snapshot.campaigns, CAMPAIGN_KEYS) + kinds


def engagement_links() -> dict[str, str | None]:
    """The admin lists behind the section: answered survey invitations, campaigns."""
    return {"surveys": admin_url("engage_surveyinvitation", {"answered_at__isempty": "0"}),
            "campaigns": admin_url("engage_campaign", {})}
