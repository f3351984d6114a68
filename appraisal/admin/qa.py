"""考核 → 质检评分: the QA reviews (to score first), the sampling page (N random contacts and
complaints per agent of the supervisor's team for a month) and the scoring page of one review."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from appraisal import selectors
from appraisal.admin.forms import SampleForm, ScoreForm, last_month
from appraisal.admin.scope import AgentTeamFilter, ScopedAdminMixin, subject_link
from appraisal.models import QaReview, QaScore
from appraisal.services import items_for, qa_review_score, qa_sample
from core.errors import DomainError, form_add_error
from customers.admin.privacy import PersonalDataAdminMixin


class QaScoreInline(admin.TabularInline):
    model = QaScore
    fields = ("item", "points", "weight")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QaReview)
class QaReviewAdmin(ScopedAdminMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("month_label", "agent", "subject", "status", "score", "reviewer", "reviewed_at", "score_link")
    list_filter = ("status", "month", AgentTeamFilter, ("agent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agent__staff_profile__team", "reviewer", "contact__customer", "complaint")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name", "complaint__number")
    ordering = ("-month", "status", "agent__username", "pk")
    readonly_fields = ("agent", "month", "subject", "status", "score", "comment", "reviewer", "reviewed_at",
                       "sampled_by", "sampled_at")
    fields = readonly_fields
    inlines = [QaScoreInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("contact or complaint"))
    def subject(self, obj):
        return subject_link(obj)

    @admin.display(description=_("score"))
    def score_link(self, obj):  # (the column get_list_display puts in its place knows the user)
        return "—"

    def get_list_display(self, request):
        """The score button only where the user may score the agent (never on their own reviews)."""
        user = request.user

        @admin.display(description=_("score"))
        def score_link(obj):
            if not selectors.may_appraise(user, obj.agent):
                return "—"
            text = _("Score") if obj.status == QaReview.Status.PENDING else _("Score again")
            return format_html('<a class="button" href="{}">{}</a>',
                               reverse("admin:appraisal_qareview_score", args=[obj.pk]), text)

        return [score_link if item == "score_link" else item for item in super().get_list_display(request)]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_sample": request.user.has_perm("appraisal.add_qareview")}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("sample/", view(self.sample_view), name="appraisal_qareview_sample"),
                path("<int:pk>/score/", view(self.score_view), name="appraisal_qareview_score"),
                *super().get_urls()]

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def sample_view(self, request):
        if not request.user.has_perm("appraisal.add_qareview"):
            raise PermissionDenied
        form = SampleForm(request.POST or None, user=request.user, initial={"month": last_month()})
        if request.method == "POST" and form.is_valid():
            month = form.cleaned_data["month"]
            try:
                result = qa_sample(actor=request.user, month=month, agents=form.agents())
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, _("%(n)s contacts and complaints sampled for %(agents)s agents.") % {
                    "n": result.created, "agents": len(result.per_agent)}, messages.SUCCESS)
                return redirect(reverse("admin:appraisal_qareview_changelist")
                                + f"?status__exact=pending&month={month:%Y-%m-%d}")
        return TemplateResponse(request, "admin/appraisal/sample.html",
                                self._context(request, _("Sample contacts and complaints to score"), form=form))

    def score_view(self, request, pk):
        review = get_object_or_404(self.get_queryset(request).select_related(
            "agent__staff_profile__team", "contact__customer", "complaint__category"), pk=pk)
        if not selectors.may_appraise(request.user, review.agent):
            raise PermissionDenied
        items = items_for(review)
        initial = dict(review.scores.values_list("item_id", "points"))
        form = ScoreForm(request.POST or None, items=items, initial_points=initial,
                         initial={"comment": review.comment})
        if request.method == "POST" and form.is_valid():
            try:
                qa_review_score(review=review, actor=request.user, points=form.points(),
                                comment=form.cleaned_data["comment"])
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, _("QA review scored."), messages.SUCCESS)
                return redirect(reverse("admin:appraisal_qareview_changelist")
                                + f"?status__exact=pending&month={review.month:%Y-%m-%d}")
        title = _("Score: %(agent)s") % {"agent": review.agent}
        return TemplateResponse(request, "admin/appraisal/score.html",
                                self._context(request, title, review=review, subject=subject_link(review),
                                              form=form))
