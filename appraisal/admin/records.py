"""考核 → 自评: agents self-assess (their own, this month or last, until signed off); supervisors read
their team's, managers and the analyst everyone's. (奖罚通知单: appraisal.admin.notices.)"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appraisal.admin.forms import SelfAssessmentForm
from appraisal.admin.scope import AgentTeamFilter, ScopedAdminMixin
from appraisal.errors import AppraisalError
from appraisal.models import Appraisal, SelfAssessment
from appraisal.services import self_assessment_check, self_assessment_submit


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
