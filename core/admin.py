from django.contrib import admin

from core.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("name", "runs", "last_started_at", "last_finished_at", "last_result")
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False
