from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import admin_message
from kpis.errors import KpiError
from kpis.models import MonthlySnapshot, SnapshotRecompute
from kpis.services import snapshot_compute_month


@admin.register(MonthlySnapshot)
class MonthlySnapshotAdmin(admin.ModelAdmin):
    """Snapshots are written only by the compute service; here they are read, and a manager with the
    permission can recompute a month explicitly (recorded)."""

    list_display = ["month", "scope", "label", "orders_completed", "satisfaction_rate", "complaint_rate",
                    "retention_rate", "nps", "deadlines_met_rate", "callbacks_done", "computed_at",
                    "recomputed_after_freeze"]
    list_filter = ["scope", "month", "recomputed_after_freeze"]
    list_select_related = ["team", "agent"]
    search_fields = ["label", "scope_key"]
    ordering = ["-month", "scope", "label"]
    actions = ["recompute_months"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description=_("Recompute the selected months (also when frozen)"),
                  permissions=["recompute"])
    def recompute_months(self, request, queryset):
        months = sorted(set(queryset.values_list("month", flat=True)))
        for month in months:
            try:
                snapshot_compute_month(month=month, actor=request.user, force=True,
                                       note=str(_("Recomputed from the admin")))
            except KpiError as exc:
                admin_message(request, exc)
                return
        self.message_user(request, ngettext("%(n)d month recomputed.", "%(n)d months recomputed.", len(months))
                          % {"n": len(months)}, messages.SUCCESS)

    def has_recompute_permission(self, request):
        return request.user.has_perm("kpis.recompute_frozen")


@admin.register(SnapshotRecompute)
class SnapshotRecomputeAdmin(admin.ModelAdmin):
    list_display = ["month", "requested_by", "requested_at", "note"]
    list_select_related = ["requested_by"]
    readonly_fields = ["month", "requested_by", "requested_at", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
