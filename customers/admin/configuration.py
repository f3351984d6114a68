"""The customers app's configuration lists (系统设置): anniversary kinds, tags, service needs."""

from django.contrib import admin

from customers.models import AnniversaryKind, ServiceNeed, Tag


@admin.register(AnniversaryKind)
class AnniversaryKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "from_first_order", "is_active")
    fields = list_display
    search_fields = ("name", "code")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ServiceNeed)
class ServiceNeedAdmin(admin.ModelAdmin):
    search_fields = ("name",)
