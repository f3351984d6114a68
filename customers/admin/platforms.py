"""Platforms, their API keys and the ingestion log.

- A platform's page lists its keys (created, last used, expiry, revoked), the last days of the
  ingestion log (created / updated / rejected per day) and the last rejected payloads with their
  reasons (personal data was masked before storing). "Create a new API key" shows the key once.
- Keys: created here (the key is shown once, only its hash is kept), revoked by an action
  (irreversible); nothing deletes a key, so "last used" stays visible. The plain key is shown on the
  page that answers the creation itself (never through the messages framework, whose storage is a
  cookie, nor a redirect), and admin pages are sent ``Cache-Control: no-store``.
- Managing platforms and keys (adding, changing the webhook, creating and revoking keys) takes the
  explicit permissions of ``core.roles._PLATFORM_ADMIN``: operations manager and general manager.
"""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.models import IngestionDay, Platform, PlatformAPIKey, RejectedPayload
from customers.services.platforms import platform_key_create, platform_keys_revoke

LOG_DAYS = 14
LOG_REJECTED = 20


class PlatformAPIKeyInline(admin.TabularInline):
    model = PlatformAPIKey
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("name", "prefix", "created", "last_used_at", "expiry_date", "revoked")
    readonly_fields = fields
    verbose_name_plural = _("API keys")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "is_active", "active_keys", "key_last_used", "today")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("created_at", "new_key_link", "ingestion_log", "rejected_payloads")
    fields = ("name", "code", "kind", "is_active", "push_webhook_url", "created_at", "new_key_link",
              "ingestion_log", "rejected_payloads")
    inlines = [PlatformAPIKeyInline]

    def get_queryset(self, request):
        today = timezone.localdate()
        return super().get_queryset(request).annotate(
            _active_keys=Count("api_keys", filter=Q(api_keys__revoked=False), distinct=True),
            _last_used=Max("api_keys__last_used_at"),
            _today_created=Max("ingestionday__created", filter=Q(ingestionday__day=today)),
            _today_updated=Max("ingestionday__updated", filter=Q(ingestionday__day=today)),
            _today_rejected=Max("ingestionday__rejected", filter=Q(ingestionday__day=today)),
        )

    @admin.display(description=_("active keys"), ordering="_active_keys")
    def active_keys(self, obj):
        return obj._active_keys

    @admin.display(description=_("last used at"), ordering="_last_used")
    def key_last_used(self, obj):
        return obj._last_used

    @admin.display(description=_("today: created / updated / rejected"))
    def today(self, obj):
        return f"{obj._today_created or 0} / {obj._today_updated or 0} / {obj._today_rejected or 0}"

    @admin.display(description=_("API key"))
    def new_key_link(self, obj):
        if not obj or not obj.pk:
            return _("Save the platform first; then create its API key here.")
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:customers_platform_new_key", args=[obj.pk]), gettext("Create a new API key"))

    @admin.display(description=_("ingestion log (last 14 days)"))
    def ingestion_log(self, obj):
        if not obj or not obj.pk:
            return "-"
        days = IngestionDay.objects.filter(platform=obj).order_by("-day")[:LOG_DAYS]
        if not days:
            return gettext("Nothing received yet.")
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", gettext("day"),
                           gettext("created"), gettext("updated"), gettext("rejected"))
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((d.day, d.created, d.updated, d.rejected) for d in days))
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("last rejected payloads (personal data masked)"))
    def rejected_payloads(self, obj):
        if not obj or not obj.pk:
            return "-"
        items = RejectedPayload.objects.filter(platform=obj).order_by("-received_at")[:LOG_REJECTED]
        if not items:
            return gettext("None.")
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", gettext("received at"),
                           gettext("endpoint"), gettext("errors"), gettext("payload (masked)"))
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td><pre>{}</pre></td><td><pre>{}</pre></td></tr>",
            ((timezone.localtime(r.received_at).strftime("%Y-%m-%d %H:%M:%S"), r.endpoint,
              json.dumps(r.errors, ensure_ascii=False, indent=1)[:2000],
              json.dumps(r.payload, ensure_ascii=False, indent=1)[:2000]) for r in items),
        )
        return format_html("<table>{}{}</table>", head, rows)

    def get_urls(self):
        return [
            path("<int:pk>/new-key/", self.admin_site.admin_view(self.new_key_view),
                 name="customers_platform_new_key"),
            *super().get_urls(),
        ]

    def new_key_view(self, request, pk):
        """GET: confirm; POST: create the key and show it once (never stored in plain text)."""
        platform = get_object_or_404(Platform, pk=pk)
        if not request.user.has_perm("customers.add_platformapikey"):
            raise PermissionDenied
        if request.method == "POST":
            key_obj, key = platform_key_create(platform=platform, name=request.POST.get("name", ""))
            return new_key_page(self.admin_site, request, platform=platform, key=key, key_obj=key_obj)
        return new_key_page(self.admin_site, request, platform=platform)


