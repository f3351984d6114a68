from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.models import ExportRecord, JobRun, StaffProfile, Team


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("name", "runs", "last_started_at", "last_finished_at", "last_result")
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False


# --- Teams and staff profiles (customers admin) -------------------------------------------------

class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ("team", "employee_no", "phone", "takes_customers", "left_at")
    verbose_name_plural = _("staff profile")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "supervisor", "member_count")
    list_filter = ("kind",)
    list_select_related = ("supervisor",)
    search_fields = ("name",)
    raw_id_fields = ("supervisor",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("members"))

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.n_members


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """The user admin with the staff profile (team, employee number, takes customers) inline."""

    inlines = [*UserAdmin.inlines, StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "team", "is_active", "is_staff")
    list_select_related = ("staff_profile__team",)

    @admin.display(description=_("team"))
    def team(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.team if profile and profile.team_id else "—"


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Every spreadsheet export, for supervisors (core.view_exportrecord): listed, never edited."""

    list_display = ("exported_at", "user", "kind", "format", "row_count", "query")
    list_filter = ("kind", "format")
    list_select_related = ("user",)
    search_fields = ("=user__username",)
    fields = list_display
    readonly_fields = list_display
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
