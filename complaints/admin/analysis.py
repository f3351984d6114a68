"""The monthly complaint analysis in the admin: the cause list, and one page per month with last
month's closed cases by category and by cause, the findings, the improvement actions (inline, with
owners and due dates) and the sign-off."""

from django import forms
from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from complaints import analysis_signoff
from complaints.errors import ComplaintError
from complaints.models import AnalysisMonth, Cause, ImprovementAction


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("name", "code")


class ImprovementActionInline(admin.TabularInline):
    model = ImprovementAction
    extra = 1
    fields = ("action", "owner", "due_on", "done_on")
    raw_id_fields = ("owner",)


class AnalysisMonthForm(forms.ModelForm):
    sign_off = forms.BooleanField(label=_("Sign off this month's analysis"), required=False,
                                  help_text=_("Records you and now as the sign-off; the findings are then final."))
    user = None

    class Meta:
        model = AnalysisMonth
        fields = ("month", "findings")

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month

    def clean(self):
        data = super().clean()
        if data.get("sign_off"):
            if not self.user.has_perm(analysis_signoff.PERM):
                self.add_error("sign_off", _("You are not allowed to sign off the complaint analysis."))
            elif not (data.get("findings") or "").strip():
                self.add_error("findings", _("Write the findings before signing off."))
        return data


@admin.register(AnalysisMonth)
class AnalysisMonthAdmin(admin.ModelAdmin):
    form = AnalysisMonthForm
    inlines = [ImprovementActionInline]
    list_display = ("__str__", "signed_off_by", "signed_off_at", "reminded_at", "flagged_late_at", "action_count")
    list_filter = (("signed_off_at", admin.EmptyFieldListFilter), ("flagged_late_at", admin.EmptyFieldListFilter))
    list_select_related = ("signed_off_by",)

    def get_fields(self, request, obj=None):
        base = ["month", "closed_cases", "findings"]
        if obj is None or not obj.signed_off_at:
            return [*base, "sign_off"]
        return [*base, "signed_off_by", "signed_off_at", "reminded_at", "flagged_late_at"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["closed_cases", "signed_off_by", "signed_off_at", "reminded_at", "flagged_late_at"]
        if obj is not None:
            readonly.append("month")
            if obj.signed_off_at:
                readonly.append("findings")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    @admin.display(description=_("improvement actions"))
    def action_count(self, obj):
        return obj.actions.count()

    @admin.display(description=_("closed cases by category and cause"))
    def closed_cases(self, obj):
        if obj is None or not obj.pk:
            return "—"
        figures = analysis_signoff.closed_cases_analysis(obj.month.year, obj.month.month)
        return render_to_string("admin/complaints/analysis_closed_cases.html", figures)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("sign_off"):
            try:
                analysis_signoff.analysis_sign_off(analysis=obj, actor=request.user, findings=obj.findings)
            except ComplaintError as exc:
                self.message_user(request, exc.message, level="error")
            obj.refresh_from_db()