def new_key_page(admin_site, request, *, platform, key=None, key_obj=None) -> TemplateResponse:
    """The confirmation page, or (with ``key``) the one page that shows a new plain key."""
    context = {**admin_site.each_context(request), "title": gettext("New API key for %(name)s") % {
        "name": platform.name}, "platform": platform, "opts": Platform._meta, "key": key, "key_obj": key_obj}
    response = TemplateResponse(request, "admin/customers/platform_new_key.html", context)
    add_never_cache_headers(response)
    return response


@admin.register(PlatformAPIKey)
class PlatformAPIKeyAdmin(admin.ModelAdmin):
    list_display = ("platform", "name", "prefix", "created", "last_used_at", "expiry_date", "revoked")
    list_filter = ("revoked", "platform")
    list_select_related = ("platform",)
    search_fields = ("name", "prefix", "platform__name", "platform__code")
    fields = ("platform", "name", "expiry_date", "prefix", "created", "last_used_at", "revoked")
    actions = ["revoke_keys"]
    autocomplete_fields = ("platform",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("prefix", "created", "last_used_at", "revoked")
        return self.fields  # a key is never edited: revoke it and create another

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead; the row keeps "last used" for the record

    def save_model(self, request, obj, form, change):
        if change:
            return
        request._new_platform_key = PlatformAPIKey.objects.assign_key(obj)
        obj.save()

    def response_add(self, request, obj, post_url_continue=None):
        """The new key on the answer to the form itself: not in a message (a cookie), not after a redirect."""
        key = getattr(request, "_new_platform_key", None)
        if key is None:  # pragma: no cover - save_model always sets it on an add
            return super().response_add(request, obj, post_url_continue)
        return new_key_page(self.admin_site, request, platform=obj.platform, key=key, key_obj=obj)

    @admin.action(description=_("Revoke the selected keys (irreversible)"), permissions=["change"])
    def revoke_keys(self, request, queryset):
        count = platform_keys_revoke(keys=list(queryset))
        messages.success(request, gettext("%(count)s keys revoked.") % {"count": count})


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IngestionDay)
class IngestionDayAdmin(_ReadOnlyAdmin):
    list_display = ("day", "platform", "created", "updated", "rejected")
    list_filter = ("platform",)
    list_select_related = ("platform",)
    date_hierarchy = "day"


@admin.register(RejectedPayload)
class RejectedPayloadAdmin(_ReadOnlyAdmin):
    list_display = ("received_at", "platform", "endpoint", "error_fields")
    list_filter = ("platform",)
    list_select_related = ("platform",)
    show_full_result_count = False
    fields = ("platform", "received_at", "endpoint", "errors", "payload")

    @admin.display(description=_("fields at fault"))
    def error_fields(self, obj):
        return ", ".join(sorted(obj.errors)) if isinstance(obj.errors, dict) else ""


try:  # the library's own APIKey model is unused here: keys belong to platforms
    from rest_framework_api_key.models import APIKey

    admin.site.unregister(APIKey)
except admin.sites.NotRegistered:  # pragma: no cover
    pass
