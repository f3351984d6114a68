"""Campaigns (关怀 → 营销活动): pick a segment, a template and an optional coupon, see the count, then
schedule or cancel (POST buttons calling the services); templates under 系统设置."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import admin_message
from engage.errors import EngageError
from engage.models import Campaign, CampaignTemplate
from engage.services import campaign_cancel, campaign_message_counts, campaign_preview, campaign_schedule


@admin.register(CampaignTemplate)
class CampaignTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "segment", "send_at", "status", "enqueued", "outcome")
    list_filter = ("kind", "status")
    list_select_related = ("segment", "template")
    fields = ("name", "kind", "segment", "template", "coupon_kind", "coupon_amount", "coupon_percent",
              "coupon_valid_days", "send_at", "preview", "status", "enqueued", "outcome", "scheduled_by",
              "scheduled_at", "buttons")
    readonly_fields = ("preview", "status", "enqueued", "outcome", "scheduled_by", "scheduled_at", "buttons")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return [f for f in self.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("customers (with consent)"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the draft to see how many customers it reaches.")
        counts = campaign_preview(campaign=obj)
        return _("%(customers)s customers, %(with_consent)s with marketing consent") % counts

    @admin.display(description=_("queued / sent / skipped / failed"))
    def outcome(self, obj):
        c = campaign_message_counts(obj)
        return f"{c['queued']} / {c['sent']} / {c['skipped']} / {c['failed']}"

    @admin.display(description=_("actions"))
    def buttons(self, obj):
        if obj is None or obj.pk is None or obj.status == Campaign.Status.CANCELLED:
            return "—"
        if obj.status == Campaign.Status.DRAFT:
            url, label = reverse("admin:engage_campaign_schedule", args=[obj.pk]), _("Schedule")
        else:
            url, label = reverse("admin:engage_campaign_cancel", args=[obj.pk]), _("Cancel the campaign")
        return format_html('<button type="submit" form="campaign-action" formaction="{}" formmethod="post">{}</button>',
                           url, label)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "campaign_action_form": True}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/schedule/", view(require_POST(self.schedule_view)), name="engage_campaign_schedule"),
                path("<int:pk>/cancel/", view(require_POST(self.cancel_view)), name="engage_campaign_cancel"),
                *super().get_urls()]

    def _act(self, request, pk, service, done):
        if not request.user.has_perm("engage.schedule_campaign"):
            raise PermissionDenied
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            count = service(campaign=campaign, actor=request.user)
        except EngageError as exc:
            admin_message(request, exc)
        else:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)
        return redirect("admin:engage_campaign_change", pk)

    def schedule_view(self, request, pk):
        return self._act(request, pk, campaign_schedule, _("Scheduled: %(n)s messages in the outbox."))

    def cancel_view(self, request, pk):
        return self._act(request, pk, campaign_cancel, _("Cancelled: %(n)s queued messages stopped."))
