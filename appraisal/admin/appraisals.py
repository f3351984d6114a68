"""考核 → 月度考核: each agent's appraisal of a month (QA, self-assessment, customer ratings, the
weighted total), the page of one (the weights used, the QA items, the self-assessment, the month's
notices; sign-off and recompute, POST only) and the page that computes a month."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from appraisal import selectors
from appraisal.admin.forms import MonthForm, ReopenForm, SignOffForm, last_month
from appraisal.admin.scope import AgentTeamFilter, ScopedAdminMixin
from appraisal.models import Appraisal, SelfAssessment
from appraisal.services import appraisal_recompute, appraisal_reopen, appraisal_sign_off, appraisals_compute_month
from core.errors import DomainError, admin_message

PART_LABELS = {"qa": _("QA reviews (supervisor)"), "self": _("self-assessment"),
               "customer": _("customer ratings of callbacks")}


@admin.register(Appraisal)
class AppraisalAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("month_label", "agent", "team", "qa", "self_score", "customer", "total", "status",
                    "signed_off_by")
    list_filter = ("status", "month", AgentTeamFilter)
    list_select_related = ("agent", "team", "signed_off_by")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name")
    ordering = ("-month", "team__name", "agent__username")
    readonly_fields = ("agent", "month", "team", "qa_score", "qa_reviews", "self_score", "customer_score",
                       "customer_ratings", "weights_used", "total", "status", "computed_at", "signed_off_by",
                       "signed_off_at", "sign_off_note")
    fields = readonly_fields
    actions = ["sign_off_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_sign_off_permission(self, request):
        return request.user.has_perm("appraisal.change_appraisal")

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("QA score"), ordering="qa_score")
    def qa(self, obj):
        return "—" if obj.qa_score is None else f"{obj.qa_score} ({obj.qa_reviews})"

    @admin.display(description=_("customer ratings"), ordering="customer_score")
    def customer(self, obj):
        return "—" if obj.customer_score is None else f"{obj.customer_score} ({obj.customer_ratings})"

    @admin.display(description=_("weights used"))
    def weights_used(self, obj):
        shares = obj.effective_weights()
        return "、".join(f"{PART_LABELS[p]} {share}%" for p, share in shares.items()) or "—"

    @admin.action(description=_("Sign off the selected appraisals"), permissions=["sign_off"])
    def sign_off_selected(self, request, queryset):
        done = 0
        for appraisal in queryset.select_related("agent__staff_profile__team"):
            try:
                appraisal_sign_off(appraisal=appraisal, actor=request.user)
                done += 1
            except DomainError as exc:
                admin_message(request, exc, prefix=str(appraisal))
        if done:
            self.message_user(request, _("%(n)s appraisals signed off.") % {"n": done}, messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_compute": self.has_sign_off_permission(request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appraisal = get_object_or_404(self.get_queryset(request).select_related("agent__staff_profile__team"),
                                      pk=object_id)
        may = selectors.may_appraise(request.user, appraisal.agent)
        extra_context = {
            **(extra_context or {}),
            "items": selectors.qa_item_averages(appraisal.agent_id, appraisal.month),
            "self_assessment": SelfAssessment.objects.filter(agent=appraisal.agent, month=appraisal.month).first(),
            "notices": selectors.notices_in_effect(appraisal.agent_id, appraisal.month),
            "qa_link": reverse("admin:appraisal_qareview_changelist")
            + f"?agent__id__exact={appraisal.agent_id}&month={appraisal.month:%Y-%m-%d}",
            "may_sign_off": may and appraisal.status == Appraisal.Status.DRAFT,
            "sign_off_form": SignOffForm(),
            "may_reopen": may and appraisal.status == Appraisal.Status.SIGNED_OFF,
            "reopen_form": ReopenForm(),
            "reopenings": appraisal.reopenings.select_related("reopened_by", "signed_off_by"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("compute/", view(self.compute_view), name="appraisal_appraisal_compute"),
                path("<int:pk>/sign-off/", view(require_POST(self.sign_off_view)), name="appraisal_appraisal_sign_off"),
                path("<int:pk>/reopen/", view(require_POST(self.reopen_view)), name="appraisal_appraisal_reopen"),
                path("<int:pk>/recompute/", view(require_POST(self.recompute_view)),
                     name="appraisal_appraisal_recompute"),
                *super().get_urls()]

    def _appraisal(self, request, pk) -> Appraisal:
        return get_object_or_404(self.get_queryset(request).select_related("agent__staff_profile__team"), pk=pk)

    def sign_off_view(self, request, pk):
        appraisal = self._appraisal(request, pk)
        form = SignOffForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            appraisal_sign_off(appraisal=appraisal, actor=request.user, note=note)
        except DomainError as exc:
            admin_message(request, exc)
        else:
            self.message_user(request, _("Appraisal signed off."), messages.SUCCESS)
        return redirect("admin:appraisal_appraisal_change", pk)

    def reopen_view(self, request, pk):
        appraisal = self._appraisal(request, pk)
        form = ReopenForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            appraisal_reopen(appraisal=appraisal, actor=request.user, reason=reason)
        except DomainError as exc:
            admin_message(request, exc)
        else:
            self.message_user(request, _("Appraisal reopened: recompute it and sign it off again."), messages.SUCCESS)
        return redirect("admin:appraisal_appraisal_change", pk)

    def recompute_view(self, request, pk):
        appraisal = self._appraisal(request, pk)
        try:
            appraisal_recompute(appraisal=appraisal, actor=request.user)
        except DomainError as exc:
            admin_message(request, exc)
        else:
            self.message_user(request, _("Appraisal recomputed."), messages.SUCCESS)
        return redirect("admin:appraisal_appraisal_change", pk)

    def compute_view(self, request):
        """Compute a month's appraisals now (the job does it on days 1–10 after the month): every agent's
        for a manager, the team's for a supervisor."""
        if not self.has_sign_off_permission(request):
            raise PermissionDenied
        form = MonthForm(request.POST or None, initial={"month": last_month()})
        if request.method == "POST" and form.is_valid():
            month = form.cleaned_data["month"]
            agents = None if request.user.has_perm("appraisal.appraise_all") else list(
                selectors.agents_appraisable_by(request.user))
            counts = appraisals_compute_month(month=month, agents=agents)
            self.message_user(request, _("%(n)s appraisals computed (%(signed)s already signed off, left as they "
                                         "were).") % {"n": counts["computed"], "signed": counts["signed_off"]},
                              messages.SUCCESS)
            return redirect(reverse("admin:appraisal_appraisal_changelist") + f"?month={month:%Y-%m-%d}")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Compute the appraisals of a month")}
        return TemplateResponse(request, "admin/appraisal/compute.html", context)
