"""Rows by duty (appraisal.selectors.visible_q): an agent's own, a supervisor's team's, everyone's for
managers, the GM and the analyst. Every appraisal admin narrows its queryset with this mixin, so a
link to another agent's row answers 404 like a row that does not exist."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from appraisal import selectors


class ScopedAdminMixin:
    agent_path = "agent"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.visible_q(request.user, self.agent_path))


def subject_link(review) -> str:
    """The contact or complaint a QA review scores, linked to its page."""
    if review.complaint_id:
        complaint = review.complaint
        return format_html('<a href="{}">{} {}</a>', reverse("admin:complaints_complaint_change",
                                                             args=[complaint.pk]), _("Complaint"), complaint.number)
    contact = review.contact
    when = f"{contact.happened_at:%Y-%m-%d %H:%M}" if contact.happened_at else ""
    return format_html('<a href="{}">{} · {} · {}</a>', reverse("admin:customers_contactlog_change",
                                                                 args=[contact.pk]),
                       contact.get_purpose_display(), contact.customer, when)


class AgentTeamFilter(admin.SimpleListFilter):
    """By the agent's current team."""

    title = _("team")
    parameter_name = "team"

    def lookups(self, request, model_admin):
        from core.models import Team

        return [(str(t.pk), t.name) for t in Team.objects.filter(kind=Team.Kind.SERVICE).order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{getattr(self, 'agent_path', 'agent')}__staff_profile__team": self.value()})
        return queryset
