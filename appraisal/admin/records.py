"""考核 → 自评, 奖罚通知单: agents self-assess (their own, this month or last, until signed off);
supervisors and managers issue reward and penalty notices; everyone sees their own."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appraisal import selectors
from appraisal.admin.forms import NoticeForm, SelfAssessmentForm
from appraisal.admin.scope import AgentTeamFilter, ScopedAdminMixin
from appraisal.errors import AppraisalError
from appraisal.models import Appraisal, Notice, SelfAssessment
from appraisal.services import notice_check, notice_issue, self_assessment_check, self_assessment_submit


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("month_label", "agent", "score", "submitted_at", "updated_at")
    list_filter = ("month", AgentTeamFilter)
    list_select_related = ("agent",)
    ordering = ("-month", "agent__username")
    form = SelfAssessmentForm

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    def has_add_permission(self, request):
        return request.user.has_perm("appraisal.self_assess") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        """Only one's own, while the month's appraisal is not signed off (others read it)."""
        if not (request.user.has_perm("appraisal.self_assess") and super().has_change_permission(request, obj)):
            return False
        if obj is None:
            return True
        return obj.agent_id == request.user.pk and not Appraisal.objects.filter(
            agent_id=obj.agent_id, month=obj.month, status=Appraisal.Status.SIGNED_OFF).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        agent = request.user

        class Form(base):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("month") and cleaned.get("score") is not None:
                    try:
                        self_assessment_check(agent=agent, month=cleaned["month"], score=cleaned["score"],
                                              text=cleaned.get("text") or "")
                    except AppraisalError as exc:
                        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
                return cleaned

            def validate_unique(self):
                pass  # the service decides (one per agent and month: a second one changes the first)

        return Form

    def save_model(self, request, obj, form, change):
        saved = self_assessment_submit(agent=request.user, month=form.cleaned_data["month"],
                                       score=form.cleaned_data["score"], text=form.cleaned_data["text"])
        obj.pk, obj.agent, obj.month = saved.pk, saved.agent, saved.month
        obj._state.adding = False


@admin.register(Notice)
class NoticeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("issued_at", "agent", "kind", "amount", "points", "short_reason", "complaint", "issued_by")
    list_filter = ("kind", AgentTeamFilter, "issued_at")
    list_select_related = ("agent", "complaint", "issued_by")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name", "reason")
    raw_id_fields = ("complaint",)
    form = NoticeForm
    readonly_fields = ("agent", "kind", "reason", "amount", "points", "complaint", "issued_by", "issued_at")

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return obj.reason if len(obj.reason) <= 40 else f"{obj.reason[:40]}…"

    def has_add_permission(self, request):
        user = request.user  # (no query: the menu asks on every page)
        may = user.has_perm("appraisal.appraise_team") or user.has_perm("appraisal.appraise_all")
        return may and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # a notice is a record: issue a new one to correct it

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else NoticeForm.Meta.fields

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        actor = request.user

        class Form(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if "agent" in self.fields:
                    self.fields["agent"].queryset = selectors.agents_appraisable_by(actor)

            def clean(self):
                cleaned = super().clean()
                try:
                    notice_check(actor=actor, agent=cleaned.get("agent"), kind=cleaned.get("kind"),
                                 reason=cleaned.get("reason"), amount=cleaned.get("amount"),
                                 points=cleaned.get("points"))
                except AppraisalError as exc:
                    self.add_error(exc.field if exc.field in self.fields else None, exc.message)
                return cleaned

            def validate_unique(self):
                pass  # notice_check above says what is wrong (the database constraints stay the backstop)

        return Form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = notice_issue(actor=request.user, agent=data["agent"], kind=data["kind"], reason=data["reason"],
                             amount=data.get("amount"), points=data.get("points"), complaint=data.get("complaint"))
        obj.pk, obj.issued_by, obj.issued_at = saved.pk, saved.issued_by, saved.issued_at
        obj._state.adding = False
