"""Questionnaires (questions inline; send to a segment or one customer; results aggregated) and the
surveys sent (read-only: who, when, answered, the review it became)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.errors import form_add_error
from customers.admin.privacy import PersonalDataAdminMixin
from engage.admin.forms import TargetForm
from engage.errors import EngageError
from engage.models import Question, Questionnaire, SurveyAnswer, SurveyInvitation
from engage.selectors import questionnaire_results
from engage.services import survey_send


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "is_active", "sent", "answered", "links")
    list_filter = ("is_active",)
    search_fields = ("title", "code")
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_sent=Count("invitations"),
            n_answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)))

    @admin.display(description=_("sent"), ordering="n_sent")
    def sent(self, obj):
        return obj.n_sent

    @admin.display(description=_("answered"), ordering="n_answered")
    def answered(self, obj):
        return obj.n_answered

    @admin.display(description=_("actions"))
    def links(self, obj):
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                           reverse("admin:engage_questionnaire_send", args=[obj.pk]), _("Send survey"),
                           reverse("admin:engage_questionnaire_results", args=[obj.pk]), _("Results"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/send/", view(self.send_view), name="engage_questionnaire_send"),
                path("<int:pk>/results/", view(self.results_view), name="engage_questionnaire_results"),
                *super().get_urls()]

    def _context(self, request, questionnaire, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "questionnaire": questionnaire,
                "title": title, **extra}

    def send_view(self, request, pk):
        if not request.user.has_perm("engage.send_questionnaire"):
            raise PermissionDenied
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        form = TargetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = survey_send(questionnaire=questionnaire, customers=form.customers(), actor=request.user)
            except EngageError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, _("Survey sent to %(sent)s customers (%(already)s had it already).")
                                  % {"sent": result.sent, "already": result.already}, messages.SUCCESS)
                return redirect("admin:engage_questionnaire_results", pk=pk)
        title = _("Send: %(title)s") % {"title": questionnaire.title}
        return TemplateResponse(request, "admin/engage/send.html",
                                self._context(request, questionnaire, title, form=form))

    def results_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        title = _("Results: %(title)s") % {"title": questionnaire.title}
        return TemplateResponse(request, "admin/engage/survey_results.html",
                                self._context(request, questionnaire, title,
                                              results=questionnaire_results(questionnaire)))


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    fields = ("question", "value")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("questionnaire", "customer", "created_at", "expires_at", "answered_at", "review")
    list_filter = ("questionnaire", ("answered_at", admin.EmptyFieldListFilter))
    search_fields = ("customer__mobile", "customer__full_name")
    list_select_related = ("questionnaire", "customer", "review")
    readonly_fields = ("questionnaire", "customer", "order", "message", "sent_by", "created_at", "expires_at",
                       "answered_at", "comment", "review")
    fields = readonly_fields
    inlines = [SurveyAnswerInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
