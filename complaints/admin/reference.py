from django.contrib import admin

from complaints.models import Category, DriverAction, DriverScoreDeduction, Grade, Macro, RoutingRule


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ("rank", "name", "code", "owner_role", "acknowledge_hours", "resolve_hours", "close_hours",
                    "working_days")
    list_editable = ("owner_role", "acknowledge_hours", "resolve_hours", "close_hours", "working_days")
    list_display_links = ("name",)
    readonly_fields = ("code", "rank")

    def has_add_permission(self, request):
        return False  # five grades; escalation walks their ranks

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "min_grade", "driver_score_deduction", "position", "is_active")
    list_editable = ("min_grade", "driver_score_deduction", "position", "is_active")
    list_display_links = ("name",)
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None):
        return False  # complaints keep their category; retire one with "active"


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DriverAction)
class DriverActionAdmin(ReadOnly):
    list_display = ("created_at", "driver", "kind", "year", "complaint", "created_by")
    list_filter = ("kind", "year")
    list_select_related = ("driver", "complaint", "created_by")
    search_fields = ("driver__name", "=driver__employee_no", "=complaint__number")


@admin.register(DriverScoreDeduction)
class DriverScoreDeductionAdmin(ReadOnly):
    list_display = ("created_at", "driver", "year", "points", "complaint")
    list_filter = ("year",)
    list_select_related = ("driver", "complaint")
    search_fields = ("driver__name", "=driver__employee_no", "=complaint__number")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """系统设置: which role owns complaints of a category and/or grade (the most specific rule wins;
    no rule: the grade's owner role)."""

    list_display = ("id", "category", "grade", "role", "informed_role", "is_active")
    list_editable = ("role", "informed_role", "is_active")
    list_filter = ("role", "is_active")
    list_select_related = ("category", "grade")


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """系统设置: canned replies for notes and messages to the customer."""

    list_display = ("name", "category", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("category", "is_active")
    list_select_related = ("category",)
    search_fields = ("name", "text")
