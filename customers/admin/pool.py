"""Requests for more customers from the public pool (issue 17 item 15 (c); 001 篇2 公平公开): an agent adds
a request (how many); a supervisor selects waiting requests and distributes the pool round-robin by load."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customers.errors import CustomerError
from customers.models import PoolRequest
from customers.services.pool import pool_distribute


@admin.register(PoolRequest)
class PoolRequestAdmin(admin.ModelAdmin):
    list_display = ("requested_by", "count", "given", "status", "requested_at", "served_at")
    list_filter = ("status",)
    list_select_related = ("requested_by",)
    fields = ("count",)
    actions = ["distribute"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.has_perm("customers.manage_ownership") else qs.filter(requested_by=request.user)

    def has_add_permission(self, request):
        return request.user.has_perm("customers.add_contactlog") or request.user.has_perm("customers.manage_ownership")

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self.has_add_permission(request)

    def save_model(self, request, obj, form, change):
        obj.requested_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Distribute pool customers to the selected requests (round-robin by load)"))
    def distribute(self, request, queryset):
        try:
            given = pool_distribute(requests=list(queryset), actor=request.user)
        except CustomerError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, ngettext("%(n)d customer given from the pool.",
                                            "%(n)d customers given from the pool.", given) % {"n": given})
