"""The complaint list's own filters: deadlines, and mine / my roles' queue."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import selectors
from complaints.models import Complaint


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadlines")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("soon", _("Deadline near")), ("open", _("Open")),
                ("approval", _("Remedy waiting for my approval")),
                ("approval_higher", _("Remedy above my approval limit"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.overdue_q())
        if self.value() == "soon":
            return queryset.filter(selectors.deadline_near_q(timezone.now()), status__in=Complaint.OPEN_STATUSES)
        if self.value() in ("approval", "approval_higher"):
            mine, higher = selectors.remedies_waiting_split(request.user)
            return queryset.filter(pk__in=mine if self.value() == "approval" else higher)
        if self.value() == "open":
            return queryset.filter(status__in=Complaint.OPEN_STATUSES)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("role", _("My roles' queue"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "role":
            return queryset.filter(owner_role__in=request.user.groups.values_list("name", flat=True))
        return queryset
