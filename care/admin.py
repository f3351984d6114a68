"""The care admin: occasions and templates (with a preview for a chosen customer), the outbox (filters,
resend), campaign summaries and notice templates; the callback lists and reports are in
``care.admin_callbacks``. Every action calls a service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from care import admin_scripts, selectors, services  # noqa: F401 (admin_scripts registers the scripts' admin)
from care.adapters import tier_choices
from care.admin_callbacks import CallbackAdmin  # noqa: F401 (registered there; imported so the admin finds it)
from care.admin_sms import send_template_view
from care.errors import CareError
from care.models import CampaignRun, Message, NoticeTemplate, Occasion, OccasionTemplate
from customers.admin.privacy import PersonalDataAdminMixin
from customers.models import Customer


# --- occasions and templates ----------------------------------------------------------------
class OccasionTemplateForm(forms.ModelForm):
    tier = forms.ChoiceField(label=_("tier"), required=False)

    class Meta:
        model = OccasionTemplate
        fields = ["tier", "subject", "body", "benefit", "coupon_kind", "coupon_amount", "coupon_percent",
                  "coupon_valid_days"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("Every other tier"))] + tier_choices()

    def clean(self):
        data = super().clean()
        kind = data.get("coupon_kind")
        if kind == "percent" and not data.get("coupon_percent"):
            self.add_error("coupon_percent", _("Give the discount for a percentage coupon."))
        if kind in ("free_ride", "fixed") and not data.get("coupon_amount"):
            self.add_error("coupon_amount", _("Give the amount of the coupon."))
        return data


class OccasionTemplateInline(admin.StackedInline):
    model = OccasionTemplate
    form = OccasionTemplateForm
    extra = 0


class PreviewForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.exclude(
        status=Customer.Status.ANONYMISED), widget=forms.NumberInput, help_text=_("Customer number (id)."))
    year = forms.IntegerField(label=_("year"), min_value=1901, max_value=2099)


@admin.register(Occasion)
class OccasionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "date_this_year", "send_offset_days", "channel", "is_active",
                    "preview_link")
    list_filter = ("kind", "is_active", "channel")
    search_fields = ("name", "code")
    inlines = [OccasionTemplateInline]
    fields = ("code", "name", "kind", "anniversary_kind", "month", "day", "send_offset_days", "channel",
              "requires_consent", "is_active")

    @admin.display(description=_("date this year"))
    def date_this_year(self, obj):
        if obj.kind == Occasion.Kind.BIRTHDAY:
            return _("each customer's birthday")
        if obj.kind == Occasion.Kind.ANNIVERSARY:
            return _("each customer's commemoration day")
        return obj.date_in(timezone.localdate().year) or "—"

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:care_occasion_preview", args=[obj.pk]),
                           _("Preview"))

    def get_urls(self):
        return [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="care_occasion_preview"),
            path("calendar/", self.admin_site.admin_view(self.calendar_view), name="care_occasion_calendar"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        occasion = get_object_or_404(Occasion, pk=pk)
        form = PreviewForm(request.GET or None, initial={"year": timezone.localdate().year})
        preview = None
        if form.is_valid():
            preview = selectors.occasion_preview(occasion=occasion, customer=form.cleaned_data["customer"],
                                                 year=form.cleaned_data["year"])
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "occasion": occasion,
                   "form": form, "preview": preview, "title": _("Preview: %(name)s") % {"name": occasion.name}}
        return TemplateResponse(request, "admin/care/occasion_preview.html", context)

    def calendar_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        year = min(max(year, 1901), 2099)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "year": year,
                   "rows": selectors.care_calendar(year), "title": _("Care calendar %(year)s") % {"year": year}}
        return TemplateResponse(request, "admin/care/calendar.html", context)


# --- outbox ---------------------------------------------------------------------------------
@admin.register(Message)
class MessageAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "occasion", "year", "channel", "status", "attempts", "status_reason",
                    "send_after", "sent_at")
    list_filter = ("status", "channel", "occasion", "year", "purpose")
    search_fields = ("customer__mobile", "customer__full_name", "dedupe_key")
    list_select_related = ("customer", "occasion")
    raw_id_fields = ("customer",)
    show_full_result_count = False
    actions = ["resend"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected failed or skipped messages"), permissions=["resend"])
    def resend(self, request, queryset):
        done, refused = 0, 0
        for message in queryset.filter(status__in=[Message.Status.FAILED, Message.Status.SKIPPED]):
            try:
                services.message_resend(message=message, actor=request.user)
                done += 1
            except CareError:
                refused += 1
        refused += queryset.exclude(status__in=[Message.Status.FAILED, Message.Status.SKIPPED]).count()
        self.message_user(request, _("%(n)s messages queued again.") % {"n": done}, messages.SUCCESS)
        if refused:
            self.message_user(request, _("%(n)s messages were not resent (only failed or skipped ones can be).")
                              % {"n": refused}, messages.WARNING)

    def has_resend_permission(self, request):
        return request.user.has_perm("care.resend_message")

    def get_urls(self):
        return [path("summary/", self.admin_site.admin_view(self.summary_view), name="care_message_summary"),
                path("send/<int:customer_id>/", self.admin_site.admin_view(require_POST(send_template_view)),
                     name="care_message_send"),
                *super().get_urls()]

    def summary_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = request.GET.get("year")
        rows = list(selectors.campaign_summary(year=int(year) if year and year.isdigit() else None))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "rows": rows,
                   "title": _("Campaign summary")}
        return TemplateResponse(request, "admin/care/campaign_summary.html", context)


@admin.register(CampaignRun)
class CampaignRunAdmin(admin.ModelAdmin):
    list_display = ("occasion", "year", "occasion_date", "enqueued", "started_at", "finished_at")
    list_filter = ("occasion", "year")
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    """Texts of service notices (the handover notice naming the new contact)."""

    list_display = ("code", "channel", "is_active")
    fields = ("code", "body", "channel", "is_active")
