"""The care admin's callbacks: agents' callback lists (record an outcome in a few clicks) and the
weekly/monthly callback reports with export. Imported by ``care.admin``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from care import selectors, services
from care.errors import CareError
from care.models import Callback
from core.db_routing import reads_from_replica
from core.errors import DomainError, admin_message, form_add_error
from core.http import redirect_next
from core.models import ExportRecord
from core.services import export_record
from core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_text, xlsx_bytes
from customers.admin.privacy import PersonalDataAdminMixin
from customers.forms import ChecklistFormMixin
from customers.models import ContactLog, Rating
from customers.services import callback_outcome_record


class ListFilterAgent(admin.SimpleListFilter):
    """Whose callbacks: an agent's own list by default; everyone's when the page is opened with
    other filters (e.g. a link from the KPI dashboard to the callbacks done in a month)."""

    title = _("list")
    parameter_name = "list"
    _ignored = {"list", "o", "p", "q", "e", "_changelist_filters"}

    def __init__(self, request, params, model, model_admin):
        self.default = "all" if set(request.GET) - self._ignored else "mine"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("mine", _("My callbacks")), ("queue", _("Team queue (public pool)")), ("all", _("Everyone's"))]

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == _("All"):
                continue
            yield choice

    def value(self):
        return super().value() or self.default

    def queryset(self, request, queryset):
        value = self.value()
        if value == "queue":
            return queryset.filter(agent__isnull=True)
        if value == "all":
            return queryset
        return queryset.filter(agent=request.user)


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("open", _("Open (due today or overdue)")), ("overdue", _("Overdue")), ("upcoming", _("Upcoming")),
                ("done", _("Recorded"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(status=ContactLog.Status.SCHEDULED, due_on__lt=today)
        if self.value() == "open":
            return queryset.filter(status=ContactLog.Status.SCHEDULED, due_on__lte=today)
        if self.value() == "upcoming":
            return queryset.filter(status=ContactLog.Status.SCHEDULED, due_on__gt=today)
        if self.value() == "done":
            return queryset.filter(status=ContactLog.Status.DONE)
        return queryset


class CallbackOutcomeForm(ChecklistFormMixin, forms.Form):
    """The care callback screen's outcome form, with the callback script's checklist (yes / no per item)."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=ContactLog.Outcome.choices, widget=forms.RadioSelect)
    satisfaction = forms.TypedChoiceField(label=_("satisfaction"), choices=[("", "—"), *Rating.choices],
                                          coerce=int, empty_value=None, required=False,
                                          widget=forms.RadioSelect)
    recommend_score = forms.IntegerField(label=_("recommend score (0–10)"), min_value=0, max_value=10,
                                         required=False)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        if data.get("outcome") and data["outcome"] != ContactLog.Outcome.REACHED and (
                data.get("satisfaction") or data.get("recommend_score") is not None):
            raise forms.ValidationError(_("Satisfaction can only be recorded when the customer was reached."))
        return data


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), choices=[("week", _("Week")), ("month", _("Month"))])
    day = forms.DateField(label=_("a day in the period"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label=_("group by"), choices=[("agent", _("Agent")), ("team", _("Team"))])


@admin.register(Callback)
class CallbackAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "customer__mobile", "due_on", "purpose", "agent", "status", "outcome", "satisfaction",
                    "record_link")
    list_filter = (ListFilterAgent, DueFilter, "purpose", "outcome", ("agent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("customer__mobile", "customer__full_name")
    list_select_related = ("customer", "agent")
    ordering = ("due_on", "pk")
    show_full_result_count = False
    actions = ["take"]
    readonly_fields = ("customer", "agent", "channel", "purpose", "status", "due_on", "happened_at", "outcome",
                       "satisfaction", "recommend_score", "notes", "reason_key", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "report_url": reverse("admin:care_callback_report")}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("record"))
    def record_link(self, obj):  # (get_list_display swaps in one that knows the list's page)
        if obj.status != ContactLog.Status.SCHEDULED:
            return "—"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:care_callback_record", args=[obj.pk]), _("Record outcome"))

    @property
    def list_per_page(self):
        return settings.WORK_LIST_PER_PAGE

    def get_list_display(self, request):
        # The record link carries the list's page and filters, so saving an outcome comes back to them.
        back = request.get_full_path()

        @admin.display(description=_("record"))
        def record_link(obj):
            if obj.status != ContactLog.Status.SCHEDULED:
                return "—"
            url = reverse("admin:care_callback_record", args=[obj.pk])
            return format_html('<a class="button" href="{}?{}">{}</a>', url,
                               urlencode({"next": f"{back}#result_list"}), _("Record outcome"))

        return [record_link if name == "record_link" else name for name in super().get_list_display(request)]

    @admin.action(description=_("Take the selected callbacks from the team queue"), permissions=["record"])
    def take(self, request, queryset):
        taken = 0
        for contact in queryset.filter(agent__isnull=True, status=ContactLog.Status.SCHEDULED):
            try:
                services.callback_take(contact=contact, actor=request.user)
                taken += 1
            except CareError as exc:
                admin_message(request, exc, level=messages.WARNING)
        self.message_user(request, _("%(n)s callbacks are now on your list.") % {"n": taken}, messages.SUCCESS)

    def has_record_permission(self, request):
        return request.user.has_perm("care.record_callback")

    def get_urls(self):
        return [
            path("<int:pk>/record/", self.admin_site.admin_view(self.record_view), name="care_callback_record"),
            path("report/", self.admin_site.admin_view(self.report_view), name="care_callback_report"),
            *super().get_urls(),
        ]

    def record_view(self, request, pk):
        if not self.has_record_permission(request):
            raise PermissionDenied
        contact = get_object_or_404(Callback.objects.select_related("customer", "agent"), pk=pk)
        guide = services.callback_guides([contact]).get(contact.pk)
        form = CallbackOutcomeForm(request.POST or None, checklist=guide["items"] if guide else ())
        if request.method == "POST" and form.is_valid():
            try:
                callback_outcome_record(contact=contact, actor=request.user, **form.service_data())
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, _("Callback recorded."), messages.SUCCESS)
                return redirect_next(request, reverse("admin:care_callback_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "contact": contact,
                   "form": form, "guide": guide,
                   "title": _("Record callback: %(customer)s") % {"customer": contact.customer}}
        return TemplateResponse(request, "admin/care/callback_record.html", context)

    @reads_from_replica
    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReportForm(request.GET or None, initial={"period": "week", "day": timezone.localdate(),
                                                        "by": "agent"})
        rows, start, end, checklist = None, None, None, None
        if form.is_valid():
            day = form.cleaned_data["day"]
            if form.cleaned_data["period"] == "week":
                start, end = selectors.week_bounds(day)
            else:
                start, end = selectors.month_date_bounds(day.year, day.month)
            rows = selectors.callback_report(start=start, end=end, by=form.cleaned_data["by"])
            checklist = selectors.checklist_report(start=start, end=end)
            if request.GET.get("export") in ("csv", "xlsx"):
                response = _report_export(rows, start, end - dt.timedelta(days=1), form.cleaned_data["by"],
                                          request.GET["export"], checklist=checklist)
                export_record(user=request.user, kind=ExportRecord.Kind.CALLBACKS, fmt=request.GET["export"],
                              row_count=len(rows), query=request.GET.urlencode())
                return response
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "rows": rows,
                   "start": start, "end": end - dt.timedelta(days=1) if end else None, "checklist": checklist,
                   "title": _("Callback report"), "export_query": request.GET.urlencode()}
        return TemplateResponse(request, "admin/care/callback_report.html", context)


def _report_export(rows, start, last_day, by, fmt, *, checklist=()) -> HttpResponse:
    header = [str(_("agent")), str(_("team")), str(_("due")), str(_("done")), str(_("reached")),
              str(_("average satisfaction")), str(_("satisfied (%)"))]
    body = [[row["agent"], row["team"], row["due"], row["done"], row["reached"], row["satisfaction_avg"],
             row["satisfied_rate"]] for row in rows]
    filename = f"callbacks_{by}_{start}_{last_day}.{fmt}"
    # core.spreadsheets escapes text cells against formula injection (an agent's or team's name).
    if fmt == "xlsx":
        answers = [[str(_("callback script")), str(_("checklist item")), str(_("answered")), str(_("yes")),
                    str(_("yes (%)"))]] + [[r["script"], r["item"], r["answered"], r["yes"], r["yes_rate"]]
                                            for r in checklist]
        response = HttpResponse(xlsx_bytes([(f"{start}~{last_day}", [header, *body]),
                                            (str(_("checklist answers")), answers)]),
                                content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(csv_text([header, *body]), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
