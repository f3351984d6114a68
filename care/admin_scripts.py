"""Callback scripts and their checklist items (系统设置 → 回访话术): managers edit the script an agent
reads and the standard points they answer yes / no on the callback-outcome form."""

from django.contrib import admin

from care.models import CallbackScript, ChecklistItem


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("position", "text", "is_active")


@admin.register(CallbackScript)
class CallbackScriptAdmin(admin.ModelAdmin):
    list_display = ("name", "purpose", "reason_prefix", "is_active")
    list_filter = ("purpose", "is_active")
    search_fields = ("name", "script")
    fields = ("name", "purpose", "reason_prefix", "script", "is_active")
    inlines = [ChecklistItemInline]
